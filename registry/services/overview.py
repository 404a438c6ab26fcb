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

from registry.models import Batch, Certificate, CertificateStatus, Result, Vendor, Verdict
from registry.services.search import BatchFilters, search_batches
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
    """Four counts, each one indexed count (failing: distinct batches of fail verdicts)."""
    failing = sa.select(Verdict.batch_id).where(Verdict.status == "fail").distinct().subquery()
    return Counts(
        batches=session.scalar(sa.select(sa.func.count()).select_from(Batch)) or 0,
        vendors=session.scalar(sa.select(sa.func.count()).select_from(Vendor)) or 0,
        certificates=session.scalar(sa.select(sa.func.count()).select_from(Certificate)) or 0,
        failing_any=session.scalar(sa.select(sa.func.count()).select_from(failing)) or 0,
    )


@dataclass(frozen=True)
class Point:
    """One batch's figure on a chart: when it was tested, its lot and the value."""

    tested: date
    lot: str
    batch_id: int
    value: float


def vendor_trends(session: Session, vendor_id: int, *, limit: int = 200) -> dict[str, list[Point]]:
    """The vendor's latest ``limit`` dated batches as two series, oldest first:
    ``lead`` (µg/g as stored, canonical) and ``seven_oh_share`` (7-OH as a percentage of
    the total alkaloids, or of the printed alkaloids' sum when no total is printed, as
    the ratio rules compute it). Batches without the figure are left out of a series."""
    recent = (sa.select(Batch.id).where(Batch.vendor_id == vendor_id, Batch.tested.is_not(None))
              .order_by(Batch.tested.desc(), Batch.id.desc()).limit(limit).subquery())
    rows = session.execute(
        sa.select(Result.batch_id, Batch.lot, Batch.tested, Result.analyte, Result.value, Result.unit,
                  Certificate.tested, Certificate.id)
        .join(Certificate, Certificate.id == Result.certificate_id)
        .join(Batch, Batch.id == Result.batch_id)
        .where(Result.batch_id.in_(sa.select(recent.c.id)),
               Result.analyte.in_(["lead", *_SHARE_PARTS]),
               Certificate.status != CertificateStatus.UNREADABLE)
        .order_by(Result.batch_id, Certificate.tested.desc().nulls_last(), Certificate.id.desc())).all()
    per_batch: dict[int, dict[str, Any]] = {}
    for batch_id, lot, tested, code, value, unit, _ctested, _cid in rows:
        entry = per_batch.setdefault(batch_id, {"lot": lot, "tested": tested, "values": {}})
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


def box_filters(text: str | None, base: BatchFilters, session: Session, *, profile: str) -> BatchFilters:
    """The filters for the one search box (vendor, lot or product): a lot-like word is
    tried as a lot first (any dashes, dots, spaces or case), and as words of the
    vendor, lot, product and lab when no lot starts with it."""
    text = (text or "").strip()
    if not text:
        return base
    if looks_like_lot(text):
        as_lot = replace(base, lot=text)
        if search_batches(session, as_lot, profile=profile, page=1, per_page=1).total:
            return as_lot
    return replace(base, q=text)
