"""The public pages: server-rendered Jinja (autoescaped), one stylesheet, no CDN.

- ``/`` home, ``/search`` results, ``/batches/<id>`` a batch with its verdicts and
  reasons, ``/vendors/<slug>``, ``/profiles`` and ``/profiles/<code>``, ``/subscribe``.
- ``/review``: the review desk (``registry.web.review``), behind an uploader or admin
  token kept as a session.
- ``/alerts/confirm/<token>`` and ``/alerts/unsubscribe/<token>``: the pages alert mails
  link to (``registry.web.alerts``); the signed link is their credential.
- Every form carries a CSRF token (Flask-WTF's ``CSRFProtect``, checked on this
  blueprint alone: the JSON API authenticates by bearer token and takes no cookies).
- The session cookie is ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` when the request
  came over HTTPS (or ``BASE_URL`` is https).
- Errors (404, 413, 422, 429, 500, ...) are pages in the same look for clients that
  ask for HTML on a page's path; the API keeps problem+json (``registry.errors``).

Views only parse input, call a service and render (``registry.web.views``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

csrf = CSRFProtect()

#: Paths that are machine interfaces: always problem+json, whatever the Accept header.
MACHINE_PREFIXES = ("/api/", "/healthz", "/metrics", "/feeds/")


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or (request and request.is_secure))


def wants_page(req: Request) -> bool:
    """True when an error should be answered as a page: a page's path, asked for by a
    client that prefers HTML (a browser) over JSON."""
    if req.path.startswith(MACHINE_PREFIXES):
        return False
    best = req.accept_mimetypes.best_match(
        ["application/json", "application/problem+json", "text/html"]
    )
    return best == "text/html"


ERROR_WORDS = {
    400: ("Something in that request could not be used", "Please go back and try again."),
    401: ("You need to sign in", "This page is for reviewers."),
    403: ("Not allowed", "This page is not open to you."),
    404: (
        "Page not found",
        "There is no page at this address. Try searching for the lot number printed on the bag.",
    ),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("That file is too large", "The upload is over the size limit."),
    415: ("That file type is not taken", "Only PDF certificates are accepted."),
    422: ("Something in that request could not be used", "Please check what you typed."),
    429: ("Too many requests", "Please wait a moment before trying again."),
    500: ("Something went wrong on our side", "The error has been logged. Please try again later."),
}


def error_page(
    status: int, title: str, detail: str | None, headers: dict[str, str] | None = None
) -> Response:
    """An error as a page; a 500 shows no internals."""
    heading, advice = ERROR_WORDS.get(status, (title, ""))
    body = render_template(
        "error.html",
        status=status,
        heading=heading,
        advice=advice,
        detail=detail if status < 500 else None,
    )
    resp = Response(body, status=status, mimetype="text/html")
    resp.headers.update(headers or {})
    return resp


def init_app(app: Flask) -> None:
    from registry.api import problems as errors
    from registry.web import alerts, review, views

    base_https = str(app.config.get("BASE_URL", "")).startswith("https://")
    # Flask's defaults hold these keys (HttpOnly on, SameSite None): set them outright.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["SESSION_COOKIE_SECURE"] = bool(
        app.config.get("SESSION_COOKIE_SECURE") or base_https
    )
    # The token is checked by the blueprint's own before_request, not on every route.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    app.session_interface = _SessionInterface()
    csrf.init_app(app)
    app.jinja_env.autoescape = True  # every template, whatever its extension
    views.register_filters(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(alerts.bp)
    errors.set_page_renderer(
        app,
        lambda status, title, detail, headers: (
            error_page(status, title, detail, headers) if wants_page(request) else None
        ),
    )

    @app.errorhandler(CSRFError)
    def _csrf_failed(error: CSRFError) -> Any:
        if wants_page(request):
            return error_page(
                400,
                "Bad Request",
                "The form had expired or came from another site: "
                "please reload the page and send it again.",
            )
        return errors.problem(400, "Bad Request", error.description)
