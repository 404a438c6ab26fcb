"""``flask corpus export ID``: a reviewed certificate as a truth record of the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from registry.errors import RegistryError
from registry.extensions import db
from registry.services import corrections

cli = AppGroup("corpus", help="The parser's test corpus.")


@cli.command("export")
@click.argument("certificate_id", type=int)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the record to this file (default: print it).",
)
def export(certificate_id: int, out: Path | None) -> None:
    """Print (or write) a reviewed certificate as a truth record in the format of
    tests/corpus/*/truth.canonical.json, to add beside its PDF as a parser test."""
    try:
        record = corrections.truth_record(db.session, certificate_id)
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    text = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")
