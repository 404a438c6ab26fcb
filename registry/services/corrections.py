"""A reviewer's corrections to what the parser read, each kept in the audit log with
who, when, the value as printed (or read) and the corrected one, and the batch re-judged
in the same transaction (the caller's unit of work commits once).

- :func:`correct_result`: a result's value, unit and qualifier (converted to the
  analyte's canonical unit, as the parser stores results); its printed text stays.
- :func:`add_result` (a result the parser missed) and :func:`delete_result` (a wrong one).
- :func:`correct_dates`: received, tested, reported (the batch's test date follows).
- :func:`confirm`: a reviewer checked the certificate: ``needs_review`` becomes ``parsed``.

A certificate with any such event reads "corrected by a reviewer" on its public page
(:func:`corrected`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.errors import NotFound, Unprocessable
from registry.models import AuditEvent, Certificate, CertificateStatus, Result
from registry.services import audit, verdicts
from registry.services import certificates as certificate_store
from registry.thresholds import analytes as engine

ACTIONS = ("review.correct_result", "review.add_result", "review.delete_result",
           "review.correct_dates", "review.confirm")
QUALIFIERS = ("=", "<", ">", "nd", "not_detected", "detected")  # the parse contract's


def _snapshot(result: Result) -> dict[str, Any]:
    return {"analyte": result.analyte, "value": result.value, "unit": result.unit,
            "qualifier": result.qualifier, "raw": result.raw, "page": result.page}


def _canonical(code: str, value: float | None, unit: str | None, qualifier: str) -> tuple[float | None, str | None]:
    """The value in the analyte's canonical unit; 422 naming the field otherwise."""
    if code not in engine.ANALYTES:
        raise Unprocessable(f"no analyte {code!r}", errors={"analyte": [f"unknown analyte {code!r}"]})
    if qualifier not in QUALIFIERS:
        raise Unprocessable("unknown qualifier", errors={"qualifier": [f"one of {', '.join(QUALIFIERS)}"]})
    canonical = engine.ANALYTES[code].unit
    if qualifier in ("nd", "not_detected", "detected"):
        return None, canonical
    if value is None:
        raise Unprocessable("a value is needed", errors={"value": ["a number is needed unless the "
                                                                   "result is 'nd' or 'detected'"]})
    if canonical is None:
        return value, unit
    factor = engine.conversion_factor(unit or canonical, canonical)
    if factor is None:
        raise Unprocessable(f"{unit!r} does not convert to {canonical}",
                            errors={"unit": [f"{unit!r} does not convert to {canonical}"]})
    return value * factor, canonical


def _rejudge(session: Session, cert: Certificate) -> None:
    if cert.batch is not None:
        verdicts.judge_batch(session, cert.batch, certificate_id=cert.id)


def _result(cert: Certificate, result_id: int) -> Result:
    for result in cert.results:
        if result.id == result_id:
            return result
    raise NotFound(f"certificate {cert.id} has no result {result_id}")


def correct_result(session: Session, certificate_id: int, result_id: int, *, value: float | None,
                   unit: str | None, qualifier: str, actor: str, request_id: str | None = None) -> Result:
    cert = certificate_store.get(session, certificate_id)
    result = _result(cert, result_id)
    before = _snapshot(result)
    result.value, result.unit = _canonical(result.analyte, value, unit, qualifier)
    result.qualifier = qualifier
    audit.record(session, actor=actor, action="review.correct_result", obj=cert, request_id=request_id,
                 details={"result_id": result.id, "printed": before, "corrected": _snapshot(result)})
    _rejudge(session, cert)
    return result


def add_result(session: Session, certificate_id: int, *, analyte: str, value: float | None,
               unit: str | None, qualifier: str, page: int | None, actor: str,
               request_id: str | None = None) -> Result:
    cert = certificate_store.get(session, certificate_id)
    stored_value, stored_unit = _canonical(analyte, value, unit, qualifier)
    result = Result(certificate=cert, batch=cert.batch, analyte=analyte,
                    category=engine.ANALYTES[analyte].category, value=stored_value, unit=stored_unit,
                    qualifier=qualifier, page=page, raw="")
    session.add(result)
    session.flush()
    audit.record(session, actor=actor, action="review.add_result", obj=cert, request_id=request_id,
                 details={"result_id": result.id, "printed": None, "corrected": _snapshot(result)})
    _rejudge(session, cert)
    return result


def delete_result(session: Session, certificate_id: int, result_id: int, *, actor: str,
                  request_id: str | None = None) -> None:
    cert = certificate_store.get(session, certificate_id)
    result = _result(cert, result_id)
    audit.record(session, actor=actor, action="review.delete_result", obj=cert, request_id=request_id,
                 details={"result_id": result.id, "printed": _snapshot(result), "corrected": None})
    cert.results.remove(result)
    session.flush()
    _rejudge(session, cert)


def correct_dates(session: Session, certificate_id: int, *, received: date | None, tested: date | None,
                  reported: date | None, actor: str, request_id: str | None = None) -> Certificate:
    cert = certificate_store.get(session, certificate_id)
    before = {"received": cert.received, "tested": cert.tested, "reported": cert.reported}
    cert.received, cert.tested, cert.reported = received, tested, reported
    after = {"received": received, "tested": tested, "reported": reported}
    if before == after:
        return cert
    audit.record(session, actor=actor, action="review.correct_dates", obj=cert, request_id=request_id,
                 details={"printed": {k: v.isoformat() if v else None for k, v in before.items()},
                          "corrected": {k: v.isoformat() if v else None for k, v in after.items()}})
    if cert.batch is not None:  # the batch's test date is its certificates' latest
        session.flush()
        cert.batch.tested = session.scalar(
            sa.select(sa.func.max(sa.func.coalesce(Certificate.tested, Certificate.reported)))
            .where(Certificate.batch_id == cert.batch.id))
    _rejudge(session, cert)
    return cert


def confirm(session: Session, certificate_id: int, *, actor: str, request_id: str | None = None) -> Certificate:
    cert = certificate_store.get(session, certificate_id)
    if cert.status is CertificateStatus.UNREADABLE:
        raise Unprocessable("an unreadable certificate has nothing to confirm",
                            errors={"status": ["add its results first, or leave it unreadable"]})
    audit.record(session, actor=actor, action="review.confirm", obj=cert, request_id=request_id,
                 details={"printed": {"status": cert.status.value, "reason": cert.status_reason},
                          "corrected": {"status": CertificateStatus.PARSED.value}})
    cert.status, cert.status_reason = CertificateStatus.PARSED, None
    _rejudge(session, cert)
    return cert


def corrected(session: Session, certificate_ids: Iterable[int]) -> set[int]:
    """Which of these certificates a reviewer corrected (any review event but a bare confirm)."""
    ids = [str(i) for i in certificate_ids]
    if not ids:
        return set()
    rows = session.scalars(sa.select(AuditEvent.object_id).where(
        AuditEvent.object_type == Certificate.__tablename__, AuditEvent.object_id.in_(ids),
        AuditEvent.action.in_([a for a in ACTIONS if a != "review.confirm"])).distinct())
    return {int(r) for r in rows if r is not None}


def history(session: Session, certificate_id: int) -> list[AuditEvent]:
    return list(session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == Certificate.__tablename__, AuditEvent.object_id == str(certificate_id),
        AuditEvent.action.in_(ACTIONS)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))


def reviewed(session: Session, certificate_id: int) -> bool:
    """Whether a reviewer confirmed or corrected the certificate."""
    return bool(history(session, certificate_id))


def truth_record(session: Session, certificate_id: int) -> dict[str, Any]:
    """The certificate as the corpus's truth records are written
    (``tests/corpus/*/truth.canonical.json``): what a reviewer confirmed or corrected, so
    that a real correction becomes a parser test. Only a reviewed certificate has one:
    an unchecked parse is no truth (422)."""
    cert = certificate_store.get(session, certificate_id)
    if not reviewed(session, certificate_id):
        raise Unprocessable(f"certificate {certificate_id} was not reviewed",
                            errors={"certificate": ["confirm or correct it in the review desk first"]})
    batch = cert.batch
    results = sorted(cert.results, key=lambda r: r.id)
    return {
        "file": cert.filename or f"{cert.sha256}.pdf",
        "layout": cert.layout,
        "lab": {"name": cert.lab.name if cert.lab else None,
                "accreditation": cert.lab.accreditation if cert.lab else None},
        "vendor": batch.vendor.name if batch else None,
        "product": batch.product.name if batch and batch.product else None,
        "batch": batch.lot if batch else None,
        "sample_id": cert.sample_id,
        "report_number": cert.report_number,
        "dates": {k: v.isoformat() if v else None
                  for k, v in (("received", cert.received), ("tested", cert.tested), ("reported", cert.reported))},
        "results": [{"analyte": r.analyte, "category": r.category, "value": r.value, "unit": r.unit,
                     "qualifier": r.qualifier, "lab_status": r.lab_status, "page": r.page, "raw": r.raw}
                    for r in results],
        "enumerated_categories": sorted({r.category for r in results}),
        "meta_alternatives": {},
        "excused_extras": [],
        "product_type": "kratom",
        "sha256": cert.sha256,
    }
