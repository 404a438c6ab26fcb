"""One error vocabulary for services, commands and the API (no Flask here).

Services raise :class:`RegistryError` subclasses; ``registry.api.problems`` answers them
as RFC 9457 ``application/problem+json``:

- ``BadRequest`` 400, ``Unauthorized`` 401, ``Forbidden`` 403, ``NotFound`` 404,
  ``Conflict`` 409, ``PayloadTooLarge`` 413, ``UnsupportedMediaType`` 415,
  ``Unprocessable`` 422.

Werkzeug's HTTP exceptions (routing 404s, 405s, request-size 413s) and webargs'
validation errors (422, with ``errors`` per field) get the same shape. Anything
uncaught becomes a bare 500 problem that leaks no detail.
"""

from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    status = 500
    title = "Internal Server Error"
    slug = "internal"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
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
