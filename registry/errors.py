"""One error vocabulary for services, commands and the API (no Flask, no HTTP here).

Services raise :class:`RegistryError` subclasses, each naming what went wrong in the
registry's own terms; ``str(error)`` is its detail. How each is answered over HTTP
(status, title, problem type, headers) is the API's business: ``registry.api.problems``
maps these classes to its RFC 9457 problem answers. Commands print the detail.
"""

from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    """Something the registry could not do; ``detail`` says what, ``errors`` per field."""

    #: What ``str(error)`` says when no detail is given.
    summary = "the registry failed"

    def __init__(self, detail: str | None = None, *, errors: Any = None) -> None:
        super().__init__(detail or self.summary)
        self.detail = detail
        self.errors = errors


class BadRequest(RegistryError):
    """The request cannot be read (a malformed token, link or body)."""

    summary = "the request could not be read"


class Unauthorized(RegistryError):
    """No credentials, or credentials the registry does not know (or has revoked)."""

    summary = "a valid token is needed"


class Forbidden(RegistryError):
    """Known credentials whose role may not do this."""

    summary = "this token may not do this"


class NotFound(RegistryError):
    """No record with this id, code or name."""

    summary = "not found"


class Conflict(RegistryError):
    """What was asked conflicts with what is stored (a name taken, a state changed)."""

    summary = "conflicts with what is stored"


class PayloadTooLarge(RegistryError):
    """A file over the size the registry takes."""

    summary = "the file is too large"


class UnsupportedMediaType(RegistryError):
    """A file that is not a PDF."""

    summary = "the file is not a PDF"


class Unprocessable(RegistryError):
    """Input that is well formed but not acceptable; ``errors`` names each field."""

    summary = "invalid input"


class TooManyRequests(RegistryError):
    """Too many attempts from one party; ``retry_after_s``: when one may try again."""

    summary = "too many attempts"

    def __init__(
        self, detail: str | None = None, *, retry_after_s: int | None = None, errors: Any = None
    ) -> None:
        super().__init__(detail, errors=errors)
        self.retry_after_s = retry_after_s
