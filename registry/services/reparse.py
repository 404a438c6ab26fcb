"""Which stored certificates to read again (``flask --app wsgi certificates reparse``).

When the parser improves, every certificate read by an older version can be read again
from its stored original; each becomes a parse job (``registry.tasks.parsing``), whose
changes go to the audit log as a diff and whose batches are judged again.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from packaging.version import InvalidVersion, Version
from sqlalchemy.orm import Session

from registry.errors import Unprocessable
from registry.models import Certificate, CertificateStatus
from registry.services import corrections


def parse_version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise Unprocessable(
            f"{text!r} is not a version (such as 1.0.0)",
            errors={"parser_older_than": ["a version such as 1.0.0"]},
        ) from None


def _older(version: str | None, than: Version) -> bool:
    """Read by a version before ``than`` (a missing or unreadable version counts as older)."""
    try:
        return version is None or Version(version) < than
    except InvalidVersion:
        return True


def select(
    session: Session,
    ids: Iterable[int] = (),
    *,
    statuses: Iterable[CertificateStatus] = (),
    older_than: str | None = None,
    include_corrected: bool = False,
) -> tuple[list[int], list[int]]:
    """Certificates to read again, in id order, and those left out because a reviewer
    corrected them (a re-read would replace the corrections; ``include_corrected``).

    ``ids`` (none: every certificate), ``statuses`` and ``older_than`` narrow the choice
    together. A certificate whose parse is under way (``processing``) has its job already.
    """
    query = (
        sa.select(Certificate.id, Certificate.parser_version)
        .where(Certificate.status != CertificateStatus.PROCESSING)
        .order_by(Certificate.id)
    )
    wanted = list(ids)
    if wanted:
        query = query.where(Certificate.id.in_(wanted))
    statuses = list(statuses)
    if statuses:
        query = query.where(Certificate.status.in_(statuses))
    than = parse_version(older_than) if older_than else None
    chosen = [
        cid for cid, version in session.execute(query) if than is None or _older(version, than)
    ]
    if include_corrected:
        return chosen, []
    corrected = corrections.corrected(session, chosen)
    return [c for c in chosen if c not in corrected], sorted(corrected)
