"""Judging batches against threshold profiles (filled in with registry.thresholds)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import Batch, Verdict


def judge_batch(session: Session, batch: Batch) -> None:
    """Placeholder until the threshold engine lands (issue 4)."""


def for_batch(session: Session, batch_id: int) -> list[dict[str, Any]]:
    """The batch's current verdict under each profile, in the contract's shape."""
    rows = session.scalars(sa.select(Verdict).where(Verdict.batch_id == batch_id)
                           .order_by(Verdict.profile_code))
    return [{**v.detail, "profile": v.profile_code, "profile_version": v.profile_version,
             "status": v.status, "evaluated_at": v.evaluated_at,
             "failing_since": v.failing_since} for v in rows]


def latest_results(certs: list[Any]) -> list[Any]:
    """The result of each analyte from the batch's latest certificate that has one.

    ``certs`` come newest first (test date, then id); a later certificate's value of
    an analyte replaces an earlier one's, and analytes only an older certificate
    tested are kept from it.
    """
    seen: dict[str, Any] = {}
    for cert in certs:
        if cert.status.value == "unreadable":
            continue
        for result in cert.results:
            seen.setdefault(result.analyte, result)
    return list(seen.values())
