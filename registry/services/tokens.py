"""API tokens. The plaintext is shown once; only its sha256 is kept (tokens carry
256 bits of randomness, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from registry.models import ApiToken, TokenRole
from registry.services import audit

TOKEN_PREFIX = "kcr_"


def _hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create(
    session: Session, name: str, role: TokenRole, *, actor: str = "cli"
) -> tuple[ApiToken, str]:
    """A new token named ``name`` (a name is never reused, so that it always means one
    token in the audit log and in ``revoke``)."""
    name = name.strip()
    if not name:
        raise Unprocessable("a token needs a name", errors={"name": ["must not be blank"]})
    if session.scalar(sa.select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise Conflict(
            f"a token named {name!r} exists already (names are never reused; "
            "`tokens list` shows them)"
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, role=role, token_hash=_hash(plaintext), prefix=plaintext[:10])
    session.add(token)
    audit.record(
        session,
        actor=actor,
        action="token.create",
        obj=token,
        details={"name": name, "role": role.value},
    )
    return token, plaintext


def list_all(session: Session) -> list[ApiToken]:
    return list(session.scalars(sa.select(ApiToken).order_by(ApiToken.id)))


def revoke(session: Session, ident: str, *, actor: str = "cli") -> ApiToken:
    """Revoke one token, by name, or by id when no token has that name."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.name == ident))
    if token is None and ident.isdigit():
        token = session.get(ApiToken, int(ident))
    if token is None:
        raise NotFound(f"no token {ident!r}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor=actor, action="token.revoke", obj=token)
    return token


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
