"""Bearer-token authentication for the routes that need one."""

from __future__ import annotations

from flask import g, request

from registry.extensions import db
from registry.models import ApiToken, TokenRole
from registry.services import tokens


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
