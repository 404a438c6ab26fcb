"""Errors over HTTP: every error as an RFC 9457 ``application/problem+json`` answer, and
``/problems/<slug>``, what each problem ``type`` means.

:class:`~registry.errors.RegistryError` subclasses (raised by services), Werkzeug's HTTP
exceptions (routing 404s, 405s, request-size 413s) and webargs' validation errors (422,
with ``errors`` per field) all get the same shape. Anything uncaught becomes a bare 500
problem that leaks no detail. Every answer's ``type`` is an absolute URI of
``/problems/<slug>``, so a client or a person who follows it reads what went wrong and
what to do (JSON, or a small page for browsers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import Blueprint, Flask, Response, current_app, g, has_request_context, json, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from registry import errors as domain
from registry.errors import NotFound, RegistryError

PROBLEM_MIMETYPE = "application/problem+json"

#: A browser asking for a page (not under ``/api/``) gets the error as a page: the web
#: blueprint registers a renderer that answers when the request wants HTML, else None.
PageRenderer = Callable[[int, str, "str | None", dict[str, str]], "Response | None"]
_PAGE_RENDERER = "registry.error_page"


def set_page_renderer(app: Flask, render: PageRenderer) -> None:
    """Errors of requests that want a page go through ``render`` (None: problem+json)."""
    app.extensions[_PAGE_RENDERER] = render


bp = Blueprint("problems", __name__)


class HttpProblem(NamedTuple):
    """How a domain error is answered: status, title and problem type (its slug)."""

    status: int
    title: str
    slug: str


#: Each domain error class of ``registry.errors`` as an HTTP problem. A subclass not
#: listed takes its nearest listed base's (``RegistryError``: a 500).
HTTP_PROBLEMS: dict[type[RegistryError], HttpProblem] = {
    RegistryError: HttpProblem(500, "Internal Server Error", "internal"),
    domain.BadRequest: HttpProblem(400, "Bad Request", "bad-request"),
    domain.Unauthorized: HttpProblem(401, "Unauthorized", "unauthorized"),
    domain.Forbidden: HttpProblem(403, "Forbidden", "forbidden"),
    domain.NotFound: HttpProblem(404, "Not Found", "not-found"),
    domain.Conflict: HttpProblem(409, "Conflict", "conflict"),
    domain.PayloadTooLarge: HttpProblem(413, "Payload Too Large", "payload-too-large"),
    domain.UnsupportedMediaType: HttpProblem(
        415, "Unsupported Media Type", "unsupported-media-type"
    ),
    domain.Unprocessable: HttpProblem(422, "Unprocessable Content", "validation"),
    domain.TooManyRequests: HttpProblem(429, "Too Many Requests", "too-many-requests"),
}

#: A 401 says how to authenticate (RFC 6750).
WWW_AUTHENTICATE = 'Bearer realm="registry"'


def http_problem(error: RegistryError) -> HttpProblem:
    """The status, title and slug ``error`` is answered with."""
    for cls in type(error).__mro__:
        if cls in HTTP_PROBLEMS:
            return HTTP_PROBLEMS[cls]
    raise TypeError(f"{type(error).__name__} is not a RegistryError")  # pragma: no cover


def http_headers(error: RegistryError) -> dict[str, str]:
    """The headers that go with ``error``'s answer."""
    if isinstance(error, domain.Unauthorized):
        return {"WWW-Authenticate": WWW_AUTHENTICATE}
    if isinstance(error, domain.TooManyRequests) and error.retry_after_s is not None:
        return {"Retry-After": str(error.retry_after_s)}
    return {}


#: Every problem type: its slug, what it means and what to do about it. Each ``type`` URI
#: of a problem answer resolves to ``/problems/<slug>``, which says this.
PROBLEMS: dict[str, tuple[str, str]] = {
    "bad-request": (
        "The request could not be read.",
        "Check the request's syntax against the API document at /api/docs.",
    ),
    "unauthorized": (
        "This needs an API token.",
        "Send it as 'Authorization: Bearer <token>'. An administrator creates tokens with "
        "`flask --app wsgi tokens create NAME --role uploader`.",
    ),
    "forbidden": (
        "The token is valid but may not do this.",
        "Uploads need an uploader or admin token; profile changes need an admin token.",
    ),
    "not-found": (
        "Nothing exists at this address, or no record has this id.",
        "Search instead: GET /api/v1/batches?lot=... finds a batch by its lot number.",
    ),
    "method-not-allowed": (
        "This address does not take this HTTP method.",
        "The Allow header lists the methods it takes.",
    ),
    "conflict": ("The request conflicts with what is stored.", "The detail names what conflicts."),
    "payload-too-large": (
        "The upload is larger than the registry takes.",
        "The detail names the limit (REGISTRY_MAX_UPLOAD_MB); COA PDFs are rarely "
        "larger than a few megabytes.",
    ),
    "unsupported-media-type": (
        "The file is not a PDF.",
        "Upload the certificate of analysis as a PDF file (field 'file').",
    ),
    "validation": (
        "Some input is not acceptable.",
        "'errors' names each field and what is wrong with it.",
    ),
    "too-many-requests": (
        "Too many requests from this address.",
        "Wait for the seconds the Retry-After header gives, then try again.",
    ),
    "internal": (
        "The registry failed to answer.",
        "This is our fault, not yours; the request id in the answer helps us find it.",
    ),
}


#: Werkzeug's own errors (routing, methods, request size, rate limits) by status.
_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "too-many-requests",
}


def problem_type(slug: str) -> str:
    """The absolute URI of a problem type: under the configured public URL, or else
    under the host the request came to (so that it resolves for the client)."""
    base = (
        current_app.config["BASE_URL"]
        if current_app.config.get("BASE_URL_SET") or not has_request_context()
        else request.host_url
    )
    return f"{base.rstrip('/')}/problems/{slug}"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    slug: str | None = None,
    errors: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build a problem+json response, or the error page when the client wants a page."""
    render = current_app.extensions.get(_PAGE_RENDERER)
    if render is not None:
        page = render(status, title, detail, dict(headers or {}))
        if page is not None:
            return page
    slug = slug or _SLUGS.get(status)
    body: dict[str, Any] = {
        "type": problem_type(slug) if slug else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    request_id = g.get("request_id")
    if request_id:
        body["request_id"] = request_id
    resp = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    resp.headers.update(headers or {})
    return resp


def handle_registry_error(error: RegistryError) -> Response:
    status, title, slug = http_problem(error)
    return problem(
        status,
        title,
        error.detail,
        slug=slug,
        errors=error.errors,
        headers=http_headers(error),
    )


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug and webargs errors as problems; 500s say nothing about internals."""
    code = error.code or 500
    if code >= 500:
        return problem(code, error.name)
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and set(errors) <= {
        "json",
        "query",
        "form",
        "files",
        "multipart",
        "view_args",
    }:
        # webargs nests field errors by location; flatten one location for clients.
        errors = next(iter(errors.values())) if len(errors) == 1 else errors
    headers = dict(data.get("headers") or {})
    if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    detail = data.get("message") or (error.description if code != 422 else "invalid input")
    if code == 413:
        limit = current_app.config["MAX_UPLOAD_MB"]
        detail = (
            f"the request is larger than the upload limit of {limit:g} MB (REGISTRY_MAX_UPLOAD_MB)"
        )
    return problem(code, error.name, detail, errors=errors, headers=headers)


def handle_unexpected(error: Exception) -> Response:
    current_app.logger.exception("unhandled error")
    return handle_http_exception(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(RegistryError, handle_registry_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)


@bp.get("/problems/<slug>")
def explain(slug: str) -> Any:
    """What the problem type ``slug`` means and what to do about it."""
    if slug not in PROBLEMS:
        raise NotFound(f"no problem type {slug!r}")
    meaning, what_to_do = PROBLEMS[slug]
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return (
            f"<!doctype html><html lang=en><meta charset=utf-8><title>{escape(slug)}</title>"
            f"<main><h1>{escape(meaning)}</h1><p>{escape(what_to_do)}</p>"
            f"<p>Problem type <code>{escape(slug)}</code> of the Kratom COA Registry API "
            f'(<a href="/api/docs">API documentation</a>).</p></main></html>'
        )
    return {"type": slug, "title": meaning, "detail": what_to_do}
