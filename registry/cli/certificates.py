"""``flask --app wsgi certificates reparse``: read stored originals again, as background
parse jobs, with a progress bar."""

from __future__ import annotations

import time
from collections import Counter

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from registry.errors import RegistryError
from registry.extensions import db
from registry.models import CertificateStatus, Job, JobStatus
from registry.services import reparse
from registry.tasks import parsing


@click.group("certificates")
def cli() -> None:
    """Stored certificates."""


@cli.command("reparse")
@click.argument("ids", nargs=-1, type=click.IntRange(1, 2**63 - 1))
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(
        [s.value for s in CertificateStatus if s is not CertificateStatus.PROCESSING]
    ),
    help="Only certificates in this status (repeat for several).",
)
@click.option(
    "--parser-older-than",
    "older_than",
    metavar="VERSION",
    help="Only certificates read by a parser version before VERSION.",
)
@click.option(
    "--include-corrected",
    is_flag=True,
    help="Also certificates a reviewer corrected (the re-read replaces the corrections).",
)
@with_appcontext
def reparse_command(
    ids: tuple[int, ...], statuses: tuple[str, ...], older_than: str | None, include_corrected: bool
) -> None:
    """Read stored originals again (IDs, or every certificate the options choose).

    Each certificate becomes a parse job: run by the Celery workers when a broker is
    set, else by this command's own pool (REGISTRY_PARSE_CONCURRENCY at once). What a
    re-read changes is kept in the audit log as a diff, and its batches are judged
    again (a changed verdict reaches subscribers through the outbox). Interrupted, the
    remaining jobs stay queued and are picked up by the sweeper.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        chosen, corrected = reparse.select(
            db.session,
            ids,
            statuses=[CertificateStatus(s) for s in statuses],
            older_than=older_than,
            include_corrected=include_corrected,
        )
    except RegistryError as error:
        raise click.BadParameter(str(error), param_hint="--parser-older-than") from None
    console = Console(stderr=True)
    if corrected:
        console.print(
            f"{len(corrected)} certificate(s) corrected by a reviewer left as they are "
            "(--include-corrected to read them again): "
            + ", ".join(map(str, corrected[:20]))
            + (" ..." if len(corrected) > 20 else "")
        )
    if not chosen:
        click.echo("No certificates to read again.")
        return
    job_ids = parsing.queue_reparse(db.session, chosen, actor="cli:reparse")
    for job_id in job_ids:
        parsing.submit(app, job_id)
    jobs = _follow(console, job_ids)
    counts = Counter(str((j.result or {}).get("status", j.status.value)) for j in jobs)
    changed = sum(bool((j.result or {}).get("changed")) for j in jobs)
    failed = [j for j in jobs if j.status is JobStatus.FAILED]
    console.print(
        f"Read again: {len(jobs)}; changed: {changed}; now "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )
    for job in failed:
        console.print(f"[red]job {job.id} failed[/red]: {job.error}")
    if failed:
        raise SystemExit(1)


def _follow(console: Console, job_ids: list[int]) -> list[Job]:
    """Show the jobs' progress until every one is over."""
    with Progress(
        TextColumn("[bold]Re-reading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("reparse", total=len(job_ids))
        while True:
            db.session.rollback()
            rows = list(
                db.session.scalars(
                    sa.select(Job)
                    .where(Job.id.in_(job_ids))
                    .execution_options(populate_existing=True)
                )
            )
            over = sum(j.status in (JobStatus.DONE, JobStatus.FAILED) for j in rows)
            progress.update(task, completed=over)
            if over == len(job_ids):
                return sorted(rows, key=lambda j: j.id)
            time.sleep(0.2)
