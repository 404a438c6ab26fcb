"""What search filters read without probing results or verdicts batch by batch."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base


class BatchTerm(Base):
    """One fact about a batch that a search filter asks for, as a term:

    * ``s:<profile>:<status>``: the batch's current status under a profile;
    * ``s:*:<status>``: that status under at least one profile (``profile=any``);
    * ``a:<analyte>``: the batch has a result for that analyte;
    * ``c:<category>``: the batch has a result in that category.

    The primary key ``(term, batch_id)`` is a posting list per term: a filter walks one
    term's batches in id order and probes the others by key; ``(batch_id, term)`` serves a
    probe from a batch and the refresh of a batch's terms. Kept by
    ``registry.services.search_summary.refresh`` in the same transaction as the
    verdicts (``registry.services.verdicts.judge_batches``).
    """

    __tablename__ = "batch_terms"
    __table_args__ = (
        sa.Index("ix_batch_terms_batch_id_term", "batch_id", "term", unique=True),
        {"sqlite_with_rowid": False},
    )

    term: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True
    )


# PostgreSQL also has ``ix_batches_search_tsv``, a GIN index of
# ``to_tsvector('simple', batches.search_text)`` (whole words; the ranking of ``q``), made
# by migration f2a9c4d81e37 and left out of the models (SQLite cannot have it; see
# ``UNMODELLED_INDEXES`` in migrations/env.py).
