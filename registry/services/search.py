"""Finding batches: the filters of ``GET /api/v1/batches`` as a few SQL statements.

A search is a capped count and a page, both over ``batches`` with the same predicates,
each an indexed predicate on ``batches`` or a probe of an index:

* ``vendor``: the vendor ids are looked up first (alias key or slug, a unique index
  each), then ``batches.vendor_id IN (...)`` (the ``(vendor_id, lot_key)`` index);
* ``lot``: a prefix of ``lot_key`` (so the exact lot too): a range on SQLite, where
  the index is binary-collated, and ``LIKE 'KEY%'`` on PostgreSQL (a
  ``varchar_pattern_ops`` index, whatever the database collation);
* ``status``, ``analyte``, ``category``: terms of the search summary ``batch_terms``
  (``registry.services.search_summary``: the status under each profile and under any,
  the analytes and categories a batch has results for), whose primary key
  ``(term, batch_id)`` is a posting list per term. Without a filter on batch columns
  the count joins the terms' posting lists in batch id order, the shortest first (a
  probe by key each on SQLite, a merge on PostgreSQL); otherwise each term is one key
  probe per batch (``(batch_id, term)``). No filter reads results or verdicts;
* ``lab``: ``EXISTS`` on certificates by ``batch_id``;
* ``q``: every word must occur in ``batches.search_text`` (casefolded vendor, lot,
  product and labs), ``LIKE '%word%'``: a pg_trgm GIN index on PostgreSQL. There, when
  at most :data:`RANK_MAX` batches match, they are ranked: batches where every word is
  a whole word (``to_tsvector('simple', search_text)``, a GIN index) come first, then
  those where some word is only part of a word; newest first within each. More matches
  (a common word) are listed newest first, and when they are many the page walks the
  ``(tested, id)`` index checking the words row by row (a few hundred rows for a page)
  rather than letting the planner fetch and sort every match. On SQLite the count finds
  words of three ASCII characters or more in ``batches_fts``, an FTS5 trigram table
  that triggers keep in step with ``batches`` (a word is a phrase of its trigrams:
  exactly the texts containing it), unless a vendor or lot finds fewer batches first;
  shorter words, and the page, use ``LIKE``. Without that table (an SQLite older than
  3.34 or built without FTS5) every word is scanned. SQLite does not rank.

Totals: the count stops at :data:`TOTAL_CAP` + 1 matches; beyond the cap ``total`` is
the cap, a lower bound, and ``total_exact`` is false. A count thus costs at most the
cap's worth of index entries however many batches match.

Pages: newest test first (``oldest``: oldest first), batches without a test date last
either way; each page is read along the ``(tested, id)`` index in parts (dated, then
undated; on PostgreSQL with words, per rank), so a page is found once it is full. A
page ends with an opaque cursor (the part, test date and id of its last batch) from
which the next page starts by key (``(tested, id) < (...)``): as fast at the
millionth batch as at the first, and stable while batches are added. ``page`` (an
offset) still works up to :data:`PAGE_CAP` batches deep. On SQLite the count of a
word or term search also returns the matches' ids when they are few, and the page is
read by id: a rare word would otherwise walk the whole (tested, id) index. SQLite plans
without statistics, so the statements steer it: terms and labs are probes per batch,
and dates are no index term under a word scan.

Statements are built once per combination of filters (and dialect) with bound
parameters, and executed through SQLAlchemy core on the session's connection, so a
search costs little more in Python than the SQL itself.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from registry.errors import Unprocessable
from registry.models import (
    Batch,
    BatchTerm,
    Certificate,
    Lab,
    Product,
    ProfileVersion,
    Vendor,
    VendorAlias,
    VerdictRecord,
)
from registry.services import analytes, search_summary
from registry.services.names import lot_key, name_key
from registry.thresholds.model import VerdictStatus

MAX_WORDS = 8  # words of ``q`` used; more add nothing but cost
#: ``profile=any``: a status under any profile; items then carry their worst status.
ANY_PROFILE = "any"
#: Worst first: the order in which a batch's statuses under its profiles are ranked.
WORST_FIRST: tuple[VerdictStatus, ...] = (
    VerdictStatus.FAIL,
    VerdictStatus.WARNING,
    VerdictStatus.INCOMPLETE,
    VerdictStatus.PASS,
)
#: At most this many vendors match a partial vendor name.
MAX_PARTIAL_VENDORS = 500
#: A search counts its matches exactly up to this many; beyond, ``total`` is this
#: number and ``total_exact`` false. A capped count costs about the cap's worth of index
#: entries divided by how selective the filters are: at 1,000 a search of three common
#: filters over a million batches reads a few thousand entries; at 10,000 it read tens
#: of thousands (40-600 ms here; see docs/search.md), and grew with the data.
TOTAL_CAP = 1_000
#: ``page`` × ``per_page`` at most this: deeper pages are read with ``cursor``.
PAGE_CAP = 10_000
#: PostgreSQL ranks the matches of ``q`` (whole words first) when there are at most this
#: many (when they are counted exactly); more are listed newest first (ranking them would
#: read every one for each page).
RANK_MAX = TOTAL_CAP
#: Terms are ordered by how many batches have them, counted up to this many (and kept a
#: few minutes): the rarest drives a count.
TERM_SIZE_CAP = 10_000
# Up to this many matches, an SQLite count also returns their ids (see ``_count_stmt``);
# above it a page is found at once by walking the (tested, id) index. Such a count goes
# on past the cap to this many, so that the ids are all there.
IDS_MAX = 2000
CURSOR_VERSION = 1

_B = cast(sa.Table, Batch.__table__)
_V = cast(sa.Table, Vendor.__table__)
_P = cast(sa.Table, Product.__table__)
_VD = cast(sa.Table, VerdictRecord.__table__)
_T = cast(sa.Table, BatchTerm.__table__)
_C = cast(sa.Table, Certificate.__table__)
_L = cast(sa.Table, Lab.__table__)
_A = cast(sa.Table, VendorAlias.__table__)


@dataclass(frozen=True)
class BatchFilters:
    vendor: str | None = None
    lot: str | None = None
    product: str | None = None
    lab: str | None = None
    status: str | None = None
    analyte: str | None = None
    profile: str | None = None
    q: str | None = None
    tested_after: date | None = None
    tested_before: date | None = None
    category: str | None = None


@dataclass(frozen=True)
class SearchPage:
    items: list[dict[str, Any]]
    total: int  # exact when ``total_exact``, else a lower bound (the cap)
    page: int
    per_page: int
    total_exact: bool = True
    next_cursor: str | None = None  # where the next page starts; None on the last page


_TERM_FILTERS = ("status", "analyte", "category")
_FILTERS = tuple(
    f.name for f in fields(BatchFilters) if f.name not in ("profile", "q", *_TERM_FILTERS)
)


def validate_filters(session: Session, f: BatchFilters, profile: str | None) -> BatchFilters:
    """The filters with the analyte resolved to its code (a name, symbol or code in any
    case); 422 naming the field for an analyte, a category or a ``profile`` asked for
    that does not exist. Call it before answering, so that an export fails before its
    first byte."""
    if f.analyte:
        f = replace(f, analyte=analytes.resolve_or_refuse(f.analyte))
    if f.category:
        known = {a.category for a in analytes.catalogue()}
        category = f.category.strip().lower().replace(" ", "_").replace("-", "_")
        if category not in known:
            raise Unprocessable(
                f"no category {f.category!r}",
                errors={
                    "category": [
                        f"unknown category {f.category!r}; one of {', '.join(sorted(known))}"
                    ]
                },
            )
        f = replace(f, category=category)
    if (
        profile is not None
        and profile != ANY_PROFILE
        and session.scalar(
            sa.select(ProfileVersion.id).where(
                ProfileVersion.code == profile, ProfileVersion.current
            )
        )
        is None
    ):
        raise Unprocessable(
            f"no profile {profile!r}",
            errors={
                "profile": [
                    f"unknown profile {profile!r}; GET /api/v1/profiles lists them, and "
                    f"profile={ANY_PROFILE} means any of them"
                ]
            },
        )
    return f


def check_page(page: int, per_page: int) -> None:
    """422 for a page deeper than :data:`PAGE_CAP` batches, pointing to the cursor."""
    if page * per_page > PAGE_CAP:
        deepest = max(1, PAGE_CAP // per_page)
        raise Unprocessable(
            f"page {page} is deeper than {PAGE_CAP:,} batches",
            errors={
                "page": [
                    f"page × per_page may be at most {PAGE_CAP:,} (with per_page={per_page}, page "
                    f"{deepest} is the deepest); read further with cursor: each page's "
                    f"next_cursor starts the next one"
                ]
            },
        )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ---------------------------------------------------------------------------------------
# Cursors: opaque to clients, a JSON array in URL-safe base64.


@dataclass(frozen=True)
class _Position:
    part: int
    tested: date | None
    id: int
    oldest: bool
    ranked: bool = False


def encode_cursor(pos: _Position) -> str:
    raw = json.dumps(
        [
            CURSOR_VERSION,
            pos.part,
            pos.tested.isoformat() if pos.tested else None,
            pos.id,
            int(pos.oldest),
            int(pos.ranked),
        ],
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> _Position:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, part, tested, batch_id, oldest, ranked = json.loads(raw)
        if version != CURSOR_VERSION or type(part) is not int or type(batch_id) is not int:
            raise ValueError(token)
        return _Position(
            part,
            date.fromisoformat(tested) if tested is not None else None,
            batch_id,
            bool(oldest),
            bool(ranked),
        )
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise Unprocessable(
            "not a cursor",
            errors={
                "cursor": [
                    "not a cursor this search gave: pass a page's next_cursor as it is, or start "
                    "again without one"
                ]
            },
        ) from error


# ---------------------------------------------------------------------------------------
# Parameters: the filters' values, folded the way the stored keys are.


@dataclass(frozen=True)
class _Shape:
    """What a statement depends on: which filters are set, how many words and terms,
    dialect.

    ``words`` are matched by ``LIKE`` (params ``w0``...), except that on SQLite, when
    ``fts`` is set, a count matches the words from ``like_only`` on through the FTS5
    trigram table (param ``fts``) and only the first ``like_only`` by ``LIKE``.
    ``terms``: summary terms required (params ``t0``...; ``t0`` drives a count that
    reads no batch column). ``rank``: PostgreSQL ranks word matches (param ``tsq``).
    """

    dialect: str
    present: frozenset[str]
    words: int
    fts: bool = False
    like_only: int = 0
    terms: int = 0
    rank: bool = False


def _params(f: BatchFilters, profile: str) -> tuple[frozenset[str], dict[str, Any], list[str]]:
    params: dict[str, Any] = {"profile": profile}
    present = set()
    for name in _FILTERS:
        value = getattr(f, name)
        if value is None or value == "":
            continue
        present.add(name)
        if name == "lot":
            key = lot_key(value)
            params["lot_like"] = _like_escape(key) + "%"
            params["lot_lo"] = key
            params["lot_hi"] = key + "\U0010ffff"
        elif name == "product":
            params["product_like"] = "%" + _like_escape(name_key(value)) + "%"
        elif name == "lab":
            params["lab_like"] = "%" + _like_escape(name_key(value)) + "%"
        elif name != "vendor":
            params[name] = value
    terms = []
    if f.status:
        terms.append(
            search_summary.status_term(
                search_summary.ANY if profile == ANY_PROFILE else profile, f.status
            )
        )
    if f.analyte:
        terms.append(search_summary.analyte_term(f.analyte))
    if f.category:
        terms.append(search_summary.category_term(f.category))
    return frozenset(present), params, terms


def _words(q: str | None) -> list[str]:
    return list(dict.fromkeys((q or "").casefold().split()))[:MAX_WORDS]


def _fts_word(word: str) -> bool:
    """True when the trigram index finds exactly the texts that contain ``word``.

    Trigrams need three characters; ASCII only, so that the index's case folding
    (Unicode-wide) cannot tell apart what ``LIKE`` on the casefolded text would not.
    """
    return len(word) >= 3 and word.isascii()


def _fts_query(words: list[str]) -> str:
    """An FTS5 query: every word as a quoted phrase (all literal), all required."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


# ---------------------------------------------------------------------------------------
# Statements, built once per shape.


def _where(
    shape: _Shape,
    id_col: sa.ColumnElement[int],
    *,
    batch_cols: bool,
    like_words: int | None = None,
    first_term: int = 0,
    count: bool = False,
) -> list[sa.ColumnElement[bool]]:
    """The predicates; those on batch columns only when ``batch_cols`` (else none may be).

    ``like_words``: how many of the words (the first ones) to match with ``LIKE``; all
    when None. ``first_term``: terms before it are answered elsewhere (the count's
    driving posting list). ``count``: for the count, whose order does not matter (see
    below).

    On PostgreSQL, a count with words takes no date range from the ``(tested, id)``
    index: the words' trigram index finds the candidates in table order, and a range of
    dates, often most of the table, would only add a bitmap as large. When a vendor or
    a lot picks the batches (a few thousand at most), terms and labs are probed per
    batch (``OFFSET 0`` keeps the planner from turning the probe into a join that reads
    a whole posting list).
    """
    p = shape.present
    out: list[sa.ColumnElement[bool]] = []
    probe = shape.dialect == "postgresql" and bool(p & {"vendor", "lot"})
    if batch_cols:
        if "vendor" in p:
            out.append(_B.c.vendor_id.in_(sa.bindparam("vendor_ids", expanding=True)))
        if "lot" in p:
            if shape.dialect == "sqlite":
                out += [
                    _B.c.lot_key >= sa.bindparam("lot_lo"),
                    _B.c.lot_key < sa.bindparam("lot_hi"),
                ]
            else:
                out.append(_B.c.lot_key.like(sa.bindparam("lot_like"), escape="\\"))
        if "product" in p:
            out.append(
                _B.c.product_id.in_(
                    sa.select(_P.c.id).where(
                        _P.c.key.like(sa.bindparam("product_like"), escape="\\")
                    )
                )
            )
        tested: sa.ColumnElement[Any] = _B.c.tested
        if _scans(shape):
            # The words are matched by a scan anyway: reading batches in index order
            # for a date range would add a random row read per dated batch.
            tested = _no_index(tested)
        elif count and shape.words and shape.dialect == "postgresql":
            tested = sa.func.coalesce(_B.c.tested, _B.c.tested)  # no index orders it
        if "tested_after" in p:
            out.append(tested >= sa.bindparam("tested_after"))
        if "tested_before" in p:
            out.append(tested <= sa.bindparam("tested_before"))
        text = _B.c.search_text
        for i in range(shape.words if like_words is None else like_words):
            out.append(text.like(sa.bindparam(f"w{i}"), escape="\\"))
    if "lab" in p:
        out.append(
            _exists(
                _C,
                probe,
                _C.c.batch_id == id_col,
                _C.c.lab_id.in_(
                    sa.select(_L.c.id).where(_L.c.key.like(sa.bindparam("lab_like"), escape="\\"))
                ),
            )
        )
    for i in range(first_term, shape.terms):
        t = _T.alias(f"t{i}")
        out.append(_exists(t, probe, t.c.term == sa.bindparam(f"t{i}"), t.c.batch_id == id_col))
    return out


def _no_index(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``+column``: the same value, which SQLite's planner uses no index for."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def _exists(table: sa.FromClause, probe: bool, *where: sa.ColumnElement[bool]) -> sa.Exists:
    """``EXISTS``; ``probe``: with ``OFFSET 0``, which PostgreSQL never turns into a
    join, so that it stays one index probe per row."""
    # SELECT 1, not SELECT *: SQLite then answers from a covering index alone.
    stmt: sa.Select[Any] = sa.select(sa.literal_column("1")).select_from(table).where(*where)
    return (stmt.offset(0) if probe else stmt).exists()


def _needs_batch_cols(shape: _Shape, like_words: int | None = None) -> bool:
    words = shape.words if like_words is None else like_words
    return bool(
        words or shape.present & {"vendor", "lot", "product", "tested_after", "tested_before"}
    )


def _scans(shape: _Shape) -> bool:
    """True when words are matched on SQLite: by the trigram table, or by a scan."""
    return shape.dialect == "sqlite" and shape.words > 0


def _with_ids(shape: _Shape) -> bool:
    """Whether an SQLite count returns the ids of few matches (for a page read by id)."""
    return shape.dialect == "sqlite" and bool(shape.words or shape.terms or "lab" in shape.present)


def _whole_words() -> sa.ColumnElement[bool]:
    """PostgreSQL: every word is a whole word of the text (``ix_batches_search_tsv``)."""
    tsv = sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), _B.c.search_text)
    query = sa.func.plainto_tsquery(sa.literal_column("'simple'::regconfig"), sa.bindparam("tsq"))
    return tsv.op("@@", is_comparison=True)(query)


# SQLite's FTS5 trigram table over batches.search_text, kept by triggers (created by a
# migration, not a model). Its rowid is the batch id.
_FTS = sa.table("batches_fts", sa.column("rowid", sa.Integer))
_MATCH = sa.literal_column("batches_fts").op("MATCH")(sa.bindparam("fts"))


def _matches(shape: _Shape) -> tuple[sa.Select[Any], sa.ColumnElement[int]]:
    """The ids of the matches (a select of one column), and that column."""
    if shape.fts:
        # Starting from the trigram table's matches: a word costs its matches, not a
        # scan. Batches are joined only for predicates on their columns.
        if _needs_batch_cols(shape, shape.like_only):
            frm: Any = _FTS.join(_B, _B.c.id == _FTS.c.rowid)
            id_col: sa.ColumnElement[int] = _B.c.id
            where = _where(shape, id_col, batch_cols=True, like_words=shape.like_only)
        else:
            frm, id_col = _FTS, _FTS.c.rowid
            where = _where(shape, id_col, batch_cols=False)
        return sa.select(id_col.label("id")).select_from(frm).where(_MATCH, *where), id_col
    if shape.terms and not _needs_batch_cols(shape):
        # The terms' posting lists joined in batch id order (the first drives: a probe by
        # key each on SQLite, a merge on PostgreSQL): no batch row is read (each term
        # names an existing batch), and the cap stops the walk.
        t0 = _T.alias("t0")
        frm = t0
        for i in range(1, shape.terms):
            t = _T.alias(f"t{i}")
            frm = frm.join(
                t, sa.and_(t.c.term == sa.bindparam(f"t{i}"), t.c.batch_id == t0.c.batch_id)
            )
        return (
            sa.select(t0.c.batch_id.label("id"))
            .select_from(frm)
            .where(
                t0.c.term == sa.bindparam("t0"),
                *_where(shape, t0.c.batch_id, batch_cols=False, first_term=shape.terms),
            )
            .order_by(t0.c.batch_id),
            t0.c.batch_id,
        )
    return sa.select(_B.c.id).where(*_where(shape, _B.c.id, batch_cols=True, count=True)), _B.c.id


@lru_cache(maxsize=512)
def _count_stmt(shape: _Shape) -> sa.Select[Any]:
    """``count`` (at most ``cap``) and, on SQLite, the ids of few matches (a JSON array)."""
    ids = _matches(shape)[0].limit(sa.bindparam("cap")).subquery("m")
    stmt = sa.select(sa.func.count()).select_from(ids)
    if _with_ids(shape):
        stmt = stmt.add_columns(
            sa.case(
                (
                    sa.func.count() <= sa.bindparam("ids_max"),
                    "[" + sa.func.group_concat(ids.c.id) + "]",
                ),
                else_=sa.null(),
            )
        )
    return stmt


def _parts(ranked: bool) -> list[tuple[int | None, bool]]:
    """The parts a page is read from, in order: (rank tier or None, dated)."""
    tiers: tuple[int | None, ...] = (0, 1) if ranked else (None,)
    return [(tier, dated) for tier in tiers for dated in (True, False)]


def _part_where(shape: _Shape, tier: int | None, dated: bool) -> list[sa.ColumnElement[bool]]:
    tested: sa.ColumnElement[Any] = _B.c.tested
    if not dated and shape.dialect == "sqlite" and shape.present & {"lot", "vendor"}:
        # A lot or a vendor picks a handful of batches by its own index; SQLite, which
        # plans without statistics, would otherwise read every undated batch along the
        # (tested, id) index and check the lot on each (8 ms at a million).
        tested = _no_index(tested)
    out: list[sa.ColumnElement[bool]] = [tested.is_not(None) if dated else tested.is_(None)]
    if tier is not None:
        out.append(_whole_words() if tier == 0 else sa.not_(_whole_words()))
    return out


_BY_IDS = _B.c.id.in_(
    sa.select(sa.column("value")).select_from(sa.func.json_each(sa.bindparam("ids")))
)


def _part_ids(shape: _Shape, tier: int | None, dated: bool, by_ids: bool) -> sa.Select[Any]:
    inner = sa.select(_B.c.id, _B.c.tested).where(
        *_where(shape, _B.c.id, batch_cols=True), *_part_where(shape, tier, dated)
    )
    return inner.where(_BY_IDS) if by_ids else inner


@lru_cache(maxsize=512)
def _part_count_stmt(shape: _Shape, tier: int | None, dated: bool, by_ids: bool) -> sa.Select[Any]:
    """How many matches a part holds, at most ``cap``."""
    sub = _part_ids(shape, tier, dated, by_ids).limit(sa.bindparam("cap")).subquery()
    return sa.select(sa.func.count()).select_from(sub)


_COLUMNS = (
    _B.c.id,
    _V.c.name.label("vendor"),
    _V.c.slug.label("vendor_slug"),
    _P.c.name.label("product"),
    _B.c.lot,
    _VD.c.status,
    _B.c.tested,
)


def _from() -> Any:
    return (
        _B.join(_V, _V.c.id == _B.c.vendor_id)
        .outerjoin(_P, _P.c.id == _B.c.product_id)
        .outerjoin(
            _VD, sa.and_(_VD.c.batch_id == _B.c.id, _VD.c.profile_code == sa.bindparam("profile"))
        )
    )


@lru_cache(maxsize=1024)
def _page_stmt(
    shape: _Shape,
    tier: int | None,
    dated: bool,
    after: bool,
    by_ids: bool,
    oldest: bool,
    fetch: bool = False,
) -> sa.Select[Any]:
    """A page of one part. ``after``: the part's batches after the cursor's (params
    ``k_tested``, ``k_id``). ``oldest``: dated batches oldest test first (undated ones
    by id). ``fetch`` (PostgreSQL, word matches counted exactly, a thousand at most):
    every match is fetched by the word indexes and sorted, not found by walking the
    date index past rare rows. More word matches are walked along the (tested, id)
    index, whose entries carry ``search_text`` (an index-only scan): the same statement,
    run with table and bitmap scans set aside (:data:`_WALK_ON`), since the planner,
    misjudging how often words occur, would otherwise fetch and sort every match.

    The page's ids are found on batches alone (the predicates probe what they need) and
    only those rows are joined to vendors, products and verdicts: a deep page skips its
    offset along the (tested, id) index without joining the rows it skips.
    """
    inner = _part_ids(shape, tier, dated, by_ids)
    by_id = _B.c.id.asc() if oldest else _B.c.id.desc()
    if dated:
        # coalesce(tested, tested): the same value, which no index orders.
        tested = sa.func.coalesce(_B.c.tested, _B.c.tested) if fetch else _B.c.tested
        by_tested = tested.asc() if oldest else tested.desc()
        if after:
            key = sa.tuple_(tested, _B.c.id)
            mark = sa.tuple_(sa.bindparam("k_tested", type_=sa.Date), sa.bindparam("k_id"))
            inner = inner.where(key > mark if oldest else key < mark)
        inner = inner.order_by(by_tested, by_id)
    else:
        if after:
            k_id: sa.BindParameter[int] = sa.bindparam("k_id")
            inner = inner.where(_B.c.id > k_id if oldest else _B.c.id < k_id)
        inner = inner.order_by(by_id)
    page = inner.limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("page")
    p_id = page.c.id.asc() if oldest else page.c.id.desc()
    p_tested = page.c.tested.asc() if oldest else page.c.tested.desc()
    order = (p_tested, p_id) if dated else (p_id,)
    return (
        sa.select(*_COLUMNS)
        .select_from(page.join(_B, _B.c.id == page.c.id))
        .join(_V, _V.c.id == _B.c.vendor_id)
        .outerjoin(_P, _P.c.id == _B.c.product_id)
        .outerjoin(
            _VD, sa.and_(_VD.c.batch_id == _B.c.id, _VD.c.profile_code == sa.bindparam("profile"))
        )
        .order_by(*order)
    )


@lru_cache(maxsize=512)
def _export_stmt(shape: _Shape, dated: bool, first: bool) -> sa.Select[Any]:
    """A chunk of an export in the JSON's order: dated batches newest test first (then
    id), then undated ones by id, each part walked by keyset from the last row sent."""
    stmt = sa.select(*_COLUMNS).select_from(_from()).where(*_where(shape, _B.c.id, batch_cols=True))
    if dated:
        stmt = stmt.where(_B.c.tested.is_not(None))
        if not first:
            last = sa.bindparam("last_tested", type_=_B.c.tested.type)
            stmt = stmt.where(
                sa.or_(
                    _B.c.tested < last,
                    sa.and_(_B.c.tested == last, _B.c.id < sa.bindparam("last_id")),
                )
            )
        return stmt.order_by(_B.c.tested.desc(), _B.c.id.desc()).limit(sa.bindparam("limit"))
    stmt = stmt.where(_B.c.tested.is_(None))
    if not first:
        stmt = stmt.where(_B.c.id < sa.bindparam("last_id"))
    return stmt.order_by(_B.c.id.desc()).limit(sa.bindparam("limit"))


_VENDOR_IDS = (
    sa.select(_A.c.vendor_id)
    .where(_A.c.key == sa.bindparam("key"))
    .union(sa.select(_V.c.id).where(_V.c.slug == sa.bindparam("slug")))
)
# A part of a name ("viva" for Vivadzen), when no spelling or slug is the whole of it.
_PARTIAL_VENDOR_IDS = (
    sa.select(_A.c.vendor_id)
    .where(_A.c.key.like(sa.bindparam("like"), escape="\\"))
    .union(sa.select(_V.c.id).where(_V.c.slug.like(sa.bindparam("slug_like"), escape="\\")))
    .limit(MAX_PARTIAL_VENDORS)
)
# How many batches a term has, at most ``cap``: the shortest drives a count.
_TERM_SIZE = sa.select(sa.func.count()).select_from(
    sa.select(_T.c.batch_id)
    .where(_T.c.term == sa.bindparam("term"))
    .limit(sa.bindparam("cap"))
    .subquery()
)


# ---------------------------------------------------------------------------------------
# Running them


def _prepare(
    conn: sa.Connection, f: BatchFilters, profile: str
) -> tuple[_Shape, dict[str, Any]] | None:
    """The statement shape and parameters; None when nothing can match."""
    present, params, terms = _params(f, profile)
    words = _words(f.q)
    fts = False
    dialect = conn.dialect.name
    if words and dialect == "sqlite":
        indexed = [w for w in words if _fts_word(w)]
        # A vendor or lot finds few batches by its own index: their words are then
        # checked row by row, cheaper than all the word's matches.
        fts = bool(indexed) and not present & {"vendor", "lot"} and _fts_ready(conn)
        if fts:
            words = [w for w in words if not _fts_word(w)] + indexed  # LIKE-only first
            params["fts"] = _fts_query(indexed)
    for i, word in enumerate(words):
        params[f"w{i}"] = "%" + _like_escape(word) + "%"
    rank = bool(words) and dialect == "postgresql"
    if rank:
        params["tsq"] = " ".join(words)
    if "lot" in present and not params["lot_lo"]:
        return None  # nothing but dashes and spaces: it names no lot
    if "vendor" in present:
        assert f.vendor is not None
        ids = vendor_ids(conn, f.vendor)
        if not ids:
            return None
        params["vendor_ids"] = ids
    if len(terms) > 1 and not fts:
        # The term with the fewest batches first (it drives a count without batch
        # columns).
        terms.sort(key=lambda t: _term_size(conn, t))
    for i, term in enumerate(terms):
        params[f"t{i}"] = term
    like_only = sum(not _fts_word(w) for w in words) if fts else 0
    return _Shape(dialect, present, len(words), fts, like_only, len(terms), rank), params


_SIZES: dict[tuple[str, str], tuple[int, float]] = {}
SIZE_TTL_S = 300.0


def _term_size(conn: sa.Connection, term: str) -> int:
    """How many batches have ``term``, counted up to the cap, a short index range; kept
    a few minutes (it orders the terms of a statement, never decides what matches)."""
    key = (str(conn.engine.url), term)
    known = _SIZES.get(key)
    now = time.monotonic()
    if known is None or now - known[1] > SIZE_TTL_S:
        if len(_SIZES) > 10_000:
            _SIZES.clear()
        known = (
            conn.execute(_TERM_SIZE, {"term": term, "cap": TERM_SIZE_CAP + 1}).scalar_one(),
            now,
        )
        _SIZES[key] = known
    return known[0]


def vendor_ids(conn: sa.Connection, name: str) -> list[int]:
    """The vendors a typed name means: every vendor one of whose spellings (or slug) is
    the whole name; when none is, every vendor with a spelling containing it."""
    key = name_key(name)
    ids = list(conn.execute(_VENDOR_IDS, {"key": key, "slug": name.strip().lower()}).scalars())
    if ids or len(key) < 2:
        return ids
    return list(
        conn.execute(
            _PARTIAL_VENDOR_IDS,
            {
                "like": "%" + _like_escape(key) + "%",
                "slug_like": "%" + _like_escape(key.replace(" ", "-")) + "%",
            },
        ).scalars()
    )


_FTS_READY: weakref.WeakKeyDictionary[sa.Engine, bool] = weakref.WeakKeyDictionary()


def _fts_ready(conn: sa.Connection) -> bool:
    """Whether this SQLite database has the trigram table (see the migration that makes
    it: SQLite older than 3.34 or without FTS5 has none, and words are then scanned)."""
    ready = _FTS_READY.get(conn.engine)
    if ready is None:
        ready = (
            conn.execute(
                sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'batches_fts'")
            ).first()
            is not None
        )
        _FTS_READY[conn.engine] = ready
    return ready


def _item(row: Any, profile: str) -> dict[str, Any]:
    return {
        "id": row[0],
        "vendor": row[1],
        "vendor_slug": row[2],
        "product": row[3],
        "lot": row[4],
        "status": row[5],
        "tested": row[6],
        "profile": profile,
    }


_RANK: dict[str, int] = {status: i for i, status in enumerate(WORST_FIRST)}


def _with_worst(conn: sa.Connection, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item with ``worst_status`` (its worst under any profile) and
    ``failing_profiles``; under ``profile=any`` its ``status`` is the worst one."""
    if not items:
        return items
    by_batch: dict[int, list[tuple[str, str]]] = {}
    rows = conn.execute(
        sa.select(_VD.c.batch_id, _VD.c.profile_code, _VD.c.status).where(
            _VD.c.batch_id.in_([i["id"] for i in items])
        )
    )
    for batch_id, code, status in rows:
        by_batch.setdefault(batch_id, []).append((code, status))
    for item in items:
        verdicts = by_batch.get(item["id"], [])
        worst = min(
            (s for _c, s in verdicts), key=lambda s: _RANK.get(s, len(WORST_FIRST)), default=None
        )
        item["worst_status"] = worst
        item["failing_profiles"] = sorted(c for c, s in verdicts if s == "fail")
        if item["profile"] == ANY_PROFILE:
            item["status"] = worst
    return items


def search_batches(
    session: Session,
    f: BatchFilters,
    *,
    profile: str,
    page: int = 1,
    per_page: int,
    oldest: bool = False,
    cursor: str | None = None,
) -> SearchPage:
    """A page of matches, newest test first (``oldest``: oldest test first); batches
    without a test date come last either way; on PostgreSQL word matches rank first.

    ``cursor``: a page's ``next_cursor``, from which this page starts (``page`` is then
    only echoed). Without it, ``page`` is an offset, at most :data:`PAGE_CAP` batches
    deep (422 beyond). ``total`` is exact up to :data:`TOTAL_CAP`, else that lower bound
    with ``total_exact`` false.
    """
    pos = decode_cursor(cursor) if cursor else None
    if pos is None:
        check_page(page, per_page)
    elif pos.oldest != oldest:
        raise Unprocessable(
            "the cursor is of the other order",
            errors={
                "cursor": [
                    "this cursor continues a search in the other order; keep the sort it was given in"
                ]
            },
        )
    conn = session.connection()
    prepared = _prepare(conn, f, profile)
    if prepared is None:
        return SearchPage([], 0, page, per_page)
    shape, params = prepared
    # SQLite: a count that returns the ids of few matches goes on to IDS_MAX, past the
    # cap, so that the ids are all there (a page is then read by id, not found by
    # walking the date index past rows the words rule out).
    limit = max(TOTAL_CAP, IDS_MAX if _with_ids(shape) else 0) + 1
    counted = conn.execute(_count_stmt(shape), {**params, "cap": limit, "ids_max": IDS_MAX}).one()
    exact = counted[0] <= TOTAL_CAP
    total = min(counted[0], TOTAL_CAP)
    ids = counted[1] if len(counted) > 1 else None
    offset = 0 if pos is not None else (page - 1) * per_page
    # Ranked (PostgreSQL, words): when the matches are few enough to rank each page
    # among all of them; a cursor keeps the order its first page had.
    if pos is not None:
        ranked = pos.ranked and shape.rank
    else:
        ranked = shape.rank and counted[0] <= RANK_MAX
    if pos is not None and pos.part >= len(_parts(ranked)):
        decode_cursor("")  # a cursor of another search: refused as malformed
    if total == 0 or (exact and total <= offset):
        return SearchPage([], total, page, per_page, exact)
    # More word matches than are ranked: the page walks the (tested, id) index, whose
    # entries carry search_text on PostgreSQL (see _page_stmt), checking the words.
    walk = shape.rank and not ranked
    if walk:
        # The planner cannot know how often a word occurs in the text, and with two
        # words it expects a handful of rows, so it would scan the table and sort every
        # match; here at least one batch in a thousand matches: walking the index finds
        # a page sooner. Table scans are set aside for the page's statements only.
        before = conn.execute(_WALK_ON).one()
    found, last = _read_page(
        conn,
        shape,
        params,
        ids,
        pos,
        offset,
        per_page,
        oldest,
        ranked,
        fetch=shape.rank and not walk,
    )
    if walk:
        conn.execute(_WALK_OFF, {"seqscan": before[0], "bitmapscan": before[1]})
    items = _with_worst(conn, [_item(r, profile) for r in found])
    return SearchPage(
        items, total, page, per_page, exact, encode_cursor(last) if last is not None else None
    )


# PostgreSQL's planner settings for a walk (``set_config(..., true)``: this transaction
# only), returning the values they had, which are set back after the page.
_WALK_ON = sa.text(
    "SELECT current_setting('enable_seqscan'), current_setting('enable_bitmapscan'), "
    "set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)"
)
_WALK_OFF = sa.text(
    "SELECT set_config('enable_seqscan', :seqscan, true), "
    "set_config('enable_bitmapscan', :bitmapscan, true)"
)


def _read_page(
    conn: sa.Connection,
    shape: _Shape,
    params: dict[str, Any],
    ids: str | None,
    pos: _Position | None,
    offset: int,
    per_page: int,
    oldest: bool,
    ranked: bool,
    fetch: bool = False,
) -> tuple[list[Any], _Position | None]:
    """The page's rows, part after part, and the position of its last row when more
    follow."""
    parts = _parts(ranked)
    by_ids = ids is not None
    need = per_page + 1  # one more tells whether a next page exists
    skip = offset
    rows: list[tuple[int, Any]] = []
    for i in range(pos.part if pos else 0, len(parts)):
        tier, dated = parts[i]
        after = pos is not None and i == pos.part
        if after and not dated and pos is not None and pos.tested is not None:
            after = False  # (cannot happen: an undated part's cursor has no date)
        values = {**params, "limit": need - len(rows), "offset": skip, "ids": ids}
        if after and pos is not None:
            values.update(k_tested=pos.tested, k_id=pos.id)
        got = conn.execute(
            _page_stmt(shape, tier, dated, after, by_ids, oldest, fetch), values
        ).all()
        if skip and not got:
            # The offset lies beyond this part: skip its matches (at most the offset).
            skip -= conn.execute(
                _part_count_stmt(shape, tier, dated, by_ids),
                {**params, "cap": skip, "ids": ids},
            ).scalar_one()
            continue
        skip = 0
        rows += [(i, r) for r in got]
        if len(rows) >= need:
            break
    if len(rows) <= per_page:
        return [r for _, r in rows], None
    part, row = rows[per_page - 1]
    return [r for _, r in rows[:per_page]], _Position(part, row[6], row[0], oldest, ranked)


def iter_batches(
    session: Session, f: BatchFilters, *, profile: str, chunk: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every matching batch (no cap) in the order of :func:`search_batches` (newest
    test first, undated last), streamed in keyset-paginated chunks (for exports)."""
    conn = session.connection()
    prepared = _prepare(conn, f, profile)
    if prepared is None:
        return
    shape, params = prepared
    for dated in (True, False):
        last: dict[str, Any] | None = None
        while True:
            stmt = _export_stmt(shape, dated, last is None)
            rows = conn.execute(stmt, {**params, "limit": chunk, **(last or {})}).all()
            if not rows:
                break
            items = [_item(row, profile) for row in rows]
            last = {"last_id": items[-1]["id"], "last_tested": items[-1]["tested"]}
            yield from _with_worst(conn, items)
