"""API tokens: only a hash is kept; the token itself is shown once at creation."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, TimestampMixin


class TokenRole(enum.StrEnum):
    UPLOADER = "uploader"
    ADMIN = "admin"
    SUBSCRIBER = "subscriber"


class ApiToken(TimestampMixin, Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        sa.String(200), unique=True
    )  # names one token, revoked or not
    role: Mapped[TokenRole] = mapped_column(
        sa.Enum(
            TokenRole, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        )
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        return self.revoked_at is None
