"""One error vocabulary, answered as RFC 9457 ``application/problem+json``.

Services raise :class:`RegistryError` subclasses; the transport maps them here:

- ``BadRequest`` 400, ``Unauthorized`` 401, ``Forbidden`` 403, ``NotFound`` 404,
  ``Conflict`` 409, ``PayloadTooLarge`` 413, ``UnsupportedMediaType`` 415,
  ``Unprocessable`` 422.

Werkzeug's HTTP exceptions (routing 404s, 405s, request-size 413s) and webargs'
validation errors (422, with ``errors`` per field) get the same shape. Anything
uncaught becomes a bare 500 problem that leaks no detail.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_MIMETYPE = "application/problem+json"


class RegistryError(Exception):
    status = 500
    title = "Internal Server Error"
    slug = "internal"

    def __init__(self, detail: str | None = None, *, errors: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class BadRequest(RegistryError):
    status, title, slug = 400, "Bad Request", "bad-request"


class Unauthorized(RegistryError):
    status, title, slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail: str | None = None, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="registry"'})
        super().__init__(detail, **kw)


class Forbidden(RegistryError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(RegistryError):
    status, title, slug = 404, "Not Found", "not-found"


class Conflict(RegistryError):
    status, title, slug = 409, "Conflict", "conflict"


class PayloadTooLarge(RegistryError):
    status, title, slug = 413, "Payload Too Large", "payload-too-large"


class UnsupportedMediaType(RegistryError):
    status, title, slug = 415, "Unsupported Media Type", "unsupported-media-type"


class Unprocessable(RegistryError):
    status, title, slug = 422, "Unprocessable Content", "validation"


#: Every problem type: its slug, what it means and what to do about it. Each ``type`` URI
#: of a problem answer resolves to ``/problems/<slug>``, which says this.
PROBLEMS: dict[str, tuple[str, str]] = {
    "bad-request": ("The request could not be read.",
                    "Check the request's syntax against the API document at /api/docs."),
    "unauthorized": ("This needs an API token.",
                     "Send it as 'Authorization: Bearer <token>'. An administrator creates tokens with "
                     "`flask --app wsgi tokens create NAME --role uploader`."),
    "forbidden": ("The token is valid but may not do this.",
                  "Uploads need an uploader or admin token; profile changes need an admin token."),
    "not-found": ("Nothing exists at this address, or no record has this id.",
                  "Search instead: GET /api/v1/batches?lot=... finds a batch by its lot number."),
    "method-not-allowed": ("This address does not take this HTTP method.",
                           "The Allow header lists the methods it takes."),
    "conflict": ("The request conflicts with what is stored.", "The detail names what conflicts."),
    "payload-too-large": ("The upload is larger than the registry takes.",
                          "The detail names the limit (REGISTRY_MAX_UPLOAD_MB); COA PDFs are rarely "
                          "larger than a few megabytes."),
    "unsupported-media-type": ("The file is not a PDF.",
                               "Upload the certificate of analysis as a PDF file (field 'file')."),
    "validation": ("Some input is not acceptable.",
                   "'errors' names each field and what is wrong with it."),
    "too-many-requests": ("Too many requests from this address.",
                          "Wait for the seconds the Retry-After header gives, then try again."),
    "internal": ("The registry failed to answer.",
                 "This is our fault, not yours; the request id in the answer helps us find it."),
}
#: Werkzeug's own errors (routing, methods, request size, rate limits) by status.
_SLUGS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
          405: "method-not-allowed", 409: "conflict", 413: "payload-too-large",
          415: "unsupported-media-type", 422: "validation", 429: "too-many-requests"}


def problem_type(slug: str) -> str:
    """The absolute URI of a problem type: under the configured public URL, or else
    under the host the request came to (so that it resolves for the client)."""
    base = current_app.config["BASE_URL"] if current_app.config.get("BASE_URL_SET") or not has_request_context() \
        else request.host_url
    return f"{base.rstrip('/')}/problems/{slug}"


def problem(status: int, title: str, detail: str | None = None, *, slug: str | None = None,
            errors: Any = None, headers: dict[str, str] | None = None) -> Response:
    """Build a problem+json response."""
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
    return problem(error.status, error.title, error.detail, slug=error.slug,
                   errors=error.errors, headers=error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug and webargs errors as problems; 500s say nothing about internals."""
    code = error.code or 500
    if code >= 500:
        return problem(code, error.name)
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "form", "files", "view_args"}:
        # webargs nests field errors by location; flatten one location for clients.
        errors = next(iter(errors.values())) if len(errors) == 1 else errors
    headers = dict(data.get("headers") or {})
    if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    detail = data.get("message") or (error.description if code != 422 else "invalid input")
    if code == 413:
        limit = current_app.config["MAX_UPLOAD_MB"]
        detail = f"the request is larger than the upload limit of {limit:g} MB (REGISTRY_MAX_UPLOAD_MB)"
    return problem(code, error.name, detail, errors=errors, headers=headers)


def handle_unexpected(error: Exception) -> Response:
    current_app.logger.exception("unhandled error")
    return handle_http_exception(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(RegistryError, handle_registry_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
