"""Finding batches: the filters of ``GET /api/v1/batches`` as one SQL statement.

Every filter is an indexed predicate on ``batches`` or a correlated ``EXISTS`` on an
index (results by batch and analyte, certificates by batch); the verdict under the
asked profile is one outer join on ``(batch_id, profile_code)``. Free text ``q``
matches every word against ``batches.search_text`` (vendor, lot, product, labs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from registry.models import Batch, Certificate, Lab, Product, Result, Vendor, VendorAlias, Verdict
from registry.services.names import lot_key, name_key


@dataclass(frozen=True)
class BatchFilters:
    vendor: str | None = None
    lot: str | None = None
    product: str | None = None
    lab: str | None = None
    status: str | None = None
    analyte: str | None = None
    profile: str | None = None
    q: str | None = None
    tested_after: date | None = None
    tested_before: date | None = None


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _statement(f: BatchFilters, profile: str) -> sa.Select[Any]:
    verdict = aliased(Verdict)
    stmt = (
        sa.select(Batch.id, Vendor.name.label("vendor"), Vendor.slug.label("vendor_slug"),
                  Product.name.label("product"), Batch.lot, verdict.status, Batch.tested)
        .join(Vendor, Vendor.id == Batch.vendor_id)
        .outerjoin(Product, Product.id == Batch.product_id)
        .outerjoin(verdict, sa.and_(verdict.batch_id == Batch.id, verdict.profile_code == profile))
    )
    for clause in _where(f, verdict):
        stmt = stmt.where(clause)
    return stmt


def _where(f: BatchFilters, verdict: Any) -> Iterator[sa.ColumnElement[bool]]:
    if f.vendor:
        key = name_key(f.vendor)
        yield Batch.vendor_id.in_(
            sa.select(VendorAlias.vendor_id).where(VendorAlias.key == key)
            .union(sa.select(Vendor.id).where(Vendor.slug == f.vendor.strip().lower()))
        )
    if f.lot:
        yield Batch.lot_key.like(_like_escape(lot_key(f.lot)) + "%", escape="\\")
    if f.product:
        yield Product.key.like("%" + _like_escape(name_key(f.product)) + "%", escape="\\")
    if f.lab:
        yield sa.exists().where(
            Certificate.batch_id == Batch.id, Certificate.lab_id == Lab.id,
            Lab.key.like("%" + _like_escape(name_key(f.lab)) + "%", escape="\\"))
    if f.status:
        yield verdict.status == f.status
    if f.analyte:
        yield sa.exists().where(Result.batch_id == Batch.id, Result.analyte == f.analyte)
    if f.tested_after:
        yield Batch.tested >= f.tested_after
    if f.tested_before:
        yield Batch.tested <= f.tested_before
    for word in (f.q or "").casefold().split():
        yield Batch.search_text.like("%" + _like_escape(word) + "%", escape="\\")


def _item(row: Any, profile: str) -> dict[str, Any]:
    return {"id": row.id, "vendor": row.vendor, "vendor_slug": row.vendor_slug,
            "product": row.product, "lot": row.lot, "status": row.status,
            "tested": row.tested, "profile": profile}


def search_batches(session: Session, f: BatchFilters, *, profile: str, page: int,
                   per_page: int) -> Page:
    stmt = _statement(f, profile)
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Batch.tested.desc().nulls_last(), Batch.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    )
    return Page([_item(r, profile) for r in rows], total, page, per_page)


def iter_batches(session: Session, f: BatchFilters, *, profile: str,
                 chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """Every matching batch, streamed in keyset-paginated chunks (for exports)."""
    last_id: int | None = None
    base = _statement(f, profile).order_by(Batch.id.desc())
    while True:
        stmt = base if last_id is None else base.where(Batch.id < last_id)
        rows = session.execute(stmt.limit(chunk)).all()
        if not rows:
            return
        for row in rows:
            yield _item(row, profile)
        last_id = rows[-1].id
