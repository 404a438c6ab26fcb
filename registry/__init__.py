"""The kratom COA registry: a Flask app that keeps certificates of analysis, reads
them, judges every batch against threshold profiles and lets anyone search them.

``create_app`` reads as the list of the app's parts, each bound with ``init_app``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``REGISTRY_*`` environment, then ``test_config``."""
    from registry import api, cli, config, observability, storage, tasks, web
    from registry.api import guards, headers, limits, problems
    from registry.extensions import cors, db, migrate

    app = Flask(__name__, instance_relative_config=True)
    config.load_config(app, test_config)
    observability.init_app(app)
    guards.init_app(app)  # before any route: it binds the bounded int converter
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    storage.init_app(app)
    tasks.init_app(app)
    cors.init_app(
        app,
        resources={
            r"/api/*": {"origins": "*", "methods": ["GET", "HEAD", "OPTIONS"]},
            r"/feeds/*": {"origins": "*", "methods": ["GET"]},
        },
        send_wildcard=True,
    )
    api.init_app(app)
    web.init_app(app)
    headers.init_app(app)  # before the limiter: its after_request then runs last
    limits.init_app(app)
    problems.init_app(app)
    cli.init_app(app)
    return app
