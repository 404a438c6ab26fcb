"""``flask storage gc``: remove originals that no certificate refers to."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from registry.extensions import db
from registry.services import storage_gc
from registry.storage import get_storage

cli = AppGroup("storage", help="The store of original PDFs.")


@cli.command("gc")
@click.option(
    "--grace-minutes",
    default=60,
    show_default=True,
    help="Keep orphans younger than this (an upload may be mid-way).",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed.")
def gc(grace_minutes: int, dry_run: bool) -> None:
    """Delete stored files with no certificate row (left by a crash mid-upload)."""
    removed = storage_gc.collect(
        db.session, get_storage(), grace=timedelta(minutes=grace_minutes), dry_run=dry_run
    )
    verb = "Would remove" if dry_run else "Removed"
    for key in removed:
        click.echo(key)
    click.echo(f"{verb} {len(removed)} orphan file(s).")
