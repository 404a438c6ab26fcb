"""``flask --app wsgi ...`` commands. Each parses its arguments, calls services and
commits once."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from registry.cli import ingest, profiles, storage, tokens, worker

    for command in (tokens.cli, storage.cli, ingest.ingest_command, profiles.cli,
                    profiles.jobs_cli, worker.worker_command):
        app.cli.add_command(command)
