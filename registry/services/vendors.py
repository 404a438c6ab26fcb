"""Vendors with how many batches they have and how many fail."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import Batch, Vendor, VendorAlias, VerdictRecord
from registry.services.catalog import vendor_by_slug
from registry.services.names import name_key
from registry.services.search import SearchPage


def _counts(profile: str) -> sa.Select[int, str, str, int, int]:
    failing = sa.func.count(VerdictRecord.id).filter(VerdictRecord.status == "fail")
    return (
        sa.select(
            Vendor.id,
            Vendor.slug,
            Vendor.name,
            sa.func.count(Batch.id).label("batches"),
            failing.label("failing"),
        )
        .outerjoin(Batch, Batch.vendor_id == Vendor.id)
        .outerjoin(
            VerdictRecord,
            sa.and_(VerdictRecord.batch_id == Batch.id, VerdictRecord.profile_code == profile),
        )
        .group_by(Vendor.id, Vendor.slug, Vendor.name)
    )


def _aliases(session: Session, vendor_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in vendor_ids}
    rows = session.execute(
        sa.select(VendorAlias.vendor_id, VendorAlias.alias)
        .where(VendorAlias.vendor_id.in_(vendor_ids))
        .order_by(VendorAlias.id)
    )
    for vendor_id, alias in rows:
        out[vendor_id].append(alias)
    return out


def _items(session: Session, rows: list[Any], profile: str) -> list[dict[str, Any]]:
    aliases = _aliases(session, [r.id for r in rows])
    return [
        {
            "slug": r.slug,
            "name": r.name,
            "aliases": aliases[r.id],
            "batches": r.batches,
            "failing": r.failing,
            "profile": profile,
        }
        for r in rows
    ]


def list_vendors(
    session: Session, *, q: str | None, profile: str, page: int, per_page: int
) -> SearchPage:
    """Vendors by name; ``q`` matches any part of any spelling, whole spellings first."""
    stmt = _counts(profile)
    order: list[Any] = [Vendor.name, Vendor.id]
    if q:
        key = name_key(q)
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            Vendor.id.in_(
                sa.select(VendorAlias.vendor_id).where(
                    VendorAlias.key.like("%" + escaped + "%", escape="\\")
                )
            )
        )
        whole = Vendor.id.in_(sa.select(VendorAlias.vendor_id).where(VendorAlias.key == key))
        order = [sa.case((whole, 0), else_=1), *order]
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return SearchPage(_items(session, list(rows), profile), total, page, per_page)


def get_vendor(session: Session, slug: str, *, profile: str) -> dict[str, Any]:
    vendor = vendor_by_slug(session, slug)
    row = session.execute(_counts(profile).where(Vendor.id == vendor.id)).one()
    return _items(session, [row], profile)[0]


def page_figures(session: Session, slug: str, *, profile: str) -> tuple[dict[str, Any], int, int]:
    """What a vendor's page heads with: the vendor as :func:`get_vendor` gives it, its
    id, and how many of its batches fail under at least one profile. One pass over the
    vendor's batches (by their ``(vendor_id, ...)`` index) counts all three figures, each
    batch probed in ``verdicts`` by its ``(batch_id, profile_code)`` key."""
    vendor = vendor_by_slug(session, slug)

    def fails(*where: Any) -> Any:
        return (
            sa.select(sa.literal_column("1"))
            .select_from(VerdictRecord)
            .where(VerdictRecord.batch_id == Batch.id, VerdictRecord.status == "fail", *where)
            .exists()
        )

    count = sa.func.count(Batch.id)
    total, failing, failing_any = session.execute(
        sa.select(
            count, count.filter(fails(VerdictRecord.profile_code == profile)), count.filter(fails())
        ).where(Batch.vendor_id == vendor.id)
    ).one()
    item = {
        "slug": vendor.slug,
        "name": vendor.name,
        "aliases": _aliases(session, [vendor.id])[vendor.id],
        "batches": total,
        "failing": failing,
        "profile": profile,
    }
    return item, vendor.id, failing_any
