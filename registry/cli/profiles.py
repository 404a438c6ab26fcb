"""``flask profiles load|list`` and ``flask jobs run|list``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from registry import tasks, unit_of_work
from registry.extensions import db
from registry.models import Job
from registry.services import jobs, profiles

cli = AppGroup("profiles", help="Threshold profiles: load the shipped ones, list them.")
jobs_cli = AppGroup("jobs", help="Background jobs (re-judging batches after a profile change).")


@cli.command("load")
@click.option(
    "--no-rejudge", is_flag=True, help="Only queue the re-judgement (run it later with `jobs run`)."
)
def load(no_rejudge: bool) -> None:
    """Load the shipped profiles; a changed file becomes a new version, and every batch
    is re-judged under the new versions."""
    session = db.session
    changed, job_id = unit_of_work.commit(
        session, lambda: profiles.sync_shipped(session, actor="cli")
    )
    if not changed:
        click.echo("Shipped profiles are up to date.")
        return
    for s in changed:
        was = f"v{s.previous_version}" if s.previous_version is not None else "new"
        click.echo(f"  {s.row.code:<26} {was} -> v{s.row.version}")
    if job_id is not None and not no_rejudge:
        _run_with_progress([job_id])
    elif job_id is not None:
        click.echo(f"Re-judgement queued as job {job_id}.")


@cli.command("list")
def list_() -> None:
    """The current version of every profile."""
    table = Table()
    for column in ("code", "version", "name", "shipped", "since"):
        table.add_column(column)
    for p in profiles.list_current(db.session):
        table.add_row(
            p.code,
            str(p.version),
            p.name,
            "yes" if p.shipped else "custom",
            f"{p.created_at:%Y-%m-%d %H:%M}",
        )
    Console().print(table)


@jobs_cli.command("run")
def run() -> None:
    """Run every queued job, and any whose runner stopped, with a progress bar."""
    ids = jobs.claimable(db.session)
    if not ids:
        click.echo("No jobs are waiting.")
        return
    _run_with_progress(ids)


@jobs_cli.command("list")
@click.option("--limit", default=20, show_default=True)
def list_jobs(limit: int) -> None:
    """The latest jobs with their progress."""
    table = Table()
    for column in ("id", "kind", "status", "progress", "created", "error"):
        table.add_column(column)
    for job in db.session.scalars(sa.select(Job).order_by(Job.id.desc()).limit(limit)):
        progress = f"{job.done}/{job.total}" if job.total is not None else "-"
        table.add_row(
            str(job.id),
            job.kind,
            job.status.value,
            progress,
            f"{job.created_at:%Y-%m-%d %H:%M}",
            job.error or "",
        )
    Console().print(table)


def _run_with_progress(ids: list[int]) -> None:
    console = Console(stderr=True)
    failed = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("batches"),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        for job_id in ids:
            task = progress.add_task(f"Job {job_id}: re-judging", total=None)

            def show(job: Job, task: TaskID = task) -> None:
                progress.update(task, completed=job.done, total=job.total)

            try:
                if not tasks.run(job_id, on_progress=show):
                    progress.console.print(f"job {job_id} is being run elsewhere")
            except Exception as exc:
                failed.append(job_id)
                progress.console.print(f"[red]job {job_id} failed[/red]: {exc}")
    for job_id in ids:
        job = db.session.get(Job, job_id, populate_existing=True)
        if job is not None and job.result:
            counts = job.result.get("counts", {})
            console.print(
                f"job {job_id}: {job.status.value}, {job.done} batches, "
                f"{counts.get('changed', 0)} status changes, "
                f"{counts.get('batch.failed', 0)} now failing, "
                f"{counts.get('batch.recovered', 0)} recovered"
            )
    if failed:
        raise SystemExit(1)
