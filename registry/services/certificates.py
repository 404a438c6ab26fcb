"""Taking in a COA: sniff, store the original, record the certificate, parse it in a
child process, fill the certificate with what was read, and judge its batch.

The order is what keeps the registry whole: the original is durable (:func:`store`)
before any row refers to it; the certificate is recorded as ``processing`` with a parse
job (:func:`accept`) in one transaction, so a crash anywhere later leaves a job that a
sweeper runs again; the slow parse (:func:`parse_original`) runs outside any
transaction; and :func:`complete` writes what it read, with the batch's verdicts, in
one more. The same function completes a first parse and a re-parse (which keeps the
changes in the audit log as a diff). The callers (``registry.tasks.parsing``) commit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import parsers
from registry.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from registry.models import Batch, Certificate, CertificateStatus, Job, Lab, Product, Result, Vendor
from registry.services import audit, catalog, jobs, printed, verdicts
from registry.services.names import display
from registry.storage import Storage

#: Where a PDF may start: the header may follow a little junk (the PDF spec allows 1 KiB).
PDF_HEADER_WINDOW = 1024
#: Control characters a PDF's text may carry but no text column may hold (PostgreSQL
#: refuses NUL in text and JSON); tab, line feed and carriage return are whitespace.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


#: The kind of a parse job (``registry.models.Job``): ``{"certificate_id", "attempt", "reparse"}``.
PARSE_JOB = "parse"
#: Parse errors that say the parse ran out of time or memory (load, not the file, may be
#: the cause): such a parse is tried once more before the certificate is unreadable.
TRANSIENT = (parsers.TimeLimitExceeded.code, parsers.MemoryLimitExceeded.code)


@dataclass(frozen=True)
class Overrides:
    """What an uploader said beside the file; it wins over what the PDF says."""

    vendor: str | None = None
    product: str | None = None
    batch: str | None = None
    form: str | None = None
    serving_g: float | None = None
    servings_per_day: float | None = None

    def to_dict(self) -> dict[str, Any] | None:
        kept = {k: v for k, v in asdict(self).items() if v is not None}
        return kept or None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Overrides:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})


@dataclass
class Parsed:
    """What one parse of an original gave: its document, or the error."""

    document: parsers.Document | None = None
    error: parsers.ParseError | None = None

    @property
    def transient(self) -> bool:
        return self.error is not None and self.error.code in TRANSIENT


@dataclass
class Accepted:
    """An upload taken in: its certificate, whether it is new, and its parse job."""

    certificate: Certificate
    created: bool
    job_id: int | None = None


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

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        self.vendor, self.product, self.batch = map(
            display, (self.vendor, self.product, self.batch)
        )
        self.form = printed.valid_form(self.form)
        if self.filename is not None:
            self.filename = _CONTROL.sub("", self.filename)[: _length(Certificate.filename)] or None

    @property
    def overrides(self) -> Overrides:
        return Overrides(
            self.vendor, self.product, self.batch, self.form, self.serving_g, self.servings_per_day
        )


def check_upload(upload: Upload, max_bytes: int) -> None:
    """Refuse what is not a PDF or is too large, before anything is kept."""
    if len(upload.data) > max_bytes:
        raise PayloadTooLarge(f"the file is {len(upload.data):,} bytes; the limit is {max_bytes:,}")
    if not upload.data:
        raise UnsupportedMediaType("the file is empty")
    if b"%PDF-" not in upload.data[:PDF_HEADER_WINDOW]:
        raise UnsupportedMediaType("the file is not a PDF (no %PDF- header)")


def store(upload: Upload, storage: Storage, max_bytes: int) -> None:
    """Refuse what is not a PDF or is too large, then keep the original durably (storing
    bytes already kept refreshes their time, so ``storage gc`` leaves them to this upload)."""
    check_upload(upload, max_bytes)
    storage.put(upload.data)


def accept(
    session: Session,
    upload: Upload,
    *,
    uploader_id: int | None,
    actor: str,
    request_id: str | None = None,
    claimed: bool = False,
) -> Accepted:
    """Record a stored upload as a ``processing`` certificate with its parse job (flush
    only); the same bytes give the certificate they gave before, whatever its state.

    ``claimed``: the caller runs the parse itself (``flask ingest``): the job is written
    as running, so no other runner takes it unless the caller stops reporting.
    """
    existing = find_by_sha(session, upload.sha256)
    if existing is not None:
        return Accepted(existing, False)
    cert = Certificate(
        sha256=upload.sha256,
        size_bytes=len(upload.data),
        filename=upload.filename,
        uploader_id=uploader_id,
        status=CertificateStatus.PROCESSING,
        warnings=[],
        overrides=upload.overrides.to_dict(),
    )
    session.add(cert)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="certificate.upload",
        obj=cert,
        request_id=request_id,
        details={"sha256": cert.sha256, "status": cert.status.value, "filename": cert.filename},
    )
    job = queue_parse(session, cert.id, actor=actor, claimed=claimed)
    return Accepted(cert, True, job.id)


def queue_parse(
    session: Session,
    certificate_id: int,
    *,
    actor: str,
    claimed: bool = False,
    reparse: bool = False,
) -> Job:
    """A parse job for a stored original (flush only)."""
    job = jobs.enqueue(
        session,
        PARSE_JOB,
        {"certificate_id": certificate_id, "attempt": 1, "reparse": reparse},
        actor=actor,
    )
    if claimed:
        jobs.start(job)
    return job


def parse_original(data: bytes, limits: parsers.Limits) -> Parsed:
    """Parse an original in a resource-limited child process (no database work)."""
    try:
        return Parsed(document=clean_document(parsers.parse_isolated(data, limits)))
    except parsers.ParseError as error:
        return Parsed(error=error)


def prepare(upload: Upload, storage: Storage, limits: parsers.Limits) -> None:
    """Store the original durably, then parse it (for :func:`record`, in one go)."""
    if upload.prepared:
        return
    storage.put(upload.data)
    parsed = parse_original(upload.data, limits)
    upload.document, upload.error = parsed.document, parsed.error
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
        warnings.append(
            f"the {what} read from the PDF is {len(text):,} characters long; "
            f"only its first {limit} are kept"
        )
        text = text[:limit].rstrip()
    return text


def find_by_sha(session: Session, sha256: str) -> Certificate | None:
    return session.scalar(sa.select(Certificate).where(Certificate.sha256 == sha256))


def get(session: Session, certificate_id: int) -> Certificate:
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound(f"no certificate {certificate_id}")
    return cert


def record(
    session: Session,
    upload: Upload,
    *,
    uploader_id: int | None,
    actor: str,
    request_id: str | None = None,
) -> tuple[Certificate, bool]:
    """Accept and complete a prepared upload in one transaction (flush only): for callers
    that parsed already (:func:`prepare`). Returns the certificate and whether it is new."""
    accepted = accept(
        session, upload, uploader_id=uploader_id, actor=actor, request_id=request_id, claimed=True
    )
    if not accepted.created:
        return accepted.certificate, False
    job = session.get(Job, accepted.job_id)
    assert job is not None
    complete(session, job, Parsed(upload.document, upload.error), actor=actor)
    return accepted.certificate, True


def complete(
    session: Session, job: Job, parsed: Parsed, *, actor: str, retry_transient: bool = False
) -> Certificate | None:
    """Write what a parse job read into its certificate, judge the batches it touches and
    finish the job (flush only). Returns the certificate, or None when the job was put
    back in the queue for its one more try (``retry_transient``, after running out of
    time or memory: load, not the file, may be the cause) or its certificate is gone.

    A re-parse replaces the certificate's results; what changed is kept in the audit log
    as a diff, and both the batch it left and the one it joined are judged again (their
    verdict changes reach the outbox, and so alerts, as any other).
    """
    cert = session.get(Certificate, int(job.params["certificate_id"]))
    if cert is None:
        jobs.finish(job, outcome="certificate deleted")
        return None
    attempt = int(job.params.get("attempt", 1))
    if retry_transient and parsed.transient and attempt < 2 and parsed.error is not None:
        jobs.requeue(
            job,
            params={**job.params, "attempt": attempt + 1},
            first_error=f"{parsed.error.code}: {parsed.error.message}",
        )
        return None
    before = None if cert.status is CertificateStatus.PROCESSING else _snapshot(cert)
    left = cert.batch
    product_changed = _fill(session, cert, parsed)
    session.flush()
    details: dict[str, Any] = {
        "status": cert.status.value,
        "parser_version": cert.parser_version,
        "attempt": attempt,
    }
    if before is not None:
        details["changes"] = _diff(before, _snapshot(cert))
    audit.record(
        session,
        actor=actor,
        obj=cert,
        details=details,
        action="certificate.parse" if before is None else "certificate.reparse",
    )
    if cert.batch is not None:
        verdicts.judge_batch(session, cert.batch, certificate_id=cert.id)
    if left is not None and left is not cert.batch:
        verdicts.judge_batch(session, left)  # it lost this certificate's results
    if product_changed is not None:  # its form or intake changed: its other batches too
        verdicts.judge_product(
            session, product_changed, skip=cert.batch.id if cert.batch is not None else None
        )
    jobs.finish(job, status=cert.status.value, changed=bool(details.get("changes")))
    return cert


def _fill(session: Session, cert: Certificate, parsed: Parsed) -> int | None:
    """The certificate as this parse reads it (what an earlier parse said is replaced);
    the id of a stored product whose facts changed, if any."""
    doc, error = parsed.document, parsed.error
    cert.results = []
    cert.batch, cert.lab = None, None
    cert.report_number = cert.sample_id = None
    cert.received = cert.tested = cert.reported = None
    cert.status = CertificateStatus.UNREADABLE if error else CertificateStatus.PARSED
    cert.status_reason = f"{error.code}: {error.message}" if error else None
    cert.layout = doc.layout if doc else None
    cert.parser_version = parsers.PARSER_VERSION
    cert.pages = doc.pages if doc else None
    cert.warnings = list(doc.warnings) if doc else []
    cert.document = doc.to_dict() if doc else None
    if doc is None:
        return None
    return _attach(session, cert, Overrides.from_dict(cert.overrides), doc)


def _snapshot(cert: Certificate) -> dict[str, Any]:
    """What a parse decided about a certificate, to compare one parse with the next."""
    return {
        "status": cert.status.value,
        "status_reason": cert.status_reason,
        "parser_version": cert.parser_version,
        "layout": cert.layout,
        "pages": cert.pages,
        "batch_id": cert.batch.id if cert.batch is not None else None,
        "lab": cert.lab.name if cert.lab is not None else None,
        "report_number": cert.report_number,
        "sample_id": cert.sample_id,
        "received": _iso(cert.received),
        "tested": _iso(cert.tested),
        "reported": _iso(cert.reported),
        "warnings": list(cert.warnings or []),
        "results": sorted(_result_line(r) for r in cert.results),
    }


def _result_line(r: Result) -> str:
    value = "" if r.value is None else f"{r.value:g}"
    return " ".join(p for p in (r.analyte, r.qualifier, value, r.unit or "") if p)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Fields that changed as ``[before, after]``; results and warnings as what was added
    and what was removed."""
    changes: dict[str, Any] = {
        k: [before[k], after[k]]
        for k in before
        if k not in ("results", "warnings") and before[k] != after[k]
    }
    for key in ("results", "warnings"):
        added = [x for x in after[key] if x not in before[key]]
        removed = [x for x in before[key] if x not in after[key]]
        if added or removed:
            changes[key] = {"added": added, "removed": removed}
    return changes


def _attach(
    session: Session, cert: Certificate, upload: Overrides, doc: parsers.Document
) -> int | None:
    """Link the certificate to lab, vendor, product and batch, and add its results; the
    id of a stored product whose facts changed (its other batches need judging again)."""
    product_changed = None
    warnings: list[str] = []
    cert.report_number = _fit(
        doc.report_number, Certificate.report_number, "report number", warnings
    )
    cert.sample_id = _fit(doc.sample_id, Certificate.sample_id, "sample id", warnings)
    cert.received, cert.tested, cert.reported = (
        _date(doc.dates.received),
        _date(doc.dates.tested),
        _date(doc.dates.reported),
    )
    lab_name = _fit(doc.lab.name, Lab.name, "lab name", warnings)
    if lab_name:
        cert.lab = catalog.get_or_create_lab(
            session,
            lab_name,
            _fit(doc.lab.accreditation, Lab.accreditation, "accreditation", warnings),
        )
    vendor_name = upload.vendor or _fit(doc.vendor, Vendor.name, "vendor", warnings)
    lot = upload.batch or _fit(doc.batch, Batch.lot, "lot", warnings)
    product_name = upload.product or _fit(doc.product, Product.name, "product", warnings)
    if warnings:
        cert.warnings = [*cert.warnings, *warnings]
    if vendor_name and lot:
        vendor = catalog.get_or_create_vendor(session, vendor_name)
        product = (
            catalog.get_or_create_product(session, vendor, product_name) if product_name else None
        )
        if product is not None and _describe(product, upload, doc):
            product_changed = product.id
        cert.batch = catalog.get_or_create_batch(session, vendor, lot, product)
        catalog.touch_batch(cert.batch, cert.tested or cert.reported, lab_name)
    cert.results = [_result(r, cert) for r in doc.results]
    cert.status = _status(cert, doc)
    return product_changed


def _describe(product: Product, upload: Overrides, doc: parsers.Document) -> bool:
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
    return product.id is not None and before != (
        product.form,
        product.serving_g,
        product.servings_per_day,
    )


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


def _result(r: parsers.ParsedResult, cert: Certificate) -> Result:
    return Result(
        batch=cert.batch,
        analyte=r.analyte,
        category=r.category,
        value=r.value,
        unit=r.unit,
        qualifier=r.qualifier,
        loq=r.loq,
        uncertainty=r.uncertainty,
        lab_status=r.lab_status,
        page=r.page,
        raw=r.raw,
        printed_value=r.printed_value,
        printed_unit=r.printed_unit,
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
        nice=int(config.get("PARSE_NICE", 0) or 0),
    )
