"""``flask tokens create|list|revoke``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from registry import unit_of_work
from registry.errors import RegistryError
from registry.extensions import db
from registry.models import TokenRole
from registry.services import tokens

cli = AppGroup("tokens", help="API tokens for uploaders and admins.")


@cli.command("create")
@click.argument("name")
@click.option(
    "--role", type=click.Choice([r.value for r in TokenRole]), default="uploader", show_default=True
)
def create(name: str, role: str) -> None:
    """Create a token and print it once (its last word). Names are unique."""
    try:
        _, plaintext = unit_of_work.commit(
            db.session, lambda: tokens.create(db.session, name, TokenRole(role))
        )
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {role} token {name!r}. It is shown only now: {plaintext}")


@cli.command("list")
def list_() -> None:
    """List tokens (never their secrets)."""
    for t in tokens.list_all(db.session):
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
        click.echo(
            f"{t.id:>4}  {t.name:<24} {t.role.value:<10} {t.prefix}…  {state:<18} last used {used}"
        )


@cli.command("revoke")
@click.argument("ident")
def revoke(ident: str) -> None:
    """Revoke a token by id or name."""
    try:
        token = unit_of_work.commit(db.session, lambda: tokens.revoke(db.session, ident))
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Revoked token {token.id} ({token.name}).")
