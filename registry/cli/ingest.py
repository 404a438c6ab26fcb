"""``flask ingest PATH...``: bulk import with a progress bar and a summary table."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from registry.extensions import db
from registry.services import certificates, ingest
from registry.storage import get_storage
from registry.tasks import parsing


@click.command("ingest")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Files parsed at once (default: REGISTRY_PARSE_CONCURRENCY, the number of "
    "cores; parses of the web process count against the same host limit).",
)
@click.option("--verbose", "-v", is_flag=True, help="List every file with its outcome.")
def ingest_command(paths: tuple[Path, ...], jobs: int | None, verbose: bool) -> None:
    """Import COA PDFs from files and folders (folders are searched recursively).

    Each file is recorded in a transaction of its own: one that cannot be recorded is
    reported and the rest go on. Exits with status 1 when any file was unreadable,
    refused or not recorded.
    """
    files = ingest.find_pdfs(paths)
    if not files:
        raise click.ClickException("no PDF files found in the paths given")
    console = Console(stderr=True)
    cfg = current_app.config
    with Progress(
        TextColumn("[bold]Importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("ingest", total=len(files), last="")

        def done(report: ingest.FileReport) -> None:
            progress.update(task, advance=1, last=report.path.name[:40])
            if verbose:
                progress.console.print(
                    f"{report.outcome.value:>12}  {report.path}"
                    + (f"  ({report.detail})" if report.detail else "")
                )

        app = current_app._get_current_object()  # type: ignore[attr-defined]
        summary = parsing.ingest_files(
            db.session,
            get_storage(),
            files,
            limits=certificates.limits_from_config(cfg),
            max_size=parsing.max_bytes(app),
            jobs_at_once=jobs or parsing.concurrency(app),
            default_profile=cfg["DEFAULT_PROFILE"],
            host_slots=parsing.slots(app),
            on_done=done,
        )
    _print_summary(console, summary)
    if not summary.ok:
        raise SystemExit(1)


def _print_summary(console: Console, summary: ingest.Summary) -> None:
    table = Table(title=f"{len(summary.reports)} file(s)")
    table.add_column("outcome")
    table.add_column("files", justify="right")
    counts = summary.counts
    for outcome in (*ingest.IngestOutcome, "failing"):
        name = outcome.value if isinstance(outcome, ingest.IngestOutcome) else outcome
        table.add_row(name, str(counts.get(name, 0)))
    console.print(table)
    for report in summary.reports:
        if report.outcome in (
            ingest.IngestOutcome.UNREADABLE,
            ingest.IngestOutcome.REFUSED,
            ingest.IngestOutcome.FAILED,
        ):
            console.print(f"[red]{report.outcome.value}[/red] {report.path}: {report.detail}")
