"""Rate limits (Flask-Limiter): ``RATE_LIMITS`` on every API route, and
``UPLOAD_RATE_LIMITS`` on uploads besides. Counters live in memory, or in Redis when
``REDIS_URL`` is set so that several web hosts share them. An empty ``RATE_LIMITS``
turns limiting off."""

from __future__ import annotations

from flask import Flask, current_app

from registry.extensions import limiter


def configure(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_ENABLED", bool(app.config["RATE_LIMITS"]))
    app.config.setdefault("RATELIMIT_DEFAULT", app.config["RATE_LIMITS"] or None)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "registry")
    limiter.init_app(app)


upload_limit = limiter.limit(
    lambda: current_app.config["UPLOAD_RATE_LIMITS"] or "1/second",
    exempt_when=lambda: not current_app.config["UPLOAD_RATE_LIMITS"],
    scope="upload",
)
