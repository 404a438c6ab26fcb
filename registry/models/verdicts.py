"""Threshold profiles (versioned), verdicts per batch and profile, their history, and
the outbox of events that alert workers consume."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class ProfileVersion(Base):
    """One version of a threshold profile. The newest version of a code is current."""

    __tablename__ = "profiles"
    __table_args__ = (
        sa.UniqueConstraint("code", "version"),
        # At most one current version per code, even when two admins save at once.
        sa.Index(
            "ix_profiles_code_current",
            "code",
            unique=True,
            postgresql_where=sa.text("current"),
            sqlite_where=sa.text("current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(80), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(300))
    jurisdiction: Mapped[str | None] = mapped_column(sa.String(200))
    effective: Mapped[date | None]
    digest: Mapped[str] = mapped_column(sa.String(64))
    definition: Mapped[dict[str, Any]]
    shipped: Mapped[bool] = mapped_column(default=True)
    current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When every stored batch had been judged under this version (its re-judge job
    # finished). Verdicts that this version left unchanged keep the version that last
    # changed them; from then on they count as judged under this one too.
    judged_at: Mapped[datetime | None]


class VerdictRecord(Base):
    """The current judgement of one batch under one profile."""

    __tablename__ = "verdicts"
    __table_args__ = (
        sa.UniqueConstraint("batch_id", "profile_code"),
        sa.Index("ix_verdicts_profile_code_status_batch_id", "profile_code", "status", "batch_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id", ondelete="CASCADE"))
    profile_code: Mapped[str] = mapped_column(sa.String(80))
    profile_version: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20))
    detail: Mapped[dict[str, Any]]  # the contract's verdict JSON
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
    failing_since: Mapped[datetime | None]


class VerdictChange(Base):
    """History: every change of a batch's status under a profile."""

    __tablename__ = "verdict_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="CASCADE"), index=True
    )
    profile_code: Mapped[str] = mapped_column(sa.String(80))
    profile_version: Mapped[int]
    old_status: Mapped[str | None] = mapped_column(sa.String(20))
    new_status: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEvent(Base):
    """An event written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_events"
    # The feed and the fan-out read one event type under one profile, newest first.
    __table_args__ = (
        sa.Index("ix_outbox_events_type_profile_code_id", "type", "profile_code", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(60))
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("batches.id", ondelete="SET NULL"))
    profile_code: Mapped[str | None] = mapped_column(sa.String(80))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(index=True)
