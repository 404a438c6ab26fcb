"""Rate limits (Flask-Limiter): ``RATE_LIMITS`` on every route but health and metrics,
and ``UPLOAD_RATE_LIMITS`` on uploads besides. Counters live in memory, or in Redis
when ``REDIS_URL`` is set so that several web hosts share them. An empty
``RATE_LIMITS`` turns limiting off.

Each app gets its own ``Limiter`` (a module-level one keeps the first app's settings,
which matters wherever one process builds several apps, as the tests do), so limits
are attached to view functions here, after the blueprints are registered.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
from typing import Any, cast

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

log = logging.getLogger(__name__)

EXEMPT = ("health.healthz", "health.metrics", "problems.explain", "static", "swagger_assets")
UPLOADS = ("certificates.Certificates", "review.upload")  # the API and the review desk


def init_app(app: Flask) -> None:
    cfg = app.config
    limiter = Limiter(
        get_remote_address,
        default_limits=[cfg["RATE_LIMITS"]] if cfg["RATE_LIMITS"] else [],
        storage_uri=cfg["REDIS_URL"] or "memory://",
        key_prefix=cfg.get("RATELIMIT_KEY_PREFIX", "registry"),
        headers_enabled=True,
        enabled=bool(cfg["RATE_LIMITS"]),
    )
    limiter.init_app(app)
    app.extensions["registry.limiter"] = limiter
    workers = web_workers()
    if cfg["RATE_LIMITS"] and not cfg["REDIS_URL"] and workers > 1:
        log.warning(
            "rate limits are counted in memory by each of the %d web workers, so a client "
            "gets up to %d times the limits; set REGISTRY_REDIS_URL to share the counters",
            workers,
            workers,
        )
    for endpoint in EXEMPT:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = cast(Any, limiter.exempt(app.view_functions[endpoint]))
    if cfg["UPLOAD_RATE_LIMITS"]:
        for endpoint in UPLOADS:
            app.view_functions[endpoint] = cast(
                Any,
                limiter.limit(cfg["UPLOAD_RATE_LIMITS"], scope="upload", methods=["POST"])(
                    app.view_functions[endpoint]
                ),
            )


def web_workers(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    """How many web worker processes serve the app, as far as the command line tells:
    gunicorn's ``-w``/``--workers`` (also in ``GUNICORN_CMD_ARGS``), or
    ``WEB_CONCURRENCY`` (which gunicorn reads too). 1 when unknown."""
    argv = sys.argv if argv is None else argv
    env = os.environ if environ is None else environ
    if not argv or "gunicorn" not in os.path.basename(argv[0]):
        return 1
    args = [*argv[1:], *shlex.split(env.get("GUNICORN_CMD_ARGS", ""))]
    found = env.get("WEB_CONCURRENCY")
    for i, arg in enumerate(args):
        if arg in ("-w", "--workers") and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--workers="):
            found = arg.split("=", 1)[1]
        elif arg.startswith("-w") and arg[2:].isdigit():
            found = arg[2:]
    try:
        return max(1, int(found or 1))
    except ValueError:
        return 1
