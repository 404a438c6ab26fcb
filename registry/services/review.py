"""Certificates listed for people who check them: the review queue (what the parser was
unsure of, or could not read, oldest first, with the reason) and the certificate list
of ``GET /api/v1/certificates`` (filters: status, vendor, lab, uploaded dates).

Read-only; the queue is the list with ``status`` in ``needs_review``/``unreadable``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from registry.db import utcnow
from registry.models import ApiToken, Batch, Certificate, CertificateStatus, Lab, TokenRole
from registry.services.names import name_key
from registry.services.search import SearchPage, vendor_ids

QUEUE_STATUSES = (CertificateStatus.NEEDS_REVIEW, CertificateStatus.UNREADABLE)
REVIEWER_ROLES = (TokenRole.UPLOADER, TokenRole.ADMIN)


@dataclass(frozen=True)
class CertificateFilters:
    status: tuple[CertificateStatus, ...] = ()
    vendor: str | None = None
    lab: str | None = None
    uploaded_after: date | None = None
    uploaded_before: date | None = None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=utcnow().tzinfo)


def list_certificates(
    session: Session, f: CertificateFilters, *, page: int, per_page: int, oldest_first: bool = False
) -> SearchPage:
    """Certificates matching ``f``, newest upload first (oldest first for the queue)."""
    where: list[sa.ColumnElement[bool]] = []
    if f.status:
        where.append(Certificate.status.in_(f.status))
    if f.vendor:
        ids = vendor_ids(session.connection(), f.vendor)
        if not ids:
            return SearchPage([], 0, page, per_page)
        where.append(Certificate.batch_id.in_(sa.select(Batch.id).where(Batch.vendor_id.in_(ids))))
    if f.lab:
        escaped = name_key(f.lab).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(
            Certificate.lab_id.in_(
                sa.select(Lab.id).where(Lab.key.like(f"%{escaped}%", escape="\\"))
            )
        )
    if f.uploaded_after:
        where.append(Certificate.uploaded_at >= _midnight(f.uploaded_after))
    if f.uploaded_before:  # the whole day
        where.append(Certificate.uploaded_at < _midnight(f.uploaded_before + timedelta(days=1)))
    total = session.scalar(sa.select(sa.func.count()).select_from(Certificate).where(*where)) or 0
    order = (
        (Certificate.uploaded_at.asc(), Certificate.id.asc())
        if oldest_first
        else (Certificate.uploaded_at.desc(), Certificate.id.desc())
    )
    rows = (
        session.scalars(
            sa.select(Certificate)
            .where(*where)
            .order_by(*order)
            .options(
                joinedload(Certificate.lab),
                joinedload(Certificate.batch).joinedload(Batch.vendor),
                joinedload(Certificate.batch).joinedload(Batch.product),
            )
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .unique()
        .all()
    )
    return SearchPage([summary(c) for c in rows], total, page, per_page)


def queue(session: Session, *, page: int = 1, per_page: int = 50) -> SearchPage:
    """What waits for a person: unsure or unreadable certificates, oldest first."""
    return list_certificates(
        session,
        CertificateFilters(status=QUEUE_STATUSES),
        page=page,
        per_page=per_page,
        oldest_first=True,
    )


def summary(cert: Certificate) -> dict[str, Any]:
    batch = cert.batch
    return {
        "id": cert.id,
        "status": cert.status.value,
        "status_reason": cert.status_reason,
        "filename": cert.filename,
        "uploaded_at": cert.uploaded_at,
        "tested": cert.tested,
        "report_number": cert.report_number,
        "pages": cert.pages,
        "layout": cert.layout,
        "warnings": list(cert.warnings or []),
        "lab": cert.lab.name if cert.lab else None,
        "batch_id": batch.id if batch else None,
        "lot": batch.lot if batch else None,
        "vendor": batch.vendor.name if batch else None,
        "vendor_slug": batch.vendor.slug if batch else None,
        "product": batch.product.name if batch and batch.product else None,
    }


def reviewer(session: Session, token_id: int | None) -> ApiToken | None:
    """The signed-in reviewer's token while it is active and may review; else None
    (a revoked token ends its sessions at their next request)."""
    if token_id is None:
        return None
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None or token.role not in REVIEWER_ROLES:
        return None
    return token
