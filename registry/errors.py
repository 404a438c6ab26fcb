"""One error vocabulary, answered as RFC 9457 ``application/problem+json``.

Services raise :class:`RegistryError` subclasses; the transport maps them here:

- ``BadRequest`` 400, ``Unauthorized`` 401, ``Forbidden`` 403, ``NotFound`` 404,
  ``Conflict`` 409, ``PayloadTooLarge`` 413, ``UnsupportedMediaType`` 415,
  ``Unprocessable`` 422.

Werkzeug's HTTP exceptions (routing 404s, 405s, request-size 413s) and webargs'
validation errors (422, with ``errors`` per field) get the same shape. Anything
uncaught becomes a bare 500 problem that leaks no detail.

A browser asking for a page (not under ``/api/``) gets the same error as a page: the
web blueprint registers a renderer (:func:`set_page_renderer`) that answers when the
request wants HTML and declines (None) otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, json
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


PageRenderer = Callable[[int, str, "str | None", dict[str, str]], "Response | None"]
_PAGE_RENDERER = "registry.error_page"


def set_page_renderer(app: Flask, render: PageRenderer) -> None:
    """Errors of requests that want a page go through ``render`` (None: problem+json)."""
    app.extensions[_PAGE_RENDERER] = render


def problem(status: int, title: str, detail: str | None = None, *, slug: str | None = None,
            errors: Any = None, headers: dict[str, str] | None = None) -> Response:
    """Build a problem+json response, or the error page when the client wants a page."""
    render = current_app.extensions.get(_PAGE_RENDERER)
    if render is not None:
        page = render(status, title, detail, dict(headers or {}))
        if page is not None:
            return page
    body: dict[str, Any] = {
        "type": f"{current_app.config['BASE_URL'].rstrip('/')}/problems/{slug}" if slug
        else "about:blank",
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
    return problem(code, error.name, detail, errors=errors, headers=headers)


def handle_unexpected(error: Exception) -> Response:
    current_app.logger.exception("unhandled error")
    return handle_http_exception(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(RegistryError, handle_registry_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
