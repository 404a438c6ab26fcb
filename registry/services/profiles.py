"""Threshold profiles stored with their versions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.errors import NotFound
from registry.models import Profile


def list_current(session: Session) -> list[Profile]:
    return list(session.scalars(sa.select(Profile).where(Profile.current).order_by(Profile.code)))


def get_current(session: Session, code: str) -> Profile:
    profile = session.scalar(sa.select(Profile).where(Profile.code == code, Profile.current))
    if profile is None:
        raise NotFound(f"no profile {code!r}")
    return profile
