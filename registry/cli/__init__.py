"""``flask --app wsgi ...`` commands. Each parses its arguments, calls services and
commits once.

Every command of ours answers a database that has not been migrated with the one thing
to do about it (``flask --app wsgi db upgrade``), not a SQLAlchemy traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask

from registry.db import not_migrated

NOT_MIGRATED = "the database has no registry tables yet: run `flask --app wsgi db upgrade` first"


def _friendly(command: click.Command) -> click.Command:
    """``command`` (and a group's subcommands) with "not migrated" as a clear error."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _friendly(sub)
    callback: Callable[..., Any] | None = command.callback
    if callback is not None and not getattr(callback, "_friendly", False):

        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except sa.exc.SQLAlchemyError as error:
                if not_migrated(error):
                    raise click.ClickException(NOT_MIGRATED) from None
                raise

        run._friendly = True  # type: ignore[attr-defined]
        command.callback = run
    return command


def init_app(app: Flask) -> None:
    from registry.cli import alerts, certificates, corpus, ingest, profiles, storage, tokens, worker

    for command in (
        tokens.cli,
        storage.cli,
        ingest.ingest_command,
        profiles.cli,
        profiles.jobs_cli,
        worker.worker_command,
        corpus.cli,
        alerts.cli,
        certificates.cli,
    ):
        app.cli.add_command(_friendly(command))
