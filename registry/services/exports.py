"""Result rows for ``GET /api/v1/results``: one row per result that a batch is judged
on, with its batch, lab and test date, and its limit and verdict under one profile.

Batches come in the order of the batch search (``search.iter_batches``: newest test
first, undated last); within a batch, results in the order they were read. A batch's
results are the latest of each analyte (``verdicts.latest_results``: the newest
readable certificate's). Reads only: the caller validates the filters first (so that an
export refuses bad input before its first byte).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import thresholds
from registry.models import Certificate, CertificateStatus, Lab, Result, VerdictRecord
from registry.services import profiles, search

#: Batches whose results are read in one statement.
CHUNK = 500
#: The columns of a result row, in the CSV's order.
COLUMNS = (
    "batch_id",
    "vendor",
    "vendor_slug",
    "product",
    "lot",
    "lab",
    "tested",
    "certificate_id",
    "analyte",
    "category",
    "value",
    "unit",
    "qualifier",
    "loq",
    "printed_value",
    "printed_unit",
    "limit",
    "limit_unit",
    "verdict",
    "rule_id",
    "profile",
)
#: A result's verdict under the profile: the rule entry lists it is found in, worst first.
_ENTRY_LISTS = (("failures", "fail"), ("warnings", "warning"), ("inconclusive", "inconclusive"))


@dataclass(frozen=True, slots=True)
class _Judge:
    """What a profile says about each analyte: its rules, and the batches' verdicts."""

    code: str
    rules: dict[str, list[thresholds.Rule]]

    @classmethod
    def of(cls, session: Session, code: str) -> _Judge:
        profile = profiles.compiled(profiles.get_current(session, code))
        rules: dict[str, list[thresholds.Rule]] = {}
        for rule in profile.rules:
            if rule.analyte is not None and rule.kind != "required":
                rules.setdefault(rule.analyte, []).append(rule)
        return cls(code, rules)

    def judge(self, analyte: str, detail: dict[str, Any] | None) -> dict[str, Any]:
        """``limit``, ``limit_unit``, ``verdict`` and ``rule_id`` of one result."""
        rules = self.rules.get(analyte, [])
        if detail is not None:
            for key, word in _ENTRY_LISTS:
                for entry in detail.get(key) or ():
                    if entry.get("analyte") == analyte:
                        rule = next((r for r in rules if r.id == entry.get("rule_id")), None)
                        return {
                            "limit": entry.get("limit"),
                            "limit_unit": rule.unit if rule else None,
                            "verdict": word,
                            "rule_id": entry.get("rule_id"),
                        }
        if not rules:
            return {"limit": None, "limit_unit": None, "verdict": None, "rule_id": None}
        passed = set(detail.get("passed") or ()) if detail else set()
        outside = set(detail.get("not_applicable") or ()) if detail else set()
        rule = next((r for r in rules if r.id in passed), None) or rules[0]
        verdict = "pass" if rule.id in passed else "not_applicable" if rule.id in outside else None
        return {
            "limit": rule.limit,
            "limit_unit": rule.unit,
            "verdict": verdict,
            "rule_id": rule.id,
        }


def judge_profile(session: Session, asked: str | None, default: str) -> str:
    """The profile whose limits and verdicts the rows show: the one asked for, or the
    default one (also under ``profile=any``, which only widens the status filter)."""
    return default if asked in (None, search.ANY_PROFILE) else asked


def result_rows(
    session: Session, batches: Iterable[dict[str, Any]], *, profile: str
) -> Iterator[dict[str, Any]]:
    """The result rows of ``batches`` (search items, in their order) under ``profile``.
    An unknown profile raises ``NotFound`` here, before the first row (an export's
    answer has not begun)."""
    return _rows(session, iter(batches), _Judge.of(session, profile), profile)


def _rows(
    session: Session, batches: Iterator[dict[str, Any]], judge: _Judge, profile: str
) -> Iterator[dict[str, Any]]:
    while chunk := list(islice(batches, CHUNK)):
        ids = [b["id"] for b in chunk]
        results = _latest(session, ids)
        details: dict[int, dict[str, Any]] = dict(
            session.execute(
                sa.select(VerdictRecord.batch_id, VerdictRecord.detail).where(
                    VerdictRecord.batch_id.in_(ids), VerdictRecord.profile_code == profile
                )
            ).all()
        )
        for batch in chunk:
            for result, lab, tested in results.get(batch["id"], ()):
                yield {
                    "batch_id": batch["id"],
                    "vendor": batch["vendor"],
                    "vendor_slug": batch["vendor_slug"],
                    "product": batch["product"],
                    "lot": batch["lot"],
                    "lab": lab,
                    "tested": tested,
                    "certificate_id": result.certificate_id,
                    "analyte": result.analyte,
                    "category": result.category,
                    "value": result.value,
                    "unit": result.unit,
                    "qualifier": result.qualifier,
                    "loq": result.loq,
                    "printed_value": result.printed_value,
                    "printed_unit": result.printed_unit,
                    **judge.judge(result.analyte, details.get(batch["id"])),
                    "profile": profile,
                }


def _latest(
    session: Session, batch_ids: list[int]
) -> dict[int, list[tuple[Result, str | None, Any]]]:
    """Each batch's latest result of each analyte, with its certificate's lab and test
    date: certificates newest first (test date, undated last, then id), as
    ``verdicts.latest_results`` ranks them."""
    rows = session.execute(
        sa.select(Certificate.batch_id, Result, Lab.name, Certificate.tested)
        .join(Certificate, Certificate.id == Result.certificate_id)
        .outerjoin(Lab, Lab.id == Certificate.lab_id)
        .where(
            Certificate.batch_id.in_(batch_ids), Certificate.status != CertificateStatus.UNREADABLE
        )
        .order_by(
            Certificate.batch_id,
            Certificate.tested.desc().nulls_last(),
            Certificate.id.desc(),
            Result.id,
        )
    ).all()
    seen: dict[int, dict[str, tuple[Result, str | None, Any]]] = {}
    for batch_id, result, lab, tested in rows:
        seen.setdefault(batch_id or 0, {}).setdefault(result.analyte, (result, lab, tested))
    return {batch_id: list(found.values()) for batch_id, found in seen.items()}
