"""Finding batches: the filters of ``GET /api/v1/batches`` as a few SQL statements.

A search is a count and a page, both over ``batches`` with the same predicates, each an
indexed predicate on ``batches`` or a semi-join on an index:

* ``vendor``: the vendor ids are looked up first (alias key or slug, a unique index
  each), then ``batches.vendor_id IN (...)`` (the ``(vendor_id, lot_key)`` index);
* ``lot``: a prefix of ``lot_key`` (so the exact lot too): a range on SQLite, where
  the index is binary-collated, and ``LIKE 'KEY%'`` on PostgreSQL (a
  ``varchar_pattern_ops`` index, whatever the database collation);
* ``status``: the verdict under the profile (unique ``(batch_id, profile_code)``), or
  the ``(profile_code, status, batch_id)`` index when counting; ``analyte`` and
  ``lab``: ``EXISTS (SELECT 1 ...)`` on results by ``(batch_id, analyte)`` (covering)
  and certificates by ``batch_id``;
* ``q``: every word must occur in ``batches.search_text`` (casefolded vendor, lot,
  product and labs), ``LIKE '%word%'``: a pg_trgm GIN index on PostgreSQL. On SQLite
  the count finds words of three ASCII characters or more in ``batches_fts``, an FTS5
  trigram table that triggers keep in step with ``batches`` (a word is a phrase of its
  trigrams: exactly the texts containing it), unless a vendor or lot finds fewer
  batches first; shorter words, and the page, use ``LIKE`` (a scan of the narrow
  ``search_text`` index when nothing narrower drives). Without that table (an SQLite
  older than 3.34 or built without FTS5) every word is scanned.

The count reads no more tables than its predicates need: with a ``status`` and no
predicate on batch columns it counts verdict rows alone, and ``analyte`` alone counts
distinct batches in the ``(analyte, batch_id)`` index. The page is ordered by the
``(tested, id)`` index read backwards, so a page is found once it is full; PostgreSQL
sorts NULLs first there, so batches without a test date are fetched by a second
statement when a page reaches them (the order stays ``tested DESC NULLS LAST, id DESC``
on every backend). On SQLite the count of a word search also returns the matches' ids
when they are few, and the page is read by id: a rare word would otherwise walk the
whole (tested, id) index; a common one fills a page from it at once. SQLite plans
without statistics, so the statements steer it: the status is a probe per batch, not
a join it could start from, and dates are no index term under a word scan.

Statements are built once per combination of filters (and dialect) with bound
parameters, and executed through SQLAlchemy core on the session's connection, so a
search costs little more in Python than the SQL itself.
"""

from __future__ import annotations

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
    Certificate,
    Lab,
    Product,
    Profile,
    Result,
    Vendor,
    VendorAlias,
    Verdict,
)
from registry.services import analytes
from registry.services.names import lot_key, name_key

MAX_WORDS = 8  # words of ``q`` used; more add nothing but cost
#: ``profile=any``: a status under any profile; items then carry their worst status.
ANY_PROFILE = "any"
#: Worst first: the order in which a batch's statuses under its profiles are ranked.
WORST_FIRST = ("fail", "warning", "incomplete", "pass")
#: At most this many vendors match a partial vendor name.
MAX_PARTIAL_VENDORS = 500
# Up to this many matches, a scanning count also returns their ids (see ``_count_stmt``);
# above it a page is found at once by walking the (tested, id) index.
IDS_MAX = 2000

_B = cast(sa.Table, Batch.__table__)
_V = cast(sa.Table, Vendor.__table__)
_P = cast(sa.Table, Product.__table__)
_VD = cast(sa.Table, Verdict.__table__)
_R = cast(sa.Table, Result.__table__)
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


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int


_FILTERS = tuple(f.name for f in fields(BatchFilters) if f.name not in ("profile", "q"))


def validate_filters(session: Session, f: BatchFilters, profile: str | None) -> BatchFilters:
    """The filters with the analyte resolved to its code (a name, symbol or code in any
    case); 422 naming the field for an analyte, or a ``profile`` asked for, that does not
    exist. Call it before answering, so that an export fails before its first byte."""
    if f.analyte:
        f = replace(f, analyte=analytes.resolve_or_refuse(f.analyte))
    if profile is not None and profile != ANY_PROFILE and session.scalar(
            sa.select(Profile.id).where(Profile.code == profile, Profile.current)) is None:
        raise Unprocessable(f"no profile {profile!r}", errors={"profile": [
            f"unknown profile {profile!r}; GET /api/v1/profiles lists them, and "
            f"profile={ANY_PROFILE} means any of them"]})
    return f

def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ---------------------------------------------------------------------------------------
# Parameters: the filters' values, folded the way the stored keys are.


@dataclass(frozen=True)
class _Shape:
    """What a statement depends on: which filters are set, how many words, dialect.

    ``words`` are matched by ``LIKE`` (params ``w0``...), except that on SQLite, when
    ``fts`` is set, a count matches the words from ``like_only`` on through the FTS5
    trigram table (param ``fts``) and only the first ``like_only`` by ``LIKE``.
    """

    dialect: str
    present: frozenset[str]
    words: int
    fts: bool = False
    like_only: int = 0
    any_profile: bool = False  # ``status`` under any profile


def _params(f: BatchFilters, profile: str) -> tuple[frozenset[str], dict[str, Any]]:
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
    return frozenset(present), params


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


def _where(shape: _Shape, id_col: sa.ColumnElement[int], *, batch_cols: bool,
           like_words: int | None = None) -> list[sa.ColumnElement[bool]]:
    """The predicates; those on batch columns only when ``batch_cols`` (else none may be).

    ``like_words``: how many of the words (the first ones) to match with ``LIKE``; all
    when None.
    """
    p = shape.present
    out: list[sa.ColumnElement[bool]] = []
    if batch_cols:
        if "vendor" in p:
            out.append(_B.c.vendor_id.in_(sa.bindparam("vendor_ids", expanding=True)))
        if "lot" in p:
            if shape.dialect == "sqlite":
                out += [_B.c.lot_key >= sa.bindparam("lot_lo"), _B.c.lot_key < sa.bindparam("lot_hi")]
            else:
                out.append(_B.c.lot_key.like(sa.bindparam("lot_like"), escape="\\"))
        if "product" in p:
            out.append(_B.c.product_id.in_(
                sa.select(_P.c.id).where(_P.c.key.like(sa.bindparam("product_like"), escape="\\"))))
        tested: sa.ColumnElement[Any] = _B.c.tested
        if _scans(shape):
            # The words are matched by a scan anyway: reading batches in index order
            # for a date range would add a random row read per dated batch.
            tested = _no_index(tested)
        if "tested_after" in p:
            out.append(tested >= sa.bindparam("tested_after"))
        if "tested_before" in p:
            out.append(tested <= sa.bindparam("tested_before"))
        for i in range(shape.words if like_words is None else like_words):
            out.append(_B.c.search_text.like(sa.bindparam(f"w{i}"), escape="\\"))
    if "lab" in p:
        out.append(_exists(_C, _C.c.batch_id == id_col, _C.c.lab_id.in_(
            sa.select(_L.c.id).where(_L.c.key.like(sa.bindparam("lab_like"), escape="\\")))))
    if "analyte" in p:
        out.append(_exists(_R, _R.c.batch_id == id_col, _R.c.analyte == sa.bindparam("analyte")))
    return out


def _no_index(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``+column``: the same value, which SQLite's planner uses no index for."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def _exists(table: sa.FromClause, *where: sa.ColumnElement[bool]) -> sa.Exists:
    # SELECT 1, not SELECT *: SQLite then answers from a covering index alone.
    return sa.select(sa.literal_column("1")).select_from(table).where(*where).exists()


def _status_exists(id_col: sa.ColumnElement[int], any_profile: bool = False) -> sa.Exists:
    vd = _VD.alias("vs")  # not the page's joined verdict
    if any_profile:
        return _exists(vd, vd.c.batch_id == id_col, vd.c.status == sa.bindparam("status"))
    return _exists(vd, vd.c.batch_id == id_col, vd.c.profile_code == sa.bindparam("profile"),
                   vd.c.status == sa.bindparam("status"))


def _needs_batch_cols(shape: _Shape, like_words: int | None = None) -> bool:
    words = shape.words if like_words is None else like_words
    return bool(words or shape.present & {"vendor", "lot", "product", "tested_after",
                                          "tested_before"})


def _scans(shape: _Shape) -> bool:
    """True when words are matched on SQLite: by the trigram table, or by a scan."""
    return shape.dialect == "sqlite" and shape.words > 0


def _ids_column(id_col: sa.ColumnElement[int]) -> sa.ColumnElement[Any]:
    """The matches' ids as a JSON array when they are few (else NULL), beside the count."""
    return sa.case((sa.func.count() <= sa.bindparam("ids_max"),
                    "[" + sa.func.group_concat(id_col) + "]"), else_=sa.null())


# SQLite's FTS5 trigram table over batches.search_text, kept by triggers (created by a
# migration, not a model). Its rowid is the batch id.
_FTS = sa.table("batches_fts", sa.column("rowid", sa.Integer))
_MATCH = sa.literal_column("batches_fts").op("MATCH")(sa.bindparam("fts"))


def _fts_count_stmt(shape: _Shape) -> sa.Select[Any]:
    """The count (and few ids) starting from the trigram table's matches: a word costs
    its matches, not a scan. Batches are joined only for predicates on their columns."""
    if _needs_batch_cols(shape, shape.like_only):
        frm: Any = _FTS.join(_B, _B.c.id == _FTS.c.rowid)
        id_col: sa.ColumnElement[int] = _B.c.id
        where = _where(shape, id_col, batch_cols=True, like_words=shape.like_only)
    else:
        frm, id_col = _FTS, _FTS.c.rowid
        where = _where(shape, id_col, batch_cols=False)
    stmt = sa.select(sa.func.count(), _ids_column(id_col)).select_from(frm).where(_MATCH, *where)
    if "status" in shape.present:
        stmt = stmt.where(_status_exists(id_col, shape.any_profile))
    return stmt


@lru_cache(maxsize=512)
def _count_stmt(shape: _Shape, nulls_only: bool = False) -> sa.Select[Any]:
    if shape.present == {"analyte"} and not shape.words and not nulls_only:
        # The (analyte, batch_id) index in order: distinct batches without a probe each.
        ids = (sa.select(_R.c.batch_id).distinct()
               .where(_R.c.analyte == sa.bindparam("analyte"), _R.c.batch_id.is_not(None)))
        return sa.select(sa.func.count()).select_from(ids.subquery())
    if shape.fts and not nulls_only:
        return _fts_count_stmt(shape)
    if "status" in shape.present and not _needs_batch_cols(shape) and not nulls_only:
        # Verdict rows alone (each names an existing batch): no batch row is read.
        if shape.any_profile:
            ids = (sa.select(_VD.c.batch_id).distinct()
                   .where(_VD.c.status == sa.bindparam("status"),
                          *_where(shape, _VD.c.batch_id, batch_cols=False)))
            return sa.select(sa.func.count()).select_from(ids.subquery())
        return (sa.select(sa.func.count()).select_from(_VD)
                .where(_VD.c.profile_code == sa.bindparam("profile"),
                       _VD.c.status == sa.bindparam("status"),
                       *_where(shape, _VD.c.batch_id, batch_cols=False)))
    stmt = sa.select(sa.func.count()).select_from(_B).where(*_where(shape, _B.c.id, batch_cols=True))
    if "status" in shape.present:
        stmt = stmt.where(_status_exists(_B.c.id, shape.any_profile))
    if nulls_only:
        stmt = stmt.where(_B.c.tested.is_(None))
    elif _scans(shape):
        # One scan answers the count and, when the matches are few, which they are (as
        # a JSON array): the page is then read by id instead of by a second scan.
        stmt = stmt.add_columns(_ids_column(_B.c.id))
    return stmt


_COLUMNS = (_B.c.id, _V.c.name.label("vendor"), _V.c.slug.label("vendor_slug"),
            _P.c.name.label("product"), _B.c.lot, _VD.c.status, _B.c.tested)


def _from() -> Any:
    return (_B.join(_V, _V.c.id == _B.c.vendor_id)
            .outerjoin(_P, _P.c.id == _B.c.product_id)
            .outerjoin(_VD, sa.and_(_VD.c.batch_id == _B.c.id,
                                    _VD.c.profile_code == sa.bindparam("profile"))))


def _filtered(shape: _Shape) -> sa.Select[Any]:
    stmt = sa.select(*_COLUMNS).select_from(_from()).where(*_where(shape, _B.c.id, batch_cols=True))
    if "status" in shape.present:
        if shape.dialect == "sqlite" or shape.any_profile:
            # A probe per batch, not a join condition: without statistics SQLite would
            # read every verdict of that status (or of the profile) first and sort them;
            # this way it walks (tested, id) backwards, or the batches another index
            # finds, and stops at the page's end.
            stmt = stmt.where(_status_exists(_B.c.id, shape.any_profile))
        else:
            stmt = stmt.where(_VD.c.status == sa.bindparam("status"))
    return stmt


@lru_cache(maxsize=512)
def _page_stmt(shape: _Shape, part: str, oldest: bool = False) -> sa.Select[Any]:
    """``part``: "all" (NULLs sort last natively: newest first on SQLite), "dated" or
    "undated". ``oldest``: dated batches oldest test first (then undated ones, by id).

    The page's ids are found on batches alone (the predicates probe what they need) and
    only those rows are joined to vendors, products and verdicts: a deep page skips its
    offset along the (tested, id) index without joining the rows it skips.
    """
    inner = sa.select(_B.c.id, _B.c.tested).where(*_where(shape, _B.c.id, batch_cols=True))
    if "status" in shape.present:
        inner = inner.where(_status_exists(_B.c.id, shape.any_profile))
    by_id = _B.c.id.asc() if oldest else _B.c.id.desc()
    by_tested = _B.c.tested.asc() if oldest else _B.c.tested.desc()
    if part == "undated":
        inner = inner.where(_B.c.tested.is_(None)).order_by(by_id)
    else:
        if part == "dated":
            inner = inner.where(_B.c.tested.is_not(None))
        inner = inner.order_by(by_tested, by_id)
    page = inner.limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("page")
    p_id = page.c.id.asc() if oldest else page.c.id.desc()
    p_tested = page.c.tested.asc() if oldest else page.c.tested.desc()
    order = (p_id,) if part == "undated" else (p_tested, p_id)
    return (sa.select(*_COLUMNS).select_from(page.join(_B, _B.c.id == page.c.id))
            .join(_V, _V.c.id == _B.c.vendor_id)
            .outerjoin(_P, _P.c.id == _B.c.product_id)
            .outerjoin(_VD, sa.and_(_VD.c.batch_id == _B.c.id,
                                    _VD.c.profile_code == sa.bindparam("profile")))
            .order_by(*order))


@lru_cache(maxsize=4)
def _ids_page_stmt(oldest: bool = False) -> sa.Select[Any]:
    """A page of the batches whose ids are in a JSON array (SQLite; undated last)."""
    ids: sa.Select[Any] = sa.select(sa.column("value")).select_from(sa.func.json_each(sa.bindparam("ids")))
    order = ((_B.c.tested.is_(None), _B.c.tested.asc(), _B.c.id.asc()) if oldest
             else (_B.c.tested.desc(), _B.c.id.desc()))
    return (sa.select(*_COLUMNS).select_from(_from()).where(_B.c.id.in_(ids))
            .order_by(*order)
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))


@lru_cache(maxsize=512)
def _export_stmt(shape: _Shape, dated: bool, first: bool) -> sa.Select[Any]:
    """A chunk of an export in the JSON's order: dated batches newest test first (then
    id), then undated ones by id, each part walked by keyset from the last row sent."""
    stmt = _filtered(shape)
    if dated:
        stmt = stmt.where(_B.c.tested.is_not(None))
        if not first:
            last = sa.bindparam("last_tested", type_=_B.c.tested.type)
            stmt = stmt.where(sa.or_(_B.c.tested < last,
                                     sa.and_(_B.c.tested == last, _B.c.id < sa.bindparam("last_id"))))
        return stmt.order_by(_B.c.tested.desc(), _B.c.id.desc()).limit(sa.bindparam("limit"))
    stmt = stmt.where(_B.c.tested.is_(None))
    if not first:
        stmt = stmt.where(_B.c.id < sa.bindparam("last_id"))
    return stmt.order_by(_B.c.id.desc()).limit(sa.bindparam("limit"))


_VENDOR_IDS = (sa.select(_A.c.vendor_id).where(_A.c.key == sa.bindparam("key"))
               .union(sa.select(_V.c.id).where(_V.c.slug == sa.bindparam("slug"))))
# A part of a name ("viva" for Vivadzen), when no spelling or slug is the whole of it.
_PARTIAL_VENDOR_IDS = (sa.select(_A.c.vendor_id).where(_A.c.key.like(sa.bindparam("like"), escape="\\"))
                       .union(sa.select(_V.c.id).where(_V.c.slug.like(sa.bindparam("slug_like"), escape="\\")))
                       .limit(MAX_PARTIAL_VENDORS))


# ---------------------------------------------------------------------------------------
# Running them


def _prepare(conn: sa.Connection, f: BatchFilters,
             profile: str) -> tuple[_Shape, dict[str, Any]] | None:
    """The statement shape and parameters; None when nothing can match."""
    present, params = _params(f, profile)
    words = _words(f.q)
    fts = False
    if words and conn.dialect.name == "sqlite":
        indexed = [w for w in words if _fts_word(w)]
        # A vendor or lot finds few batches by its own index: their words are then
        # checked row by row, cheaper than all the word's matches.
        fts = bool(indexed) and not present & {"vendor", "lot"} and _fts_ready(conn)
        if fts:
            words = [w for w in words if not _fts_word(w)] + indexed  # LIKE-only first
            params["fts"] = _fts_query(indexed)
    for i, word in enumerate(words):
        params[f"w{i}"] = "%" + _like_escape(word) + "%"
    if "lot" in present and not params["lot_lo"]:
        return None  # nothing but dashes and spaces: it names no lot
    if "vendor" in present:
        assert f.vendor is not None
        ids = vendor_ids(conn, f.vendor)
        if not ids:
            return None
        params["vendor_ids"] = ids
    like_only = sum(not _fts_word(w) for w in words) if fts else 0
    any_profile = profile == ANY_PROFILE
    return _Shape(conn.dialect.name, present, len(words), fts, like_only, any_profile), params


def vendor_ids(conn: sa.Connection, name: str) -> list[int]:
    """The vendors a typed name means: every vendor one of whose spellings (or slug) is
    the whole name; when none is, every vendor with a spelling containing it."""
    key = name_key(name)
    ids = list(conn.execute(_VENDOR_IDS, {"key": key, "slug": name.strip().lower()}).scalars())
    if ids or len(key) < 2:
        return ids
    return list(conn.execute(_PARTIAL_VENDOR_IDS, {
        "like": "%" + _like_escape(key) + "%",
        "slug_like": "%" + _like_escape(key.replace(" ", "-")) + "%"}).scalars())


_FTS_READY: weakref.WeakKeyDictionary[sa.Engine, bool] = weakref.WeakKeyDictionary()


def _fts_ready(conn: sa.Connection) -> bool:
    """Whether this SQLite database has the trigram table (see the migration that makes
    it: SQLite older than 3.34 or without FTS5 has none, and words are then scanned)."""
    ready = _FTS_READY.get(conn.engine)
    if ready is None:
        ready = conn.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                     "AND name = 'batches_fts'")).first() is not None
        _FTS_READY[conn.engine] = ready
    return ready


def _item(row: Any, profile: str) -> dict[str, Any]:
    return {"id": row[0], "vendor": row[1], "vendor_slug": row[2], "product": row[3],
            "lot": row[4], "status": row[5], "tested": row[6], "profile": profile}


_RANK = {status: i for i, status in enumerate(WORST_FIRST)}


def _with_worst(conn: sa.Connection, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item with ``worst_status`` (its worst under any profile) and
    ``failing_profiles``; under ``profile=any`` its ``status`` is the worst one."""
    if not items:
        return items
    by_batch: dict[int, list[tuple[str, str]]] = {}
    rows = conn.execute(sa.select(_VD.c.batch_id, _VD.c.profile_code, _VD.c.status)
                        .where(_VD.c.batch_id.in_([i["id"] for i in items])))
    for batch_id, code, status in rows:
        by_batch.setdefault(batch_id, []).append((code, status))
    for item in items:
        verdicts = by_batch.get(item["id"], [])
        worst = min((s for _c, s in verdicts), key=lambda s: _RANK.get(s, len(WORST_FIRST)), default=None)
        item["worst_status"] = worst
        item["failing_profiles"] = sorted(c for c, s in verdicts if s == "fail")
        if item["profile"] == ANY_PROFILE:
            item["status"] = worst
    return items


def search_batches(session: Session, f: BatchFilters, *, profile: str, page: int,
                   per_page: int, oldest: bool = False) -> Page:
    """A page of matches, newest test first (``oldest``: oldest test first); batches
    without a test date come last either way."""
    conn = session.connection()
    prepared = _prepare(conn, f, profile)
    if prepared is None:
        return Page([], 0, page, per_page)
    shape, params = prepared
    counted = conn.execute(_count_stmt(shape), {**params, "ids_max": IDS_MAX}).one()
    total = counted[0]
    offset = (page - 1) * per_page
    if total <= offset:
        return Page([], total, page, per_page)
    if len(counted) > 1 and counted[1] is not None:  # the matches' ids, from the count
        rows = conn.execute(_ids_page_stmt(oldest), {"ids": counted[1], "profile": profile,
                                                     "limit": per_page, "offset": offset}).all()
    elif shape.dialect == "sqlite" and not oldest:  # NULLs sort last in a descending index scan
        rows = conn.execute(_page_stmt(shape, "all"),
                            {**params, "limit": per_page, "offset": offset}).all()
    else:
        rows = conn.execute(_page_stmt(shape, "dated", oldest),
                            {**params, "limit": per_page, "offset": offset}).all()
        if len(rows) < per_page and offset + len(rows) < total:
            undated = conn.execute(_count_stmt(shape, nulls_only=True), params).scalar_one()
            skip = max(0, offset - (total - undated))
            rows = [*rows, *conn.execute(_page_stmt(shape, "undated", oldest),
                                 {**params, "limit": per_page - len(rows), "offset": skip}).all()]
    return Page(_with_worst(conn, [_item(r, profile) for r in rows]), total, page, per_page)


def iter_batches(session: Session, f: BatchFilters, *, profile: str,
                 chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """Every matching batch in the order of :func:`search_batches` (newest test first,
    undated last), streamed in keyset-paginated chunks (for exports)."""
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
