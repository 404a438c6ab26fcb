"""The audit log: every upload and administrative change, appended in the same
transaction as the change itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from registry.models import ApiToken, AuditEvent


def actor_of(token: ApiToken | None) -> str:
    return f"token:{token.id}:{token.name}" if token else "anonymous"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    obj: Any = None,
    object_type: str | None = None,
    object_id: str | None = None,
    request_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        session.flush()
        object_type = object_type or type(obj).__tablename__
        object_id = object_id or str(obj.id)
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type or "-",
        object_id=object_id,
        request_id=request_id,
        details=details or {},
    )
    session.add(event)
    return event
