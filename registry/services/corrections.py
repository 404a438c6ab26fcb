"""A reviewer's corrections to what the parser read, each kept in the audit log with
who, when, the value as printed (or read) and the corrected one, and the batch re-judged
in the same transaction (the caller's unit of work commits once).

- :func:`correct_result`: a result's value, unit and qualifier (converted to the
  analyte's canonical unit, as the parser stores results); its printed text stays.
- :func:`add_result` (a result the parser missed) and :func:`delete_result` (a wrong one).
- :func:`correct_dates`: received, tested, reported (the batch's test date follows).
- :func:`correct_batch`: vendor, product and lot. The certificate and its results move
  to the batch these name (found by any spelling, or made); a batch left without
  certificates goes, one that keeps others is judged again.
- :func:`correct_product`: the product's form and intake (serving size, servings a
  day), which rules read; every batch of the product is judged again.
- :func:`confirm`: a reviewer checked the certificate: ``needs_review`` (or an
  ``unreadable`` one whose batch and results a reviewer entered) becomes ``parsed``.

Each event's details keep ``printed`` (the value before the correction: as read from
the PDF, or as a reviewer last left it) beside ``corrected``; for names, ``read`` is
what the parse document holds.

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
from registry.models import (
    AuditEvent,
    Batch,
    Certificate,
    CertificateStatus,
    Product,
    Result,
    Vendor,
)
from registry.services import audit, catalog, printed, verdicts
from registry.services import certificates as certificate_store
from registry.services.names import display, lot_key
from registry.thresholds import analytes as engine

ACTIONS = (
    "review.correct_result",
    "review.add_result",
    "review.delete_result",
    "review.correct_dates",
    "review.correct_batch",
    "review.correct_product",
    "review.confirm",
)
QUALIFIERS = ("=", "<", ">", "nd", "not_detected", "detected")  # the parse contract's


def _snapshot(result: Result) -> dict[str, Any]:
    return {
        "analyte": result.analyte,
        "value": result.value,
        "unit": result.unit,
        "qualifier": result.qualifier,
        "raw": result.raw,
        "page": result.page,
    }


def _canonical(
    code: str, value: float | None, unit: str | None, qualifier: str
) -> tuple[float | None, str | None]:
    """The value in the analyte's canonical unit; 422 naming the field otherwise."""
    if code not in engine.ANALYTES:
        raise Unprocessable(
            f"no analyte {code!r}", errors={"analyte": [f"unknown analyte {code!r}"]}
        )
    if qualifier not in QUALIFIERS:
        raise Unprocessable(
            "unknown qualifier", errors={"qualifier": [f"one of {', '.join(QUALIFIERS)}"]}
        )
    canonical = engine.ANALYTES[code].unit
    if qualifier in ("nd", "not_detected", "detected"):
        return None, canonical
    if value is None:
        raise Unprocessable(
            "a value is needed",
            errors={"value": ["a number is needed unless the result is 'nd' or 'detected'"]},
        )
    if canonical is None:
        return value, unit
    factor = engine.conversion_factor(unit or canonical, canonical)
    if factor is None:
        raise Unprocessable(
            f"{unit!r} does not convert to {canonical}",
            errors={"unit": [f"{unit!r} does not convert to {canonical}"]},
        )
    return value * factor, canonical


def _rejudge(session: Session, cert: Certificate) -> None:
    if cert.batch is not None:
        verdicts.judge_batch(session, cert.batch, certificate_id=cert.id)


def _result(cert: Certificate, result_id: int) -> Result:
    for result in cert.results:
        if result.id == result_id:
            return result
    raise NotFound(f"certificate {cert.id} has no result {result_id}")


def correct_result(
    session: Session,
    certificate_id: int,
    result_id: int,
    *,
    value: float | None,
    unit: str | None,
    qualifier: str,
    actor: str,
    request_id: str | None = None,
) -> Result:
    cert = certificate_store.get(session, certificate_id)
    result = _result(cert, result_id)
    before = _snapshot(result)
    result.value, result.unit = _canonical(result.analyte, value, unit, qualifier)
    result.qualifier = qualifier
    audit.record(
        session,
        actor=actor,
        action="review.correct_result",
        obj=cert,
        request_id=request_id,
        details={"result_id": result.id, "printed": before, "corrected": _snapshot(result)},
    )
    _rejudge(session, cert)
    return result


def add_result(
    session: Session,
    certificate_id: int,
    *,
    analyte: str,
    value: float | None,
    unit: str | None,
    qualifier: str,
    page: int | None,
    actor: str,
    request_id: str | None = None,
) -> Result:
    cert = certificate_store.get(session, certificate_id)
    stored_value, stored_unit = _canonical(analyte, value, unit, qualifier)
    result = Result(
        certificate=cert,
        batch=cert.batch,
        analyte=analyte,
        category=engine.ANALYTES[analyte].category,
        value=stored_value,
        unit=stored_unit,
        qualifier=qualifier,
        page=page,
        raw="",
    )
    session.add(result)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="review.add_result",
        obj=cert,
        request_id=request_id,
        details={"result_id": result.id, "printed": None, "corrected": _snapshot(result)},
    )
    _rejudge(session, cert)
    return result


def delete_result(
    session: Session,
    certificate_id: int,
    result_id: int,
    *,
    actor: str,
    request_id: str | None = None,
) -> None:
    cert = certificate_store.get(session, certificate_id)
    result = _result(cert, result_id)
    audit.record(
        session,
        actor=actor,
        action="review.delete_result",
        obj=cert,
        request_id=request_id,
        details={"result_id": result.id, "printed": _snapshot(result), "corrected": None},
    )
    cert.results.remove(result)
    session.flush()
    _rejudge(session, cert)


def correct_dates(
    session: Session,
    certificate_id: int,
    *,
    received: date | None,
    tested: date | None,
    reported: date | None,
    actor: str,
    request_id: str | None = None,
) -> Certificate:
    cert = certificate_store.get(session, certificate_id)
    before = {"received": cert.received, "tested": cert.tested, "reported": cert.reported}
    cert.received, cert.tested, cert.reported = received, tested, reported
    after = {"received": received, "tested": tested, "reported": reported}
    if before == after:
        return cert
    read = (cert.document or {}).get("dates") or {}
    audit.record(
        session,
        actor=actor,
        action="review.correct_dates",
        obj=cert,
        request_id=request_id,
        details={
            "printed": {k: v.isoformat() if v else None for k, v in before.items()},
            "corrected": {k: v.isoformat() if v else None for k, v in after.items()},
            "read": {k: read.get(k) for k in after},
        },
    )
    if cert.batch is not None:  # the batch's test date is its certificates' latest
        catalog.refresh_batch(session, cert.batch)
    _rejudge(session, cert)
    return cert


def _names(batch: Batch | None) -> dict[str, str | None]:
    return {
        "vendor": batch.vendor.name if batch else None,
        "product": batch.product.name if batch and batch.product else None,
        "lot": batch.lot if batch else None,
    }


def correct_batch(
    session: Session,
    certificate_id: int,
    *,
    vendor: str | None,
    product: str | None,
    lot: str | None,
    actor: str,
    request_id: str | None = None,
) -> Certificate:
    """The certificate's vendor, product and lot as a reviewer reads them.

    The certificate and its results move to the batch of that vendor and lot (an
    existing one by any spelling of the vendor and any spacing of the lot, or a new
    one), whose product becomes ``product`` when given. The batch it leaves is deleted
    when no certificate remains in it (its verdicts with it), else judged again; the
    batch it joins is judged in the same transaction."""
    vendor, product, lot = display(vendor), display(product), display(lot)
    missing = {k: [f"a {k} is needed"] for k, v in (("vendor", vendor), ("lot", lot)) if not v}
    if missing:
        raise Unprocessable("a batch needs a vendor and a lot", errors=missing)
    assert vendor is not None and lot is not None
    too_long = {}
    for name, text, column in (
        ("vendor", vendor, Vendor.name),
        ("product", product, Product.name),
        ("lot", lot, Batch.lot),
    ):
        if text and len(text) > column.type.length:
            too_long[name] = [f"at most {column.type.length} characters"]
    if too_long:
        raise Unprocessable("a name is too long", errors=too_long)
    cert = certificate_store.get(session, certificate_id)
    old = cert.batch
    before = _names(old)
    vendor_row = catalog.get_or_create_vendor(session, vendor)
    product_row = catalog.get_or_create_product(session, vendor_row, product) if product else None
    batch = catalog.get_or_create_batch(session, vendor_row, lot, product_row)
    if product_row is not None:
        batch.product = product_row  # the reviewer says what this lot is
    if batch.lot != lot and lot_key(batch.lot) == lot_key(lot):
        batch.lot = lot  # the same lot, spelt as printed
    if batch is not old:
        cert.batch = batch
        for result in cert.results:
            result.batch = batch
    after = _names(batch)
    if before == after and batch is old:
        return cert
    document = cert.document or {}
    audit.record(
        session,
        actor=actor,
        action="review.correct_batch",
        obj=cert,
        request_id=request_id,
        details={
            "printed": before,
            "corrected": after,
            "read": {
                "vendor": document.get("vendor"),
                "product": document.get("product"),
                "lot": document.get("batch"),
            },
            "batch_before": old.id if old else None,
            "batch_after": batch.id,
        },
    )
    catalog.refresh_batch(session, batch)
    if old is not None and old is not batch:
        session.flush()
        if session.scalar(
            sa.select(sa.func.count())
            .select_from(Certificate)
            .where(Certificate.batch_id == old.id)
        ):
            catalog.refresh_batch(session, old)
            verdicts.judge_batch(session, old)
        else:  # nothing is left in it: it was a misreading (its verdicts go with it)
            session.delete(old)
            session.flush()
    _rejudge(session, cert)
    return cert


def correct_product(
    session: Session,
    certificate_id: int,
    *,
    form: str | None,
    serving_g: float | None,
    servings_per_day: float | None,
    actor: str,
    request_id: str | None = None,
) -> Certificate:
    """The form (``thresholds.FORMS``; ``unknown`` or None clears it) and intake of the
    product of the certificate's batch. Rules read them (``applies_to``, daily
    exposure), so every batch of the product is judged again."""
    cert = certificate_store.get(session, certificate_id)
    product = cert.batch.product if cert.batch is not None else None
    if product is None:
        raise Unprocessable(
            "the certificate names no product",
            errors={"product": ["give its vendor, product and lot first"]},
        )
    try:
        form = printed.valid_form(form or None)
    except ValueError as error:
        raise Unprocessable(str(error), errors={"form": [str(error)]}) from None
    for name, value in (("serving_g", serving_g), ("servings_per_day", servings_per_day)):
        if value is not None and not value > 0:
            raise Unprocessable(f"{name} must be above 0", errors={name: ["must be above 0"]})
    before = {
        "form": product.form,
        "serving_g": product.serving_g,
        "servings_per_day": product.servings_per_day,
    }
    after = {"form": form, "serving_g": serving_g, "servings_per_day": servings_per_day}
    if before == after:
        return cert
    product.form, product.serving_g, product.servings_per_day = form, serving_g, servings_per_day
    audit.record(
        session,
        actor=actor,
        action="review.correct_product",
        obj=cert,
        request_id=request_id,
        details={
            "product_id": product.id,
            "product": product.name,
            "printed": before,
            "corrected": after,
        },
    )
    verdicts.judge_product(session, product.id)  # this batch and the product's others
    return cert


def confirm(
    session: Session, certificate_id: int, *, actor: str, request_id: str | None = None
) -> Certificate:
    cert = certificate_store.get(session, certificate_id)
    if cert.status is CertificateStatus.UNREADABLE and (cert.batch is None or not cert.results):
        raise Unprocessable(
            "an unreadable certificate has nothing to confirm",
            errors={"status": ["give its vendor, lot and results first, or leave it unreadable"]},
        )
    if cert.batch is None:
        raise Unprocessable(
            "the certificate has no batch", errors={"vendor": ["give its vendor and lot first"]}
        )
    audit.record(
        session,
        actor=actor,
        action="review.confirm",
        obj=cert,
        request_id=request_id,
        details={
            "printed": {"status": cert.status.value, "reason": cert.status_reason},
            "corrected": {"status": CertificateStatus.PARSED.value},
        },
    )
    cert.status, cert.status_reason = CertificateStatus.PARSED, None
    _rejudge(session, cert)
    return cert


def corrected(session: Session, certificate_ids: Iterable[int]) -> set[int]:
    """Which of these certificates a reviewer corrected (any review event but a bare confirm)."""
    ids = [str(i) for i in certificate_ids]
    if not ids:
        return set()
    rows = session.scalars(
        sa.select(AuditEvent.object_id)
        .where(
            AuditEvent.object_type == Certificate.__tablename__,
            AuditEvent.object_id.in_(ids),
            AuditEvent.action.in_([a for a in ACTIONS if a != "review.confirm"]),
        )
        .distinct()
    )
    return {int(r) for r in rows if r is not None}


def history(session: Session, certificate_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.object_type == Certificate.__tablename__,
                AuditEvent.object_id == str(certificate_id),
                AuditEvent.action.in_(ACTIONS),
            )
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )


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
        raise Unprocessable(
            f"certificate {certificate_id} was not reviewed",
            errors={"certificate": ["confirm or correct it in the review desk first"]},
        )
    batch = cert.batch
    results = sorted(cert.results, key=lambda r: r.id)
    return {
        "file": cert.filename or f"{cert.sha256}.pdf",
        "layout": cert.layout,
        "lab": {
            "name": cert.lab.name if cert.lab else None,
            "accreditation": cert.lab.accreditation if cert.lab else None,
        },
        "vendor": batch.vendor.name if batch else None,
        "product": batch.product.name if batch and batch.product else None,
        "batch": batch.lot if batch else None,
        "sample_id": cert.sample_id,
        "report_number": cert.report_number,
        "dates": {
            k: v.isoformat() if v else None
            for k, v in (
                ("received", cert.received),
                ("tested", cert.tested),
                ("reported", cert.reported),
            )
        },
        "results": [
            {
                "analyte": r.analyte,
                "category": r.category,
                "value": r.value,
                "unit": r.unit,
                "qualifier": r.qualifier,
                "lab_status": r.lab_status,
                "page": r.page,
                "raw": r.raw,
            }
            for r in results
        ],
        "enumerated_categories": sorted({r.category for r in results}),
        "meta_alternatives": {},
        "excused_extras": [],
        "product_type": "kratom",
        "sha256": cert.sha256,
    }
