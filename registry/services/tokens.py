"""API tokens. The plaintext is shown once; only its sha256 is kept (tokens carry
256 bits of randomness, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.errors import Forbidden, NotFound, Unauthorized
from registry.models import ApiToken, TokenRole
from registry.services import audit

TOKEN_PREFIX = "kcr_"


def _hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create(session: Session, name: str, role: TokenRole, *, actor: str = "cli") -> tuple[ApiToken, str]:
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, role=role, token_hash=_hash(plaintext), prefix=plaintext[:10])
    session.add(token)
    audit.record(session, actor=actor, action="token.create", obj=token,
                 details={"name": name, "role": role.value})
    return token, plaintext


def list_all(session: Session) -> list[ApiToken]:
    return list(session.scalars(sa.select(ApiToken).order_by(ApiToken.id)))


def revoke(session: Session, ident: str, *, actor: str = "cli") -> ApiToken:
    """Revoke by id or by name."""
    query = sa.select(ApiToken).where(
        ApiToken.id == int(ident) if ident.isdigit() else ApiToken.name == ident)
    found = list(session.scalars(query))
    if not found:
        raise NotFound(f"no token {ident!r}")
    for token in found:
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record(session, actor=actor, action="token.revoke", obj=token)
    return found[0]


def authenticate(session: Session, plaintext: str | None) -> ApiToken:
    """The active token for ``plaintext``; raise ``Unauthorized`` otherwise."""
    if not plaintext:
        raise Unauthorized("send an API token as 'Authorization: Bearer <token>'")
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _hash(plaintext)))
    if token is None or token.revoked_at is not None:
        raise Unauthorized("the API token is unknown or revoked")
    return token


def touch(session: Session, token_id: int) -> None:
    """Note that a token was used (inside the caller's write transaction)."""
    token = session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = utcnow()


def require_role(token: ApiToken, *roles: TokenRole) -> None:
    if token.role not in roles and token.role != TokenRole.ADMIN:
        raise Forbidden(f"this needs a token with role {' or '.join(r.value for r in roles)}")
