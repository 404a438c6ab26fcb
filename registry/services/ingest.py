"""Bulk import: take in many COA files, parsing several at once.

Parsing (in child processes) runs ``jobs`` at a time; recording runs in the calling
thread, one unit of work per file, so that one bad file never loses the others and an
interrupted import keeps everything recorded before it (the same bytes imported again
are recognised as duplicates).
"""

from __future__ import annotations

import enum
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

import parsers
from registry import unit_of_work
from registry.db import not_migrated
from registry.errors import RegistryError
from registry.models import CertificateStatus
from registry.services import certificates, verdicts
from registry.storage import Storage

AHEAD = 6  # files in flight per parsing process


class Outcome(enum.StrEnum):
    PARSED = "parsed"
    NEEDS_REVIEW = "needs review"
    UNREADABLE = "unreadable"
    DUPLICATE = "duplicate"
    REFUSED = "refused"  # not a PDF, empty, too large: nothing kept
    FAILED = "failed"  # kept in storage, but its rows could not be written (reported, the rest go on)


@dataclass
class FileReport:
    path: Path
    outcome: Outcome
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
        return not any(r.outcome in (Outcome.UNREADABLE, Outcome.REFUSED, Outcome.FAILED)
                       for r in self.reports)


def find_pdfs(paths: Iterable[Path]) -> list[Path]:
    """Files given, and every ``*.pdf`` (any case) below folders given, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _prepare(path: Path, storage: Storage, limits: parsers.Limits,
             max_bytes: int) -> certificates.Upload | FileReport:
    try:
        upload = certificates.Upload(data=path.read_bytes(), filename=path.name)
        certificates.check_upload(upload, max_bytes)
    except OSError as error:
        return FileReport(path, Outcome.REFUSED, detail=error.strerror or str(error))
    except RegistryError as error:
        return FileReport(path, Outcome.REFUSED, detail=error.detail)
    certificates.prepare(upload, storage, limits)
    return upload


def _record(session: Session, path: Path, upload: certificates.Upload,
            default_profile: str) -> FileReport:
    """Record one file in a transaction of its own; a database error is this file's
    outcome (rolled back, nothing of it written), never the end of the import."""
    try:
        cert, created = unit_of_work.commit(session, lambda: certificates.record(
            session, upload, uploader_id=None, actor="cli:ingest"))
    except SQLAlchemyError as error:
        if not_migrated(error):
            raise  # no file can be recorded: the import stops with the one thing to do
        reason = str(getattr(error, "orig", None) or error).splitlines()[0][:300]
        return FileReport(path, Outcome.FAILED, detail=f"not recorded: {type(error).__name__}: {reason}")
    if not created:
        return FileReport(path, Outcome.DUPLICATE, cert.id)
    outcome = {CertificateStatus.PARSED: Outcome.PARSED,
               CertificateStatus.NEEDS_REVIEW: Outcome.NEEDS_REVIEW,
               CertificateStatus.UNREADABLE: Outcome.UNREADABLE}[cert.status]
    failing = cert.batch_id is not None and any(
        v["profile"] == default_profile and v["status"] == "fail"
        for v in verdicts.for_batch(session, cert.batch_id))
    return FileReport(path, outcome, cert.id, failing, cert.status_reason)


def ingest_files(session: Session, storage: Storage, files: list[Path], *,
                 limits: parsers.Limits, max_bytes: int, jobs: int, default_profile: str,
                 on_done: Callable[[FileReport], None] = lambda r: None) -> Summary:
    """Import ``files`` in order; ``on_done`` is called after each (for a progress bar).

    At most ``AHEAD x jobs`` files are read and parsed ahead of the one being recorded
    (results are recorded in order, so a slow scan must not leave the other workers
    idle), and a folder of any size costs the memory of a few files.
    """
    summary = Summary()
    jobs = max(1, jobs)
    pending: deque[tuple[Path, Future[certificates.Upload | FileReport]]] = deque()
    queue = iter(files)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while True:
            while len(pending) < AHEAD * jobs and (path := next(queue, None)) is not None:
                pending.append((path, pool.submit(_prepare, path, storage, limits, max_bytes)))
            if not pending:
                return summary
            path, future = pending.popleft()
            item = future.result()
            report = item if isinstance(item, FileReport) else _record(
                session, path, item, default_profile)
            summary.reports.append(report)
            on_done(report)
