"""Rate limits (Flask-Limiter): ``RATE_LIMITS`` on every route but health and metrics,
and ``UPLOAD_RATE_LIMITS`` on uploads besides. Counters live in memory, or in Redis
when ``REDIS_URL`` is set so that several web hosts share them. An empty
``RATE_LIMITS`` turns limiting off.

Each app gets its own ``Limiter`` (a module-level one keeps the first app's settings,
which matters wherever one process builds several apps, as the tests do), so limits
are attached to view functions here, after the blueprints are registered.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

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
    for endpoint in EXEMPT:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = cast(Any, limiter.exempt(app.view_functions[endpoint]))
    if cfg["UPLOAD_RATE_LIMITS"]:
        for endpoint in UPLOADS:
            app.view_functions[endpoint] = cast(Any, limiter.limit(
                cfg["UPLOAD_RATE_LIMITS"], scope="upload", methods=["POST"]
            )(app.view_functions[endpoint]))
