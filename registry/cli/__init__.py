"""``flask --app wsgi ...`` commands. Each parses its arguments, calls services and
commits once."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from registry.cli import storage, tokens

    for group in (tokens.cli, storage.cli):
        app.cli.add_command(group)
