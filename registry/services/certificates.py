"""Taking in a COA: sniff, store the original, parse it in a child process, record
the certificate with its results, and judge its batch.

The order is what keeps the registry whole: the original is durable before any row
refers to it, the slow parse runs before the write transaction begins (so no lock is
held while a child process reads a PDF), and every row of one upload is written in
one transaction by the caller's single commit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import parsers
from registry.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from registry.models import Batch, Certificate, CertificateStatus, Lab, Product, Result, Vendor
from registry.services import audit, catalog, printed, verdicts
from registry.services.names import display
from registry.storage import Storage

#: Where a PDF may start: the header may follow a little junk (the PDF spec allows 1 KiB).
PDF_HEADER_WINDOW = 1024
#: Control characters a PDF's text may carry but no text column may hold (PostgreSQL
#: refuses NUL in text and JSON); tab, line feed and carriage return are whitespace.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Upload:
    """One file to take in, with the overrides a vendor gave for what it says."""

    data: bytes
    filename: str | None = None
    vendor: str | None = None
    product: str | None = None
    batch: str | None = None
    form: str | None = None  # the product's form (thresholds.FORMS), when the uploader says
    serving_g: float | None = None  # the label's serving size and servings a day
    servings_per_day: float | None = None
    sha256: str = field(init=False)
    # Filled once by ``prepare`` so that a retried transaction does not parse again.
    document: parsers.Document | None = field(default=None, init=False)
    error: parsers.ParseError | None = field(default=None, init=False)
    prepared: bool = field(default=False, init=False)
    product_changed: int | None = field(default=None, init=False)  # set by record()

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        self.vendor, self.product, self.batch = map(display, (self.vendor, self.product, self.batch))
        self.form = printed.valid_form(self.form)
        if self.filename is not None:
            self.filename = _CONTROL.sub("", self.filename)[:_length(Certificate.filename)] or None


def check_upload(upload: Upload, max_bytes: int) -> None:
    """Refuse what is not a PDF or is too large, before anything is kept."""
    if len(upload.data) > max_bytes:
        raise PayloadTooLarge(f"the file is {len(upload.data):,} bytes; the limit is {max_bytes:,}")
    if not upload.data:
        raise UnsupportedMediaType("the file is empty")
    if b"%PDF-" not in upload.data[:PDF_HEADER_WINDOW]:
        raise UnsupportedMediaType("the file is not a PDF (no %PDF- header)")


def prepare(upload: Upload, storage: Storage, limits: parsers.Limits) -> None:
    """Store the original durably, then parse it in a resource-limited child process."""
    if upload.prepared:
        return
    storage.put(upload.data)
    try:
        upload.document = clean_document(parsers.parse_isolated(upload.data, limits))
    except parsers.ParseError as error:
        upload.error = error
    upload.prepared = True


def clean_document(doc: parsers.Document) -> parsers.Document:
    """The document without control characters in any of its strings: what a PDF
    prints is untrusted, and a NUL in a lot number must not fail the whole upload."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _CONTROL.sub("", value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    data = doc.to_dict()
    cleaned = clean(data)
    return doc if cleaned == data else parsers.Document.from_dict(cleaned)


def _length(column: Any) -> int:
    length: int = column.property.columns[0].type.length
    return length


def _fit(text: str | None, column: Any, what: str, warnings: list[str]) -> str | None:
    """``text`` as a column can hold it: cut to the column's length, with a warning."""
    text = display(text)
    limit = _length(column)
    if text is not None and len(text) > limit:
        warnings.append(f"the {what} read from the PDF is {len(text):,} characters long; "
                        f"only its first {limit} are kept")
        text = text[:limit].rstrip()
    return text


def find_by_sha(session: Session, sha256: str) -> Certificate | None:
    return session.scalar(sa.select(Certificate).where(Certificate.sha256 == sha256))


def get(session: Session, certificate_id: int) -> Certificate:
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound(f"no certificate {certificate_id}")
    return cert


def record(session: Session, upload: Upload, *, uploader_id: int | None,
           actor: str, request_id: str | None = None) -> tuple[Certificate, bool]:
    """Write the certificate, its results and its batch's verdicts (flush only).

    Returns the certificate and whether it is new; the same bytes give the same one.
    """
    existing = find_by_sha(session, upload.sha256)
    if existing is not None:
        return existing, False
    upload.product_changed = None
    cert = _new_certificate(upload, uploader_id)
    session.add(cert)
    if upload.document is not None:
        _attach(session, cert, upload, upload.document)
    session.flush()
    audit.record(session, actor=actor, action="certificate.upload", obj=cert,
                 request_id=request_id,
                 details={"sha256": cert.sha256, "status": cert.status.value,
                          "filename": cert.filename})
    if cert.batch is not None:
        verdicts.judge_batch(session, cert.batch, certificate_id=cert.id)
    if upload.product_changed is not None:  # its form or intake changed: its other batches too
        verdicts.judge_product(session, upload.product_changed,
                               skip=cert.batch.id if cert.batch is not None else None)
    return cert, True


def _new_certificate(upload: Upload, uploader_id: int | None) -> Certificate:
    doc, error = upload.document, upload.error
    return Certificate(
        sha256=upload.sha256,
        size_bytes=len(upload.data),
        filename=upload.filename,
        uploader_id=uploader_id,
        status=CertificateStatus.UNREADABLE if error else CertificateStatus.PARSED,
        status_reason=f"{error.code}: {error.message}" if error else None,
        layout=doc.layout if doc else None,
        parser_version=parsers.PARSER_VERSION,
        pages=doc.pages if doc else None,
        warnings=list(doc.warnings) if doc else [],
        document=doc.to_dict() if doc else None,
    )


def _attach(session: Session, cert: Certificate, upload: Upload, doc: parsers.Document) -> None:
    """Link the certificate to lab, vendor, product and batch, and add its results."""
    warnings: list[str] = []
    cert.report_number = _fit(doc.report_number, Certificate.report_number, "report number", warnings)
    cert.sample_id = _fit(doc.sample_id, Certificate.sample_id, "sample id", warnings)
    cert.received, cert.tested, cert.reported = (
        _date(doc.dates.received), _date(doc.dates.tested), _date(doc.dates.reported))
    lab_name = _fit(doc.lab.name, Lab.name, "lab name", warnings)
    if lab_name:
        cert.lab = catalog.get_or_create_lab(
            session, lab_name, _fit(doc.lab.accreditation, Lab.accreditation, "accreditation", warnings))
    vendor_name = upload.vendor or _fit(doc.vendor, Vendor.name, "vendor", warnings)
    lot = upload.batch or _fit(doc.batch, Batch.lot, "lot", warnings)
    product_name = upload.product or _fit(doc.product, Product.name, "product", warnings)
    if warnings:
        cert.warnings = [*cert.warnings, *warnings]
    if vendor_name and lot:
        vendor = catalog.get_or_create_vendor(session, vendor_name)
        product = catalog.get_or_create_product(session, vendor, product_name) if product_name else None
        if product is not None and _describe(product, upload, doc):
            upload.product_changed = product.id
        cert.batch = catalog.get_or_create_batch(session, vendor, lot, product)
        catalog.touch_batch(cert.batch, cert.tested or cert.reported, lab_name)
    cert.results = [_result(r, cert) for r in doc.results]
    cert.status = _status(cert, doc)


def _describe(product: Product, upload: Upload, doc: parsers.Document) -> bool:
    """The product's form and intake: what the uploader says wins; else a form the COA's
    product or matrix words name fills an unknown one (never replacing a known form).
    True when a fact of a product already stored changed (its other batches then need
    judging again)."""
    before = (product.form, product.serving_g, product.servings_per_day)
    if upload.form is not None:
        product.form = upload.form
    elif product.form is None:
        product.form = printed.form_from_words((doc.product, getattr(doc, "matrix", None)))
    if upload.serving_g is not None:
        product.serving_g = upload.serving_g
    if upload.servings_per_day is not None:
        product.servings_per_day = upload.servings_per_day
    return product.id is not None and before != (product.form, product.serving_g,
                                                  product.servings_per_day)


def _status(cert: Certificate, doc: parsers.Document) -> CertificateStatus:
    reasons = []
    if doc.needs_review:
        reasons.append("the parser asked for review")
    if not doc.results:
        reasons.append("no results were read")
    if cert.batch is None:
        reasons.append("vendor or lot unknown")
    if reasons:
        cert.status_reason = "; ".join(reasons)
        return CertificateStatus.NEEDS_REVIEW
    return CertificateStatus.PARSED


def _result(r: parsers.Result, cert: Certificate) -> Result:
    return Result(
        batch=cert.batch, analyte=r.analyte, category=r.category, value=r.value, unit=r.unit,
        qualifier=r.qualifier, loq=r.loq, uncertainty=r.uncertainty, lab_status=r.lab_status,
        page=r.page, raw=r.raw, printed_value=r.printed_value, printed_unit=r.printed_unit,
        bbox=list(r.bbox) if r.bbox else None,
    )


def _date(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def limits_from_config(config: dict[str, Any]) -> parsers.Limits:
    return parsers.Limits(
        seconds=float(config["PARSE_TIMEOUT_S"]),
        memory_mb=int(config["PARSE_MEMORY_MB"]),
        max_pages=int(config["PARSE_MAX_PAGES"]),
        max_bytes=int(config["MAX_UPLOAD_MB"] * 1024 * 1024),
    )
