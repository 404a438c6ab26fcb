"""Response headers every answer carries, and the proxy and metrics settings.

- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``, ``X-Frame-Options: DENY`` and
  a Content-Security-Policy: nothing is framed, and nothing but the app's own assets runs
  (the Swagger UI page at ``/api/docs`` gets the inline script it needs and no outside
  host; its validator badge, which would call one, is switched off in ``api.init_app``).
  Pages (``text/html``: ``registry.web`` and its error pages) get ``PAGE_CSP``: the
  app's own styles, images and scripts, no inline script, forms posting only to itself;
  everything else (JSON, problem+json, CSV) keeps the strict ``API_CSP``.
- Originals (``application/pdf``) are served with ``Content-Security-Policy: sandbox``:
  a hostile PDF opened in a browser runs in an opaque origin.
- ``Retry-After`` only on 429 (the rate limiter would put it on every answer).
- ``PROXY_FIX`` = the number of trusted reverse proxies: Werkzeug's ProxyFix makes
  rate limits and logs see the client's address (``X-Forwarded-For``) behind them.
- ``METRICS_TOKEN`` closes ``/metrics`` to all but ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import os
import sys

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from registry.errors import Unauthorized

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
#: The pages: the app's own stylesheet, images (QR codes, SVG) and scripts; no inline script.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'"
)


def _secure(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "application/pdf":
        headers["Content-Security-Policy"] = "sandbox"
    elif request.path.startswith("/api/docs"):
        headers.setdefault("Content-Security-Policy", DOCS_CSP)
    elif response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", PAGE_CSP)
    else:
        headers.setdefault("Content-Security-Policy", API_CSP)
    if response.status_code != 429:
        headers.pop("Retry-After", None)
    return response


def _metrics_token(app: Flask) -> None:
    token = str(app.config.get("METRICS_TOKEN") or "")
    if not token:
        return

    @app.before_request
    def close_metrics() -> None:
        if request.endpoint != "health.metrics":
            return
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Unauthorized("/metrics needs the metrics token (REGISTRY_METRICS_TOKEN)")


def init_app(app: Flask) -> None:
    """Call before the rate limiter is bound, so that this runs after its headers."""
    app.after_request(_secure)
    _metrics_token(app)
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if (
        app.config["RATE_LIMITS"]
        and not app.config["REDIS_URL"]
        and (
            "gunicorn" in os.path.basename(sys.argv[0])
            or int(os.environ.get("WEB_CONCURRENCY", "1")) > 1
        )
    ):
        app.logger.warning(
            "rate limits are counted in memory, per process: with several workers or hosts "
            "set REGISTRY_REDIS_URL so that they share one count"
        )
