"""Certificates (one uploaded COA PDF each) and the results parsed from them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, utcnow
from registry.models.catalog import Batch, Lab


class CertificateStatus(enum.StrEnum):
    PROCESSING = "processing"  # stored and recorded; its parse job has not finished yet
    PARSED = "parsed"
    NEEDS_REVIEW = "needs_review"
    UNREADABLE = "unreadable"


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size_bytes: Mapped[int]
    filename: Mapped[str | None] = mapped_column(sa.String(500))
    batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="SET NULL"), index=True
    )
    lab_id: Mapped[int | None] = mapped_column(sa.ForeignKey("labs.id"), index=True)
    report_number: Mapped[str | None] = mapped_column(sa.String(200))
    sample_id: Mapped[str | None] = mapped_column(sa.String(200))
    received: Mapped[date | None]
    tested: Mapped[date | None] = mapped_column(index=True)
    reported: Mapped[date | None]
    status: Mapped[CertificateStatus] = mapped_column(
        sa.Enum(
            CertificateStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        index=True,
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    layout: Mapped[str | None] = mapped_column(sa.String(100))
    parser_version: Mapped[str | None] = mapped_column(sa.String(40))
    pages: Mapped[int | None]
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    document: Mapped[dict[str, Any] | None]
    # What the uploader said beside the file (vendor, product, batch, form, serving):
    # kept so that a parse job (now, or a re-parse later) applies it to what the PDF says.
    overrides: Mapped[dict[str, Any] | None]
    uploader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_tokens.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    batch: Mapped[Batch | None] = relationship()
    lab: Mapped[Lab | None] = relationship()
    results: Mapped[list[Result]] = relationship(
        back_populates="certificate", cascade="all, delete-orphan", order_by="Result.id"
    )


class Result(Base):
    """One analyte value in canonical units, traced to its page and printed text."""

    __tablename__ = "results"
    __table_args__ = (
        sa.Index("ix_results_batch_id_analyte", "batch_id", "analyte"),
        sa.Index("ix_results_analyte_batch_id", "analyte", "batch_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificates.id", ondelete="CASCADE"), index=True
    )
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("batches.id", ondelete="CASCADE"))
    analyte: Mapped[str] = mapped_column(sa.String(60))
    category: Mapped[str] = mapped_column(sa.String(30))
    value: Mapped[float | None]
    unit: Mapped[str | None] = mapped_column(sa.String(30))
    qualifier: Mapped[str] = mapped_column(sa.String(20))
    loq: Mapped[float | None]
    uncertainty: Mapped[float | None]  # expanded uncertainty U as printed (``± U``)
    printed_value: Mapped[float | None]  # ``value`` in the unit the COA printed
    printed_unit: Mapped[str | None] = mapped_column(sa.String(30))
    lab_status: Mapped[str | None] = mapped_column(sa.String(10))
    page: Mapped[int | None]
    raw: Mapped[str] = mapped_column(sa.Text, default="")
    bbox: Mapped[list[Any] | None]

    certificate: Mapped[Certificate] = relationship(back_populates="results")
    batch: Mapped[Batch | None] = relationship()
