"""Judging batches under the threshold profiles, keeping each verdict's history and
writing the events that alerts consume.

One code path judges one batch after an upload and a hundred thousand after a profile
change: :func:`judge_batches` reads the results of a chunk of batches in one query,
evaluates each batch under each profile given (``registry.thresholds``, pure), and
writes only what changed:

* a verdict row per batch and profile (status, the verdict's details as JSON,
  ``failing_since``), inserted or updated;
* a ``verdict_changes`` row whenever the status changes (the first verdict included),
  with the profile version that made the change;
* an outbox event ``batch.failed`` when a batch starts failing under a profile and
  ``batch.recovered`` when it stops, in the same transaction.

Which results count: every result of the batch's certificates that could be read;
the engine keeps the latest result of each analyte (latest test date, then latest
upload), see ``registry.thresholds.evaluate``. The product's serving size, when
recorded, feeds the exposure and per-serving rules.

Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import thresholds
from registry.config import json_dumps
from registry.db import utcnow
from registry.models import (
    Batch,
    Certificate,
    CertificateStatus,
    OutboxEvent,
    Product,
    ProfileVersion,
    Result,
    Vendor,
    VerdictChange,
    VerdictRecord,
)
from registry.services import printed, search_summary
from registry.services import profiles as profile_store
from registry.thresholds.changes import RulePair

FAILED, RECOVERED = "batch.failed", "batch.recovered"
_MISS: Any = object()

_verdicts = cast(sa.Table, VerdictRecord.__table__)
_changes = cast(sa.Table, VerdictChange.__table__)
_outbox = cast(sa.Table, OutboxEvent.__table__)


@dataclass
class JudgeReport:
    """What a round of judging did."""

    batches: int = 0
    written: int = 0  # verdict rows inserted or updated
    changed: int = 0  # status changes (verdict_changes rows)
    events: dict[str, int] = field(default_factory=lambda: {FAILED: 0, RECOVERED: 0})


def judge_batch(
    session: Session, batch: Batch, *, certificate_id: int | None = None
) -> JudgeReport:
    """Judge one batch under every current profile (after an upload)."""
    session.flush()
    return judge_batches(
        session, [batch.id], profile_store.list_current(session), certificate_id=certificate_id
    )


def judge_product(session: Session, product_id: int, *, skip: int | None = None) -> JudgeReport:
    """Judge again every batch of a product whose form or intake changed (an uploader
    said what the label says), under every current profile."""
    session.flush()
    ids = [
        b
        for b in session.scalars(
            sa.select(Batch.id).where(Batch.product_id == product_id).order_by(Batch.id)
        )
        if b != skip
    ]
    return judge_batches(session, ids, profile_store.list_current(session))


def judge_batches(
    session: Session,
    batch_ids: Sequence[int],
    profiles: Sequence[ProfileVersion],
    *,
    certificate_id: int | None = None,
    now: datetime | None = None,
    restamp: bool = True,
    previous: Mapping[str, ProfileVersion] | None = None,
) -> JudgeReport:
    """Judge ``batch_ids`` under each of ``profiles`` (stored versions) and write changes.

    ``certificate_id`` names the certificate that prompted the judgement in events;
    without it, events name the batch's latest certificate. A verdict that a newer
    profile version leaves unchanged is stamped with that version when ``restamp``;
    a re-judgement of every batch leaves such rows alone (rewriting every row would
    cost more than judging them) and marks the version judged when it ends
    (``ProfileVersion.judged_at``, read by :func:`for_batch`).

    ``previous`` maps a profile code to the version the stored verdicts hold under
    (every batch judged under it). Where the new version only changed some rules in
    place, a batch on which those rules conclude as before keeps its verdict without a
    full evaluation (``thresholds.rule_changes``): a new limit for lead costs two rule
    checks a batch, not the whole profile.
    """
    report = JudgeReport(batches=len(batch_ids))
    plan = _plan(session, batch_ids, profiles, previous)
    if plan is None:
        if not profiles:
            # Nothing to judge under, but the batches' analytes and categories are still
            # searchable (their results changed, or they would not be judged).
            _write_search_summary(session, batch_ids)
        return report
    now = now or utcnow()
    writes = _evaluate(plan, now=now, restamp=restamp)
    _write(session, writes, plan, report, certificate_id=certificate_id, now=now)
    return report


@dataclass
class _Plan:
    """What a round of judging reads: the profiles' engines (with the rules a new
    version changed in place, when only that), and for the batches to judge, their
    results, products, stored verdicts and latest certificates."""

    engines: list[tuple[ProfileVersion, thresholds.Profile, tuple[RulePair, ...] | None]]
    batch_ids: list[int]
    products: dict[int, thresholds.ProductInfo]
    stored: dict[tuple[int, str], _Stored]
    results: dict[int, list[thresholds.LabResult]]
    latest_cert: dict[int, int]


@dataclass
class _Writes:
    """What a round of judging writes (see :func:`_write`)."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    #: profile version -> verdict ids only re-versioned (the verdict holds under it)
    bumps: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    changes: list[dict[str, Any]] = field(default_factory=list)
    transitions: list[tuple[int, ProfileVersion, str, dict[str, Any]]] = field(default_factory=list)


def _plan(
    session: Session,
    batch_ids: Sequence[int],
    profiles: Sequence[ProfileVersion],
    previous: Mapping[str, ProfileVersion] | None,
) -> _Plan | None:
    """Read what judging ``batch_ids`` needs; None when there is nothing to judge."""
    if not batch_ids or not profiles:
        return None
    engines = [
        (row, profile_store.compiled(row), _edits(row, (previous or {}).get(row.code)))
        for row in profiles
    ]
    codes = [row.code for row in profiles]
    products = _products(session, batch_ids)
    ids = list(batch_ids)
    if all(edits is not None for _, _, edits in engines):
        # Only rules changed in place: read what they read, and judge in full only the
        # batches on which one of them concludes differently (or that have no verdict).
        pairs = [pair for _, _, edits in engines for pair in edits or ()]
        narrow, _ = _results(session, ids, analytes=thresholds.analytes_read(pairs))
        judged = _judged(session, ids, codes)
        ids = [
            b
            for b in ids
            if any(
                (b, row.code) not in judged
                or not thresholds.same_outcomes(edits or (), narrow.get(b, ()), products.get(b))
                for row, _, edits in engines
            )
        ]
        if not ids:
            return None
    results, latest_cert = _results(session, ids)
    return _Plan(engines, ids, products, _stored(session, ids, codes), results, latest_cert)


def _evaluate(plan: _Plan, *, now: datetime, restamp: bool) -> _Writes:
    """Judge each batch of the plan under each profile (pure): the rows to write."""
    out = _Writes()
    for batch_id in plan.batch_ids:
        lab_results = plan.results.get(batch_id, ())
        product = plan.products.get(batch_id)
        for row, engine, edits in plan.engines:
            old = plan.stored.get((batch_id, row.code))
            if (
                edits is not None
                and old is not None
                and thresholds.same_outcomes(edits, lab_results, product)
            ):
                continue  # the verdict stored holds under this version too
            judged = thresholds.evaluate(engine, lab_results, product)
            status, verdict = str(judged.status), _detail(judged)
            if old is not None and old.status == status and old.detail == json_dumps(verdict):
                if restamp and old.profile_version < row.version:
                    out.bumps[row.version].append(old.id)
                continue
            _record(out, batch_id, row, old, status, verdict, now)
    return out


def _record(
    out: _Writes,
    batch_id: int,
    row: ProfileVersion,
    old: _Stored | None,
    status: str,
    verdict: dict[str, Any],
    now: datetime,
) -> None:
    """File one changed verdict: its row, its status change, its alert event."""
    failing = status == thresholds.VerdictStatus.FAIL
    was_failing = old is not None and old.status == thresholds.VerdictStatus.FAIL
    failing_since = (
        (old.failing_since if old is not None and was_failing else now) if failing else None
    )
    values = {
        "profile_version": row.version,
        "status": status,
        "detail": verdict,
        "evaluated_at": now,
        "failing_since": failing_since,
    }
    if old is None:
        out.inserts.append({"batch_id": batch_id, "profile_code": row.code, **values})
    else:
        out.updates.append({"_id": old.id, **values})
    if old is None or old.status != status:
        out.changes.append(
            {
                "batch_id": batch_id,
                "profile_code": row.code,
                "profile_version": row.version,
                "old_status": old.status if old else None,
                "new_status": status,
                "at": now,
            }
        )
    if failing != was_failing:
        out.transitions.append((batch_id, row, FAILED if failing else RECOVERED, verdict))


def _write(
    session: Session,
    writes: _Writes,
    plan: _Plan,
    report: JudgeReport,
    *,
    certificate_id: int | None,
    now: datetime,
) -> None:
    """Write the verdict rows, their status changes and the outbox events (nothing
    commits: the caller's unit of work does)."""
    if writes.inserts:
        session.execute(_verdicts.insert(), writes.inserts)
    if writes.updates:
        session.execute(
            _verdicts.update()
            .where(_verdicts.c.id == sa.bindparam("_id"))
            .values({k: sa.bindparam(k) for k in writes.updates[0] if k != "_id"}),
            writes.updates,
        )
    for version, ids in writes.bumps.items():
        session.execute(
            _verdicts.update().where(_verdicts.c.id.in_(ids)).values(profile_version=version)
        )
    if writes.changes:
        session.execute(_changes.insert(), writes.changes)
    if writes.transitions:
        _write_events(session, writes.transitions, plan.latest_cert, certificate_id, now, report)
    _write_search_summary(session, plan.batch_ids)
    report.written = len(writes.inserts) + len(writes.updates)
    report.changed = len(writes.changes)


def _write_search_summary(session: Session, batch_ids: Sequence[int]) -> None:
    """The search summary of the batches judged (their statuses, analytes and
    categories), in the same transaction as their verdicts."""
    search_summary.refresh(session, batch_ids)


def _edits(row: ProfileVersion, before: ProfileVersion | None) -> tuple[RulePair, ...] | None:
    if before is None or before.code != row.code or before.version >= row.version:
        return None
    return thresholds.rule_changes(profile_store.compiled(before), profile_store.compiled(row))


def _detail(verdict: thresholds.Verdict) -> dict[str, Any]:
    """What a verdict row keeps beside its status (``thresholds.Verdict.to_dict`` without the
    columns, and without copying: the engine builds fresh entries on every call)."""
    return {
        "failures": verdict.failures,
        "missing": verdict.missing,
        "inconclusive": verdict.inconclusive,
        "warnings": verdict.warnings,
        "passed": verdict.passed,
        "not_tested": verdict.not_tested,
        "not_applicable": verdict.not_applicable,
        "intake": verdict.intake,
        "assumptions": verdict.assumptions,
        "cleared": verdict.cleared,
        "reason": verdict.reason,
    }


@dataclass(frozen=True, slots=True)
class _Stored:
    id: int
    status: str
    profile_version: int
    detail: str  # the JSON text as stored
    failing_since: datetime | None


# The hot read of a re-judgement, on the DBAPI cursor: SQLAlchemy's row objects would
# cost more than the query itself. Batch ids are read by range (a chunk of ascending
# ids covers its range exactly; other ids found in the range are skipped).
_RESULTS_SQL = (
    "SELECT r.analyte, r.category, r.value, r.unit, r.qualifier, r.loq, r.certificate_id,"
    " c.tested, r.uncertainty, CASE WHEN r.category = 'microbial' THEN r.raw END, r.batch_id"
    " FROM results r JOIN certificates c ON c.id = r.certificate_id"
    " WHERE {where} AND c.status <> 'unreadable' ORDER BY r.batch_id"
)


def _results(
    session: Session, batch_ids: Sequence[int], *, analytes: frozenset[str] | None = None
) -> tuple[dict[int, list[thresholds.LabResult]], dict[int, int]]:
    """The batches' results that count (of ``analytes`` only, when given), and each
    batch's latest certificate id among them."""
    lo, hi = min(batch_ids), max(batch_ids)
    dense = hi - lo + 1 <= 2 * len(batch_ids)
    wanted = None if hi - lo + 1 == len(set(batch_ids)) else set(batch_ids)
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    if dense:  # a chunk of ascending ids: its range (other ids in it are skipped below)
        where, params = f"r.batch_id BETWEEN {mark} AND {mark}", list[Any]([lo, hi])
    else:
        ids = sorted(set(batch_ids))
        where, params = f"r.batch_id IN ({', '.join([mark] * len(ids))})", list[Any](ids)
    if analytes is not None:
        codes = sorted(analytes) or [""]
        where += f" AND r.analyte IN ({', '.join([mark] * len(codes))})"
        params += codes
    cursor = conn.connection.cursor()
    try:
        cursor.execute(_RESULTS_SQL.format(where=where), params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    results: dict[int, list[thresholds.LabResult]] = {}
    latest: dict[int, int] = {}
    dates: dict[Any, date | None] = {None: None}  # SQLite gives text, PostgreSQL a date
    new, lab_result = tuple.__new__, thresholds.LabResult  # fields in LabResult's order
    current, top = None, 0
    bucket: list[thresholds.LabResult] = []
    masses: dict[Any, float | None] = {None: None}  # presence tests' printed masses, by text
    for row in rows:
        batch_id, tested = row[10], row[7]
        if batch_id != current:
            if current is not None:
                latest[current] = top
            current, bucket, top = batch_id, [], 0
            if wanted is None or batch_id in wanted:
                results[batch_id] = bucket
        when = dates.get(tested)
        if when is None and tested is not None:
            when = dates[tested] = date.fromisoformat(tested) if isinstance(tested, str) else tested
        raw = row[9]
        mass = masses.get(raw, _MISS)
        if mass is _MISS:
            mass = masses[raw] = printed.tested_mass_g(raw)
        bucket.append(new(lab_result, (*row[:7], when, row[8], mass)))
        if row[6] > top:
            top = row[6]
    if current is not None:
        latest[current] = top
    return results, latest


def _products(session: Session, batch_ids: Sequence[int]) -> dict[int, thresholds.ProductInfo]:
    """What the COA or the uploader says about the product (serving size, servings a
    day, form), for batches whose product records any of it."""
    rows = session.execute(
        sa.select(Batch.id, Product.serving_g, Product.servings_per_day, Product.form)
        .join(Product, Product.id == Batch.product_id)
        .where(
            Batch.id.between(min(batch_ids), max(batch_ids)),
            sa.or_(
                Product.serving_g.is_not(None),
                Product.servings_per_day.is_not(None),
                Product.form.is_not(None),
            ),
        )
    )
    return {
        bid: thresholds.ProductInfo(serving_g=g, servings_per_day=n, form=f)
        for bid, g, n, f in rows
    }


def _judged(
    session: Session, batch_ids: Sequence[int], codes: Iterable[str]
) -> set[tuple[int, str]]:
    """Which of the batches have a verdict under which of the profiles."""
    rows = session.connection().execute(
        sa.select(_verdicts.c.batch_id, _verdicts.c.profile_code).where(
            _verdicts.c.batch_id.between(min(batch_ids), max(batch_ids)),
            _verdicts.c.profile_code.in_(list(codes)),
        )
    )
    return {(batch_id, code) for batch_id, code in rows}


def _stored(
    session: Session, batch_ids: Sequence[int], codes: Iterable[str]
) -> dict[tuple[int, str], _Stored]:
    lo, hi = min(batch_ids), max(batch_ids)
    where = (
        _verdicts.c.batch_id.between(lo, hi)
        if hi - lo + 1 <= 2 * len(batch_ids)
        else _verdicts.c.batch_id.in_(sorted(set(batch_ids)))
    )
    rows = (
        session.connection()
        .execute(
            sa.select(
                _verdicts.c.batch_id,
                _verdicts.c.profile_code,
                _verdicts.c.id,
                _verdicts.c.status,
                _verdicts.c.profile_version,
                sa.cast(_verdicts.c.detail, sa.Text),
                _verdicts.c.failing_since,
            ).where(where, _verdicts.c.profile_code.in_(list(codes)))
        )
        .all()
    )
    return {
        (bid, code): _Stored(vid, status, version, detail, since)
        for bid, code, vid, status, version, detail, since in rows
    }


def _write_events(
    session: Session,
    transitions: list[tuple[int, ProfileVersion, str, dict[str, Any]]],
    latest_cert: dict[int, int],
    certificate_id: int | None,
    now: datetime,
    report: JudgeReport,
) -> None:
    ids = sorted({t[0] for t in transitions})
    names = {
        bid: (lot, vendor, product)
        for bid, lot, vendor, product in session.execute(
            sa.select(Batch.id, Batch.lot, Vendor.name, Product.name)
            .join(Vendor, Vendor.id == Batch.vendor_id)
            .outerjoin(Product, Product.id == Batch.product_id)
            .where(Batch.id.in_(ids))
        )
    }
    events = []
    for batch_id, row, kind, verdict in transitions:
        lot, vendor, product = names[batch_id]
        events.append(
            {
                "type": kind,
                "batch_id": batch_id,
                "profile_code": row.code,
                "created_at": now,
                "payload": {
                    "batch": {"id": batch_id, "lot": lot, "vendor": vendor, "product": product},
                    "certificate_id": certificate_id or latest_cert.get(batch_id),
                    "profile": row.code,
                    "profile_version": row.version,
                    "failures": verdict["failures"],
                    "missing": verdict["missing"],
                    "path": f"/batches/{batch_id}",
                },
            }
        )
        report.events[kind] = report.events.get(kind, 0) + 1
    session.execute(_outbox.insert(), events)


def judged_versions(session: Session) -> dict[str, int]:
    """The newest version of each profile under which every batch has been judged."""
    return dict(
        session.execute(
            sa.select(ProfileVersion.code, sa.func.max(ProfileVersion.version))
            .where(ProfileVersion.judged_at.is_not(None))
            .group_by(ProfileVersion.code)
        ).all()
    )


def for_batch(session: Session, batch_id: int) -> list[dict[str, Any]]:
    """The batch's current verdict under each profile, in the contract's shape.

    ``profile_version`` is the newest version the verdict holds under: the one that
    last changed it, or a later one whose re-judgement left it as it was.
    """
    rows = session.execute(
        sa.select(_verdicts)
        .where(_verdicts.c.batch_id == batch_id)
        .order_by(_verdicts.c.profile_code)
    ).all()
    judged = judged_versions(session) if rows else {}
    return [
        {
            "profile": v.profile_code,
            "profile_version": max(v.profile_version, judged.get(v.profile_code, 0)),
            "status": v.status,
            **v.detail,
            "evaluated_at": v.evaluated_at,
            "failing_since": v.failing_since,
        }
        for v in rows
    ]


def history(session: Session, batch_id: int) -> list[dict[str, Any]]:
    """Every status change of the batch, newest first."""
    rows = session.execute(
        sa.select(_changes)
        .where(_changes.c.batch_id == batch_id)
        .order_by(_changes.c.at.desc(), _changes.c.id.desc())
    )
    return [
        {
            "profile": c.profile_code,
            "profile_version": c.profile_version,
            "old_status": c.old_status,
            "new_status": c.new_status,
            "at": c.at,
        }
        for c in rows
    ]


def latest_results(certs: list[Certificate]) -> list[Result]:
    """The result of each analyte that the verdicts judge, with its page and text.

    ``certs`` come newest first (test date, undated last, then id), the order in which
    the engine's ``thresholds.latest_results`` ranks them: a later certificate's value
    of an analyte replaces an earlier one's, and analytes only an older certificate
    tested are kept from it.
    """
    seen: dict[str, Result] = {}
    for cert in certs:
        if cert.status is CertificateStatus.UNREADABLE:
            continue
        for result in cert.results:
            seen.setdefault(result.analyte, result)
    return list(seen.values())
