"""What the public pages show beside a search: the registry's counts and a vendor's
figures over time (lead, and 7-OH as a share of the alkaloids).

Read-only, like the search it sits beside; views render what these return.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import (
    Batch,
    Certificate,
    CertificateStatus,
    Product,
    ProfileVersion,
    Result,
    Vendor,
    VerdictRecord,
)
from registry.services.search import ANY_PROFILE, BatchFilters, SearchPage, search_batches
from registry.thresholds.analytes import ALKALOIDS, ANALYTES

SEVEN_OH = "7_hydroxymitragynine"
_SHARE_PARTS = frozenset((*ALKALOIDS, "total_alkaloids"))


@dataclass(frozen=True)
class Counts:
    batches: int
    vendors: int
    certificates: int
    failing_any: int  # batches failing under at least one profile


def counts(session: Session) -> Counts:
    """Four counts. Failing batches are read per profile code from the
    ``(profile_code, status, batch_id)`` index (only the fail entries, not every
    verdict): the codes are those of the stored profiles, which every verdict names."""
    codes = sa.select(ProfileVersion.code).distinct().scalar_subquery()
    failing = (
        sa.select(VerdictRecord.batch_id)
        .where(VerdictRecord.profile_code.in_(codes), VerdictRecord.status == "fail")
        .distinct()
        .subquery()
    )
    return Counts(
        batches=session.scalar(sa.select(sa.func.count()).select_from(Batch)) or 0,
        vendors=session.scalar(sa.select(sa.func.count()).select_from(Vendor)) or 0,
        certificates=session.scalar(sa.select(sa.func.count()).select_from(Certificate)) or 0,
        failing_any=session.scalar(sa.select(sa.func.count()).select_from(failing)) or 0,
    )


def latest_failing(session: Session, limit: int = 10) -> list[dict[str, Any]]:
    """The latest-tested (dated) batches failing under at least one profile, in the search's
    item shape (``status`` = worst, ``failing_profiles``), without counting them all:
    the ``(tested, id)`` index is walked backwards, a probe per batch, until ``limit``
    are found."""
    fails = (
        sa.select(sa.literal_column("1"))
        .select_from(VerdictRecord)
        .where(VerdictRecord.batch_id == Batch.id, VerdictRecord.status == "fail")
        .exists()
    )
    ids = list(
        session.scalars(
            sa.select(Batch.id)
            .where(Batch.tested.is_not(None), fails)
            .order_by(Batch.tested.desc(), Batch.id.desc())
            .limit(limit)
        )
    )
    if not ids:
        return []
    rows = session.execute(
        sa.select(Batch.id, Vendor.name, Vendor.slug, Product.name, Batch.lot, Batch.tested)
        .join(Vendor, Vendor.id == Batch.vendor_id)
        .outerjoin(Product, Product.id == Batch.product_id)
        .where(Batch.id.in_(ids))
    ).all()
    statuses: dict[int, list[tuple[str, str]]] = {}
    for batch_id, code, status in session.execute(
        sa.select(VerdictRecord.batch_id, VerdictRecord.profile_code, VerdictRecord.status).where(
            VerdictRecord.batch_id.in_(ids)
        )
    ):
        statuses.setdefault(batch_id, []).append((code, status))
    by_id = {r[0]: r for r in rows}
    out = []
    for batch_id in ids:
        _id, vendor, slug, product, lot, tested = by_id[batch_id]
        failing = sorted(code for code, status in statuses.get(batch_id, []) if status == "fail")
        out.append(
            {
                "id": batch_id,
                "vendor": vendor,
                "vendor_slug": slug,
                "product": product,
                "lot": lot,
                "tested": date.fromisoformat(tested) if isinstance(tested, str) else tested,
                "status": "fail",
                "worst_status": "fail",
                "failing_profiles": failing,
                "profile": ANY_PROFILE,
            }
        )
    return out


@dataclass(frozen=True)
class Point:
    """One batch's figure on a chart: when it was tested, its lot and the value."""

    tested: date
    lot: str
    batch_id: int
    value: float


#: Batches a vendor's charts show: the latest, a point each (640 px wide: 6 px apart).
TREND_BATCHES = 100


def vendor_trends(
    session: Session, vendor_id: int, *, limit: int = TREND_BATCHES
) -> dict[str, list[Point]]:
    """The vendor's latest ``limit`` dated batches as two series, oldest first:
    ``lead`` (µg/g as stored, canonical) and ``seven_oh_share`` (7-OH as a percentage of
    the total alkaloids, or of the printed alkaloids' sum when no total is printed, as
    the ratio rules compute it). Batches without the figure are left out of a series."""
    # One statement: the latest batches (the (vendor_id, tested, id) index, read
    # backwards) joined to their results (the (batch_id, analyte) index answers each;
    # certificates by their key). A batch without any of the figures has no row, and
    # would be left out of both series anyway.
    latest = (
        sa.select(Batch.id, Batch.lot, Batch.tested)
        .where(Batch.vendor_id == vendor_id, Batch.tested.is_not(None))
        .order_by(Batch.tested.desc(), Batch.id.desc())
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            latest.c.id, latest.c.lot, latest.c.tested, Result.analyte, Result.value, Result.unit
        )
        .join(Result, Result.batch_id == latest.c.id)
        .join(Certificate, Certificate.id == Result.certificate_id)
        .where(
            Result.analyte.in_(["lead", *sorted(_SHARE_PARTS)]),
            Certificate.status != CertificateStatus.UNREADABLE,
        )
        .order_by(latest.c.id, Certificate.tested.desc(), Certificate.id.desc())
    ).all()
    per_batch: dict[int, dict[str, Any]] = {}
    for batch_id, lot, tested, code, value, unit in rows:
        entry = per_batch.get(batch_id)
        if entry is None:
            entry = per_batch[batch_id] = {"lot": lot, "tested": tested, "values": {}}
        if value is None or unit != ANALYTES[code].unit:
            continue
        entry["values"].setdefault(code, float(value))  # newest certificate first
    lead: list[Point] = []
    share: list[Point] = []
    for batch_id, entry in per_batch.items():
        values, tested = entry["values"], entry["tested"]
        if isinstance(tested, str):
            tested = date.fromisoformat(tested)
        if "lead" in values:
            lead.append(Point(tested, entry["lot"], batch_id, values["lead"]))
        ratio = seven_oh_share(values)
        if ratio is not None:
            share.append(Point(tested, entry["lot"], batch_id, ratio))
    order = lambda p: (p.tested, p.batch_id)  # noqa: E731
    return {"lead": sorted(lead, key=order), "seven_oh_share": sorted(share, key=order)}


def seven_oh_share(values: dict[str, float]) -> float | None:
    """7-OH as a percentage of the total alkaloids (or of the printed alkaloids' sum)."""
    seven = values.get(SEVEN_OH)
    if seven is None:
        return None
    total = values.get("total_alkaloids")
    if total is None:
        if "mitragynine" not in values:
            return None
        total = sum(v for k, v in values.items() if k in ALKALOIDS)
    return round(seven / total * 100.0, 3) if total > 0 else None


def looks_like_lot(text: str) -> bool:
    """A few words with a digit in them: what people copy from a bag (``RB-2024-0117``,
    ``rb 2024 0117``); lots ignore spaces, dashes, dots and case."""
    return len(text) <= 60 and len(text.split()) <= 4 and any(ch.isdigit() for ch in text)


def box_search(
    session: Session,
    text: str | None,
    base: BatchFilters,
    *,
    profile: str,
    page: int,
    per_page: int,
    oldest: bool = False,
) -> tuple[BatchFilters, SearchPage]:
    """The one search box (vendor, lot or product): a lot-like text is searched as a lot
    first (any dashes, dots, spaces or case), and as words of the vendor, lot, product
    and lab when no lot starts with it. Returns the filters used and their page."""
    text = (text or "").strip()
    if text and looks_like_lot(text):
        as_lot = replace(base, lot=text)
        found = search_batches(
            session, as_lot, profile=profile, page=page, per_page=per_page, oldest=oldest
        )
        if found.total:
            return as_lot, found
    filters = replace(base, q=text) if text else base
    return filters, search_batches(
        session, filters, profile=profile, page=page, per_page=per_page, oldest=oldest
    )
