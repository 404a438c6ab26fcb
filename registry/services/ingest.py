"""Bulk import: what ``flask ingest`` reports about each file, and which files it takes.

The import itself is ``registry.tasks.parsing.ingest_files``: each file is taken in as
an upload is (stored, then recorded ``processing`` with its parse job), parsed in a
child process several at a time, and recorded in a unit of work of its own, so that
one bad file never loses the others and an interrupted import keeps everything
recorded before it (the same bytes imported again are recognised as duplicates).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

from registry.models import Certificate, CertificateStatus
from registry.services import verdicts


class IngestOutcome(enum.StrEnum):
    PARSED = "parsed"
    NEEDS_REVIEW = "needs review"
    UNREADABLE = "unreadable"
    DUPLICATE = "duplicate"
    REFUSED = "refused"  # not a PDF, empty, too large: nothing kept
    FAILED = (
        "failed"  # kept in storage, but its rows could not be written (reported, the rest go on)
    )


@dataclass
class FileReport:
    path: Path
    outcome: IngestOutcome
    certificate_id: int | None = None
    failing: bool = False
    detail: str | None = None


@dataclass
class Summary:
    reports: list[FileReport] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        c: Counter[str] = Counter(r.outcome.value for r in self.reports)
        c["failing"] = sum(r.failing for r in self.reports)
        return c

    @property
    def ok(self) -> bool:
        return not any(
            r.outcome in (IngestOutcome.UNREADABLE, IngestOutcome.REFUSED, IngestOutcome.FAILED)
            for r in self.reports
        )


def find_pdfs(paths: Iterable[Path]) -> list[Path]:
    """Files given, and every ``*.pdf`` (any case) below folders given, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
            )
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def not_recorded(path: Path, error: SQLAlchemyError) -> FileReport:
    """A file whose rows could not be written (rolled back, nothing of it kept but the
    stored original): reported, never the end of the import."""
    reason = str(getattr(error, "orig", None) or error).splitlines()[0][:300]
    return FileReport(
        path, IngestOutcome.FAILED, detail=f"not recorded: {type(error).__name__}: {reason}"
    )


def duplicate(path: Path, cert: Certificate) -> FileReport:
    """A file whose bytes were taken in before: a duplicate, unless its certificate is
    unreadable (then it is reported so again, with the reason: an import re-run after a
    failure must not look clean; ``flask certificates reparse`` reads it again)."""
    if cert.status is CertificateStatus.UNREADABLE:
        return FileReport(
            path,
            IngestOutcome.UNREADABLE,
            cert.id,
            detail=f"already taken in as certificate {cert.id}: {cert.status_reason}",
        )
    return FileReport(path, IngestOutcome.DUPLICATE, cert.id)


def report_for(
    session: Session | scoped_session[Session], path: Path, cert: Certificate, default_profile: str
) -> FileReport:
    """How a recorded file came out, for the summary."""
    outcome = {
        CertificateStatus.PARSED: IngestOutcome.PARSED,
        CertificateStatus.NEEDS_REVIEW: IngestOutcome.NEEDS_REVIEW,
        CertificateStatus.UNREADABLE: IngestOutcome.UNREADABLE,
        CertificateStatus.PROCESSING: IngestOutcome.FAILED,
    }[cert.status]
    failing = bool(cert.batch_id) and any(
        v["profile"] == default_profile and v["status"] == "fail"
        for v in verdicts.for_batch(session, cert.batch_id)  # type: ignore[arg-type]
    )
    return FileReport(path, outcome, cert.id, failing, cert.status_reason)
