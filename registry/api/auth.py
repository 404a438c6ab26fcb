"""Bearer-token authentication for the routes that need one."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from registry.extensions import db
from registry.models import ApiToken, TokenRole
from registry.services import tokens

F = TypeVar("F", bound=Callable[..., Any])


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def require(*roles: TokenRole) -> ApiToken:
    """The request's token, which must hold one of ``roles`` (admin holds all)."""
    token = tokens.authenticate(db.session, bearer())
    if roles:
        tokens.require_role(token, *roles)
    g.token = token
    return token


def required(*roles: TokenRole) -> Callable[[F], F]:
    """Decorate a view so that the token is checked before its input is parsed (a
    stranger's bad request answers 401, not 422). Put it above ``blp.arguments``."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require(*roles)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
