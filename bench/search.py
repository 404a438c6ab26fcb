"""Search latency at scale: ``GET /api/v1/batches`` through the app beside the bare SQL
it emits, on SQLite and on PostgreSQL, in the same run.

    .venv/bin/python bench/search.py                          # both backends, 100,000 batches
    .venv/bin/python bench/search.py --backend sqlite --batches 20000 --repeat 50

Each backend's schema is migrated by Alembic (``flask_migrate.upgrade``), then seeded
straight into the tables: ~2,000 vendors with aliases, their products, ~40 labs, N
batches (lots like ``RB-2024-0117``), one or two certificates a batch, ~10 results a
batch (N x 10 in all) and verdicts under the default profile (``utah-r70-580``, ~10 %
fail) and a second one. ``batches.search_text`` and ``batches.tested`` are filled by
``registry.services.catalog.touch_batch`` itself, once per certificate; on SQLite the
FTS5 trigram table ``batches_fts`` is filled by its own triggers as batches go in.

Seeding uses SQLAlchemy core ``insert()`` executemany on SQLite and ``COPY`` on
PostgreSQL. The seeded SQLite file is cached under ``bench/out/`` keyed by the
parameters, the seeder's version and the Alembic head, so reruns start at once.
PostgreSQL comes from ``REGISTRY_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``); it is seeded into a schema of its own
that is dropped afterwards (``--keep`` keeps it, and reuses it next time). An
unreachable server is skipped with a message.

Every query runs through the Flask test client (rate limits off; the full request to
the JSON body) and, beside it, as the bare SQL the search service emitted for the same
request (captured from the engine, then replayed on a raw DBAPI connection in a
transaction of its own: the same count and page rows). Inputs rotate over a sample
(vendors spelt in another case and legal suffix, lots with other dashes and case, ...).
Printed per backend: p50/p95 milliseconds of each, the ratio app/bare (p50) and the
difference app-bare (p50): a request's fixed cost, which decides the ratio of queries
that take well under a millisecond.
Targets: p95 <= 25 ms and app/bare <= 2. Figures are printed, never asserted; the exit
status is 0 unless a backend could not run.

Times are wall-clock, so other work on the machine shows in them: the one-minute load
average is printed beside each table. On a machine with more runnable processes than
cores a request longer than a scheduler slice (a few ms) often waits out another
process's slice, which inflates p95, and the app's times more than the shorter bare
ones. Compare runs at a similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from registry.services.search import TOTAL_CAP  # noqa: E402

OUT = REPO / "bench" / "out"
SEED_VERSION = 4  # bump when the generated data changes
PG_ENV = "REGISTRY_BENCH_DATABASE_URL"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_PROFILE = "utah-r70-580"
OTHER_PROFILE = "aka-gmp"
TARGET_P95_MS = 25.0  # per-run table: app p95 at 100,000 batches (issue #4)
TARGET_RATIO = 2.0
# At the largest size (issue #13): app p95 per backend, and growth from the smallest size.
TARGETS = {"postgresql": 50.0, "sqlite": 100.0}
TARGET_GROWTH = 2.0

# ---------------------------------------------------------------------------------------
# Generated data


_VENDOR_A = (
    "Golden",
    "Green",
    "Red",
    "White",
    "Royal",
    "Wild",
    "Pure",
    "Happy",
    "Blue",
    "Silver",
    "Jungle",
    "Island",
    "Sunrise",
    "Mountain",
    "River",
    "Ancient",
    "Tropical",
    "Lucky",
    "Emerald",
    "Crystal",
    "Coastal",
    "Lotus",
    "Tiger",
    "Dragon",
    "Eagle",
    "Harvest",
    "Noble",
    "Prime",
    "Velvet",
    "Amber",
    "Cedar",
    "Maple",
    "Summit",
    "Zen",
    "Nova",
    "Atlas",
    "Orchid",
    "Bamboo",
    "Monsoon",
    "Borneo",
)
_VENDOR_B = (
    "Leaf",
    "Vine",
    "Root",
    "Tree",
    "Valley",
    "Garden",
    "Farm",
    "Grove",
    "Canopy",
    "Harbor",
    "Trail",
    "Spirit",
    "Path",
    "Field",
    "Bloom",
    "Stone",
    "Forest",
    "Ridge",
    "Springs",
    "Sun",
)
_VENDOR_KIND = (
    "Botanicals",
    "Kratom",
    "Naturals",
    "Herbals",
    "Imports",
    "Wellness",
    "Trading",
    "Organics",
    "Supply",
    "Kratom Co",
)
_LEGAL = ("LLC", "Inc.", "Ltd", "", "", "Co.", "Corp.", "L.L.C.")
_LEGAL_OTHER = {
    "LLC": "INC.",
    "Inc.": "llc",
    "Ltd": "Limited",
    "": "LLC",
    "Co.": "Company",
    "Corp.": "Corporation",
    "L.L.C.": "LLC",
}
_STRAINS = (
    "Red Bali",
    "Green Maeng Da",
    "White Maeng Da",
    "Red Maeng Da",
    "White Borneo",
    "Red Borneo",
    "Green Malay",
    "Red Thai",
    "Green Thai",
    "Yellow Vietnam",
    "Super Green",
    "Red Horn",
    "White Sumatra",
    "Gold Bali",
    "Red Kali",
    "Green Hulu",
    "White Elephant",
    "Red Dragon",
    "Green Indo",
    "Red Indo",
    "Trainwreck",
    "Bentuangie",
    "Red Vein Kapuas",
    "Green Riau",
    "White Thai",
    "Yellow Borneo",
    "Red Sundanese",
    "Green Borneo",
)
_FORMS = ("Kratom Powder", "Powder", "Capsules", "Extract 50x", "Tablets", "Leaf")
_LAB_A = (
    "Example",
    "Summit",
    "Pacific",
    "Keystone",
    "Lakeside",
    "Frontier",
    "Precision",
    "Apex",
    "Coastal",
    "Liberty",
    "Gulf",
    "Prairie",
    "Evergreen",
    "Canyon",
    "Harbor",
    "Meridian",
    "Northstar",
    "Sierra",
    "Granite",
    "Atlantic",
)
_LAB_B = ("Analytical Labs", "Laboratories", "Testing", "Lab Services")

ALKALOIDS = (
    ("mitragynine", 1.0),
    ("7_hydroxymitragynine", 0.8),
    ("speciogynine", 0.3),
    ("paynantheine", 0.3),
    ("speciociliatine", 0.15),
)
METALS = ("lead", "arsenic", "cadmium", "mercury")
MICROBES = ("salmonella", "e_coli", "yeast_and_mold", "total_aerobic_count")
LIMITS = {
    "lead": 0.5,
    "arsenic": 1.5,
    "cadmium": 0.5,
    "mercury": 1.5,
    "yeast_and_mold": 10_000.0,
    "total_aerobic_count": 100_000.0,
    "7_hydroxymitragynine": 2.0,
}


def _initials(product: str) -> str:
    words = [w for w in product.split() if w[0].isalpha() and w not in ("Kratom", "Vein")]
    return "".join(w[0] for w in words[:3]).upper() or "KR"


@dataclass
class Seed:
    """Every generated row, per table, in insertion order."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    vendor_names: list[str] = field(default_factory=list)
    vendor_batches: list[int] = field(default_factory=list)


def generate(n_batches: int, seed: int = 20240117) -> Seed:
    """Deterministic rows for every table that search reads, all in memory (small sizes;
    :func:`seed_database` streams them instead)."""
    out = Seed()
    for name, rows in generate_blocks(n_batches, seed, info=out):
        out.rows.setdefault(name, []).extend(rows)
    return out


def generate_blocks(
    n_batches: int, seed: int = 20240117, block: int = 20_000, info: Seed | None = None
) -> Any:
    """The rows of :func:`generate` as ``(table, rows)`` pairs, in insertion order: the
    catalogue first, then batches with their certificates, results and verdicts,
    ``block`` batches at a time (a million batches never sit in memory at once)."""
    from registry.services.catalog import touch_batch
    from registry.services.names import lot_key, name_key, slugify

    rng = random.Random(seed)
    now = datetime(2025, 6, 1, tzinfo=UTC)
    out = info if info is not None else Seed()
    n_vendors = max(20, min(2000, n_batches // 50))

    vendors, aliases, alias_keys, slugs = [], [], set(), set()
    vendor_legal: list[str] = []
    combos = [(a, b, k) for a in _VENDOR_A for b in _VENDOR_B for k in _VENDOR_KIND]
    rng.shuffle(combos)
    for a, b, k in combos:
        if len(vendors) == n_vendors:
            break
        legal = rng.choice(_LEGAL)
        name = f"{a} {b} {k}" + (f" {legal}" if legal else "")
        key = name_key(name)
        if key in alias_keys:
            continue
        vid = len(vendors) + 1
        slug = slugify(key)
        assert slug not in slugs
        slugs.add(slug)
        vendors.append({"id": vid, "name": name, "slug": slug, "created_at": now})
        vendor_legal.append(legal)
        out.vendor_names.append(name)
        alias_keys.add(key)
        aliases.append({"vendor_id": vid, "alias": name, "key": key})
        # Other spellings seen on COAs: the brand alone, an abbreviation.
        for alias in (f"{a} {b}", f"{a[0]}{b[0]}{k[0]}"):
            if rng.random() < 0.5 and name_key(alias) not in alias_keys:
                alias_keys.add(name_key(alias))
                aliases.append({"vendor_id": vid, "alias": alias, "key": name_key(alias)})
    for i, row in enumerate(aliases, 1):
        row["id"] = i

    labs = []
    for a in _LAB_A:
        for b in _LAB_B[:2]:
            name = f"{a} {b}"
            labs.append(
                {
                    "id": len(labs) + 1,
                    "name": name,
                    "key": name_key(name),
                    "accreditation": f"ISO/IEC 17025 #{rng.randint(1000, 9999)}.01",
                    "created_at": now,
                }
            )
    lab_weights = [1 / (i + 1) ** 0.7 for i in range(len(labs))]

    products, vendor_products = [], []
    for v in vendors:
        mine = []
        for strain in rng.sample(_STRAINS, rng.randint(3, 9)):
            name = f"{strain} {rng.choice(_FORMS)}"
            key = name_key(name)
            if any(p["key"] == key for p in mine):
                continue
            p = {
                "id": len(products) + 1,
                "vendor_id": v["id"],
                "name": name,
                "key": key,
                "serving_g": None,
                "servings_per_day": None,
                "created_at": now,
            }
            products.append(p)
            mine.append(p)
        vendor_products.append(mine)
    yield "vendors", vendors
    yield "vendor_aliases", aliases
    yield "labs", labs
    yield "products", products

    # Batches per vendor: a long tail (a few big vendors, many small ones).
    weights = [1 / (r + 1) ** 0.6 for r in range(len(vendors))]
    rng.shuffle(weights)
    total_w = sum(weights)
    counts = [max(1, int(n_batches * w / total_w)) for w in weights]
    while sum(counts) > n_batches:
        counts[counts.index(max(counts))] -= 1
    i = 0
    while sum(counts) < n_batches:
        counts[i % len(counts)] += 1
        i += 1
    out.vendor_batches = counts

    batches: list[dict[str, Any]] = []
    certs: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    verdicts: list[dict[str, Any]] = []
    n_batch = cert_id = result_id = verdict_id = 0

    def flush() -> Any:
        yield "batches", batches[:]
        yield "certificates", certs[:]
        yield "results", results[:]
        yield "verdicts", verdicts[:]
        for rows in (batches, certs, results, verdicts):
            rows.clear()

    for v, count, mine in zip(vendors, counts, vendor_products, strict=True):
        vendor_ns = SimpleNamespace(name=v["name"])
        seen_keys: set[str] = set()
        while len(seen_keys) < count:
            product = rng.choice(mine) if rng.random() > 0.02 else None
            code = _initials(product["name"]) if product else "KR"
            year = rng.randint(2019, 2025)
            seq = rng.randint(1, 9999)
            style = rng.random()
            if style < 0.7:
                lot = f"{code}-{year}-{seq:04d}"
            elif style < 0.85:
                lot = f"{code}{year % 100:02d}{seq:04d}"
            else:
                lot = f"{year}{seq:04d}-{code}"
            key = lot_key(lot)
            if key in seen_keys:
                continue
            seen_keys.add(key)
            n_batch += 1
            bid = n_batch
            product_ns = SimpleNamespace(name=product["name"]) if product else None
            batch_ns = SimpleNamespace(
                vendor=vendor_ns,
                lot=lot,
                product=product_ns,
                tested=None,
                search_text="",
                updated_at=None,
            )
            day0 = date(year, 1, 1) + timedelta(days=rng.randint(0, 360))
            n_certs = 1 if rng.random() < 0.7 else 2
            cert_analytes: list[list[str]] = [[] for _ in range(n_certs)]
            for analyte, p in ALKALOIDS:
                if rng.random() < p:
                    cert_analytes[0].append(analyte)
            if rng.random() < 0.9:
                cert_analytes[0].extend(METALS)
            if rng.random() < 0.5:
                cert_analytes[0].append("moisture")
            if rng.random() < 0.85:
                cert_analytes[-1].extend(MICROBES)
            fails_on = rng.choice(
                (
                    "lead",
                    "cadmium",
                    "yeast_and_mold",
                    "salmonella",
                    "total_aerobic_count",
                    "arsenic",
                )
            )
            verdict_roll = rng.random()
            batch_certs = []
            for c in range(n_certs):
                cert_id += 1
                lab = rng.choices(labs, lab_weights)[0]
                tested = None if rng.random() < 0.01 else day0 + timedelta(days=20 * c)
                touch_batch(batch_ns, tested, lab["name"])
                received = (tested or day0) - timedelta(days=rng.randint(1, 4))
                batch_certs.append(
                    {
                        "id": cert_id,
                        "sha256": f"{rng.getrandbits(256):064x}",
                        "size_bytes": rng.randint(40_000, 900_000),
                        "filename": f"{lot}-{c + 1}.pdf",
                        "batch_id": bid,
                        "lab_id": lab["id"],
                        "report_number": f"R-{cert_id:06d}",
                        "sample_id": f"S-{year % 100:02d}{cert_id:07d}",
                        "received": received,
                        "tested": tested,
                        "reported": (tested or day0) + timedelta(days=2),
                        "status": "parsed" if rng.random() < 0.95 else "needs_review",
                        "status_reason": None,
                        "layout": "generic",
                        "parser_version": "1.0.0",
                        "pages": rng.randint(1, 4),
                        "warnings": [],
                        "document": None,
                        "uploader_id": None,
                        "uploaded_at": datetime.combine(
                            (tested or day0) + timedelta(days=3), datetime.min.time(), tzinfo=UTC
                        ),
                    }
                )
                for analyte in cert_analytes[c]:
                    result_id += 1
                    results.append(
                        _result(
                            rng,
                            result_id,
                            cert_id,
                            bid,
                            analyte,
                            fail=verdict_roll < 0.10 and analyte == fails_on,
                        )
                    )
            batches.append(
                {
                    "id": bid,
                    "vendor_id": v["id"],
                    "product_id": product["id"] if product else None,
                    "lot": lot,
                    "lot_key": key,
                    "tested": batch_ns.tested,
                    "search_text": batch_ns.search_text,
                    "updated_at": now,
                    "created_at": now,
                }
            )
            certs.extend(batch_certs)
            for code_, fail_p, roll in (
                (DEFAULT_PROFILE, 0.10, verdict_roll),
                (OTHER_PROFILE, 0.15, rng.random()),
            ):
                if rng.random() < 0.01:
                    continue  # not judged yet
                status = (
                    "fail" if roll < fail_p else "incomplete" if roll < fail_p + 0.08 else "pass"
                )
                failures = (
                    [
                        {
                            "analyte": fails_on,
                            "value": None,
                            "unit": None,
                            "limit": LIMITS.get(fails_on),
                            "rule": "max",
                            "source": "bench",
                        }
                    ]
                    if status == "fail"
                    else []
                )
                missing = ["salmonella"] if status == "incomplete" else []
                verdict_id += 1
                verdicts.append(
                    {
                        "id": verdict_id,
                        "batch_id": bid,
                        "profile_code": code_,
                        "profile_version": 1,
                        "status": status,
                        "evaluated_at": now,
                        "failing_since": now if status == "fail" else None,
                        "detail": {
                            "profile": code_,
                            "status": status,
                            "failures": failures,
                            "missing": missing,
                        },
                    }
                )
            if len(batches) >= block:
                yield from flush()
    yield from flush()


def _result(
    rng: random.Random, rid: int, cert_id: int, bid: int, analyte: str, fail: bool
) -> dict[str, Any]:
    qualifier, value, unit, category, raw = "=", None, None, "alkaloid", ""
    if analyte in ("mitragynine", "speciogynine", "paynantheine", "speciociliatine"):
        value, unit = round(rng.uniform(0.05, 2.2), 3), "%"
    elif analyte == "7_hydroxymitragynine":
        value, unit = round(rng.uniform(0.005, 0.06), 4), "%"
    elif analyte == "moisture":
        value, unit, category = round(rng.uniform(3, 11), 2), "%", "physical"
    elif analyte in METALS:
        category, unit = "heavy_metal", "ug/g"
        limit = LIMITS[analyte]
        value = round(
            rng.uniform(limit * 1.1, limit * 4) if fail else rng.uniform(0.005, limit * 0.8), 4
        )
        if not fail and rng.random() < 0.2:
            qualifier, value = "<", 0.01
    elif analyte in ("salmonella", "e_coli"):
        category = "microbial"
        qualifier = "detected" if fail else "not_detected"
    else:
        category, unit = "microbial", "CFU/g"
        limit = LIMITS[analyte]
        value = float(
            int(rng.uniform(limit * 1.5, limit * 20) if fail else rng.uniform(10, limit / 3))
        )
        if not fail and rng.random() < 0.3:
            qualifier, value = "<", 10.0
    raw = f"{analyte} {qualifier if qualifier in '<>' else ''}{'' if value is None else value} {unit or ''}"
    return {
        "id": rid,
        "certificate_id": cert_id,
        "batch_id": bid,
        "analyte": analyte,
        "category": category,
        "value": value,
        "unit": unit,
        "qualifier": qualifier,
        "loq": 0.01 if category == "heavy_metal" else None,
        "lab_status": None,
        "page": 1,
        "raw": raw.strip(),
        "bbox": None,
    }


# ---------------------------------------------------------------------------------------
# Loading


def _app(url: str, data_dir: Path) -> Any:
    from registry import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "DATA_DIR": str(data_dir),
            "SECRET_KEY": "bench",
            "RATE_LIMITS": "",
            "UPLOAD_RATE_LIMITS": "",
            "LOG_LEVEL": "WARNING",
            "DEFAULT_PROFILE": DEFAULT_PROFILE,
        }
    )


def _head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from registry import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS_DIR)
    return "-".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def _current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return "-".join(sorted(conn.scalars(sa.text("SELECT version_num FROM alembic_version"))))


def _seeded(engine: sa.Engine, n_batches: int) -> bool:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("batches"):
            return False
        return conn.scalar(sa.text("SELECT count(*) FROM batches")) == n_batches


def load(app: Any, seed: Seed) -> None:
    """Insert every generated row (tables must be empty and migrated), then the search
    summary."""
    load_blocks(app, seed.rows.items())


def seed_database(app: Any, n_batches: int) -> None:
    """Generate and load ``n_batches`` block by block (see :func:`generate_blocks`)."""
    load_blocks(app, generate_blocks(n_batches))


def load_blocks(app: Any, blocks: Any) -> None:
    """Load ``(table, rows)`` pairs in one transaction, as bulk as each database allows:
    ``COPY`` on PostgreSQL, ``executemany`` on a raw SQLite connection. Secondary
    indexes are dropped first and built again at the end (faster than keeping them up to
    date row by row); foreign keys are not checked while loading (the generator's rows
    are consistent). The search summary is built from the rows
    (``search_summary.REBUILD_SQL``) before the indexes, and on PostgreSQL statistics
    are gathered."""
    from registry.extensions import db
    from registry.services import search_summary

    engine = db.engine
    tables = db.metadata.tables
    pg = engine.dialect.name == "postgresql"
    names = [
        t
        for t in tables
        if t
        in (
            "vendors",
            "vendor_aliases",
            "labs",
            "products",
            "batches",
            "certificates",
            "results",
            "verdicts",
            "batch_terms",
        )
    ]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if pg:
            cur.execute("SET session_replication_role = replica")  # no FK triggers
            cur.execute("SET maintenance_work_mem = '512MB'")
            cur.execute("SET work_mem = '256MB'")
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                (names,),
            )
        else:
            cur.execute("PRAGMA foreign_keys = OFF")
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join('?' * len(names))})",
                names,
            )
        indexes = cur.fetchall()
        for name, _sql in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        seen: set[str] = set()
        for name, rows in blocks:
            if not rows:
                continue
            seen.add(name)
            table = tables[name]
            if pg:
                _copy_rows(cur, table, rows)
            else:
                cols = [c for c in table.columns]
                procs = [c.type.bind_processor(engine.dialect) for c in cols]
                sql = (
                    f'INSERT INTO "{name}" ({", ".join(c.name for c in cols)}) '
                    f"VALUES ({', '.join('?' * len(cols))})"
                )
                cur.executemany(
                    sql,
                    [
                        tuple(
                            p(row.get(c.name)) if p else row.get(c.name)
                            for c, p in zip(cols, procs, strict=True)
                        )
                        for row in rows
                    ],
                )
        # The summary before the secondary indexes are built (the migration's statements).
        cur.execute("DELETE FROM batch_terms")
        for sql in search_summary.REBUILD_SQL:
            cur.execute(sql)
        for _name, sql in indexes:
            cur.execute(sql)
        if pg:
            for name in sorted(seen):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT coalesce(max(id), 1) FROM "{name}"))'
                )
            cur.execute("SET session_replication_role = DEFAULT")
        raw.commit()
    finally:
        raw.close()
    if pg:
        # Settle the planner statistics and visibility map as autovacuum would.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in names:
                conn.exec_driver_sql(f'VACUUM ANALYZE "{name}"')
    else:
        with engine.connect() as conn:  # no ANALYZE: the registry's SQLite has no statistics
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _copy_rows(cur: Any, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    cols = [c.name for c in table.columns]
    json_cols = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    with cur.copy(f'COPY "{table.name}" ({", ".join(cols)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c]) if c in json_cols and row.get(c) is not None else row.get(c)
                    for c in cols
                ]
            )


# ---------------------------------------------------------------------------------------
# Measuring


@dataclass
class Query:
    label: str
    params: list[dict[str, str]]  # rotated over the repetitions


def build_queries(app: Any, seed_rng: int = 7) -> list[Query]:
    """Inputs for each of the contract's searches, drawn from the seeded data."""
    from registry.extensions import db

    rng = random.Random(seed_rng)
    with app.app_context():
        conn = db.session.connection()
        vendors = conn.execute(
            sa.text(
                "SELECT v.name, count(b.id) FROM vendors v JOIN batches b ON b.vendor_id = v.id "
                "GROUP BY v.id, v.name ORDER BY v.id"
            )
        ).all()
        lots = [
            r[0]
            for r in conn.execute(
                sa.text("SELECT lot FROM batches WHERE lot LIKE '%-____-%' ORDER BY id")
            ).all()
        ]
        db.session.remove()
    names = rng.choices([v[0] for v in vendors], [v[1] for v in vendors], k=20)

    def respell(name: str) -> str:
        words = name.split()
        legal = next((lg for lg in _LEGAL if lg and words[-1] == lg), "")
        base = " ".join(words[:-1]) if legal else name
        return (base.upper() if rng.random() < 0.5 else base.lower()) + ", " + _LEGAL_OTHER[legal]

    def redash(lot: str) -> str:
        return rng.choice(
            (
                lot.lower().replace("-", " "),
                lot.replace("-", "–").lower(),
                lot.replace("-", ""),
                lot.lower(),
            )
        )

    exact = rng.sample(lots, 20)
    prefixes = [redash(lot)[:-3] for lot in rng.sample(lots, 20)]  # "rb 2024 0": ~1,000 lots
    common = ["bali", "maeng", "borneo", "powder", "capsules", "thai"]
    rare = [name.split()[0].lower() + " " + name.split()[1].lower() for name in names]
    return [
        Query("all (no filter)", [{}]),
        Query("vendor=<other spelling>", [{"vendor": respell(n)} for n in names]),
        Query("lot=<exact, other dashes/case>", [{"lot": redash(lot)} for lot in exact]),
        Query("lot=<prefix>", [{"lot": p} for p in prefixes]),
        Query("status=fail&analyte=lead", [{"status": "fail", "analyte": "lead"}]),
        Query("q=<common word>", [{"q": w} for w in common]),
        Query("q=<vendor words>", [{"q": w} for w in rare]),
        Query("vendor+status=fail", [{"vendor": respell(n), "status": "fail"} for n in names]),
        Query(
            "q+analyte+tested_after",
            [{"q": w, "analyte": "mercury", "tested_after": "2024-01-01"} for w in common],
        ),
        Query("page=50 (deep page)", [{"page": "50"}]),
    ]


@dataclass
class Captured:
    statements: list[tuple[str, Any]]
    total: int
    items: int


def capture(app: Any, client: Any, url: str) -> Captured:
    """Run the request once and keep the SQL the app sent to the database."""
    from registry.extensions import db

    seen: list[tuple[str, Any]] = []

    def listen(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        # Only this request's statements: the app's in-process workers (alert delivery,
        # pruning) share the engine from threads of their own.
        if threading.get_ident() == me:
            seen.append((statement, parameters))

    me = threading.get_ident()

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        resp = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    if resp.status_code != 200:
        raise RuntimeError(f"{url}: {resp.status_code} {resp.get_data(as_text=True)[:300]}")
    body = resp.get_json()
    tx = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"}
    return Captured(
        [s for s in seen if s[0].strip().upper() not in tx], body["total"], len(body["items"])
    )


def bare_runner(
    engine: sa.Engine,
) -> tuple[Callable[[list[tuple[str, Any]]], Any], Callable[[], None]]:
    """A function replaying statements on one raw DBAPI connection, in a transaction each."""
    raw = engine.raw_connection()
    dbapi = raw.driver_connection
    sqlite = engine.dialect.name == "sqlite"

    def run(statements: list[tuple[str, Any]]) -> list[list[Any]]:
        cur = dbapi.cursor()
        if sqlite:
            cur.execute("BEGIN")
        out = []
        for stmt, params in statements:
            cur.execute(stmt, params)
            out.append(cur.fetchall())
        dbapi.rollback()
        return out

    return run, raw.close


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q * (len(ordered) - 1)))))
    return ordered[k]


@dataclass
class Row:
    label: str
    total: int
    app: list[float]
    bare: list[float]


def measure(app: Any, queries: list[Query], repeat: int) -> list[Row]:
    from registry.extensions import db

    client = app.test_client()
    with app.app_context():
        engine = db.engine
    run_bare, close = bare_runner(engine)
    rows = []
    try:
        for q in queries:
            urls = ["/api/v1/batches" + ("?" + urlencode(p) if p else "") for p in q.params]
            caps = [capture(app, client, u) for u in urls]
            for u, c in zip(urls, caps, strict=True):  # warm both paths
                client.get(u)
                got = run_bare(c.statements)
                counts = [
                    r[0][0]
                    for (stmt, _), r in zip(c.statements, got, strict=True)
                    if stmt.lstrip().upper().startswith("SELECT COUNT(")
                ]
                # The count stops at the cap + 1 (``total`` is then the cap); a search with
                # several terms also counts each term's batches (up to the cap) first.
                if counts and c.total not in [min(n, TOTAL_CAP) for n in counts]:
                    raise RuntimeError(f"{u}: bare counts {counts} != app total {c.total}")
            app_t: list[float] = []
            bare_t: list[float] = []
            for i in range(repeat):
                k = i % len(urls)
                t0 = time.perf_counter()
                resp = client.get(urls[k])
                resp.get_data()
                t1 = time.perf_counter()
                run_bare(caps[k].statements)
                t2 = time.perf_counter()
                app_t.append((t1 - t0) * 1000)
                bare_t.append((t2 - t1) * 1000)
            rows.append(
                Row(q.label, round(statistics.median(c.total for c in caps)), app_t, bare_t)
            )
    finally:
        close()
    return rows


def print_table(
    backend: str, rows: list[Row], note: str, target_p95: float = TARGET_P95_MS
) -> bool:
    print(f"\n{backend}: {note}")
    head = (
        f"{'query':34} {'total':>7} {'app p50':>8} {'app p95':>8} {'bare p50':>9} "
        f"{'bare p95':>9} {'app/bare':>9} {'app-bare':>9}  target"
    )
    print(head)
    print("-" * len(head))
    ok_all = True
    for r in rows:
        ap50, ap95 = statistics.median(r.app), _pct(r.app, 0.95)
        bp50, bp95 = statistics.median(r.bare), _pct(r.bare, 0.95)
        ratio = ap50 / bp50 if bp50 else float("inf")
        ok = ap95 <= target_p95 and ratio <= TARGET_RATIO
        ok_all &= ok
        verdict = (
            "ok"
            if ok
            else "MISSED "
            + ",".join(
                name
                for name, bad in (("p95", ap95 > target_p95), ("ratio", ratio > TARGET_RATIO))
                if bad
            )
        )
        print(
            f"{r.label:34} {r.total:>7} {ap50:>8.2f} {ap95:>8.2f} {bp50:>9.2f} {bp95:>9.2f} "
            f"{ratio:>9.2f} {ap50 - bp50:>9.2f}  {verdict}"
        )
    print(
        f"milliseconds; app-bare: p50 difference, the fixed cost of a request (Flask test client,\n"
        f"routing, argument parsing, session, JSON, CORS, metrics). Targets: app p95 <= "
        f"{target_p95:g} ms and app/bare (p50) <= {TARGET_RATIO:g}: "
        f"{'all met' if ok_all else 'NOT all met'}"
    )
    return ok_all


# ---------------------------------------------------------------------------------------
# Backends


def _timed(label: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    value = fn()
    print(f"  {label}: {time.perf_counter() - t0:.1f} s", flush=True)
    return value


def _upgrade_kept(label: str) -> None:
    """Migrate a kept database to the head (a new migration runs on the seeded data)."""
    from flask_migrate import upgrade

    from registry.extensions import db

    if _current_revision(db.engine) != _head_revision():
        _timed(f"{label}: upgrade to {_head_revision()}", upgrade)


def prepare_sqlite(n_batches: int, fresh: bool = False) -> Any:
    """The app on the seeded SQLite file of ``n_batches``, made when missing (kept in
    ``bench/out/`` between runs, keyed by size and seeder version; a newer migration
    is applied to it rather than seeding again)."""
    from flask_migrate import upgrade

    from registry.extensions import db

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"search-sqlite-{n_batches}-v{SEED_VERSION}.db"
    print(f"\nSQLite {sqlite3.sqlite_version}: {path.relative_to(REPO)}", flush=True)
    app = _app(f"sqlite:///{path}", OUT / "data")
    with app.app_context():
        if fresh or not (path.exists() and _seeded(db.engine, n_batches)):
            db.engine.dispose()
            for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                p.unlink(missing_ok=True)
            for old in OUT.glob(f"search-sqlite-{n_batches}-*.db*"):  # older seeders' caches
                old.unlink(missing_ok=True)
            _timed("migrate", upgrade)
            _timed(
                f"generate and load {n_batches} batches (executemany), summary",
                lambda: seed_database(app, n_batches),
            )
        else:
            print("  seeded file kept from an earlier run")
            _upgrade_kept("kept file")
        db.engine.dispose()
    return app


def _pg_url(base: str, schema: str) -> str:
    url = sa.make_url(base)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def prepare_postgresql(n_batches: int, fresh: bool = False) -> Any | None:
    """The app on a schema seeded with ``n_batches``, ``bench_search_<n>_v<seeder>``,
    kept between runs (``--drop`` drops it afterwards); None when unreachable."""
    from flask_migrate import upgrade

    from registry.extensions import db

    base = os.environ.get(PG_ENV, PG_DEFAULT)
    admin = sa.create_engine(_pg_url(base, "public"))
    try:
        with admin.connect() as conn:
            version = conn.scalar(sa.text("SHOW server_version"))
    except sa.exc.OperationalError as error:
        print(
            f"\nPostgreSQL skipped: {sa.make_url(base).render_as_string()} is unreachable "
            f"({str(error.orig).strip().splitlines()[0]}); set {PG_ENV} to run it."
        )
        return None
    schema = pg_schema(n_batches)
    print(f"\nPostgreSQL {version}: schema {schema}", flush=True)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    app = _app(_pg_url(base, schema), OUT / "data")
    with app.app_context():
        if not fresh and _seeded(db.engine, n_batches):
            print("  seeded schema kept from an earlier run")
            _upgrade_kept("kept schema")
        else:
            db.engine.dispose()
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            _timed("migrate", upgrade)
            _timed(
                f"generate and load {n_batches} batches (COPY), summary, VACUUM ANALYZE",
                lambda: seed_database(app, n_batches),
            )
        db.engine.dispose()
    admin.dispose()
    return app


def pg_schema(n_batches: int) -> str:
    return f"bench_search_{n_batches}_v{SEED_VERSION}"


def drop_postgresql(n_batches: int) -> None:
    admin = sa.create_engine(_pg_url(os.environ.get(PG_ENV, PG_DEFAULT), "public"))
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{pg_schema(n_batches)}" CASCADE'))
    admin.dispose()


@dataclass
class Run:
    backend: str
    batches: int
    rows: list[Row]
    load: tuple[float, float]


def _bench(app: Any, args: argparse.Namespace, backend: str, n_batches: int) -> Run:
    from registry.extensions import db

    queries = build_queries(app)
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        queries = [q for q in queries if any(q.label.startswith(w) for w in wanted)]
    load_before = os.getloadavg()[0]
    rows = measure(app, queries, args.repeat)
    load_after = os.getloadavg()[0]
    if args.explain:
        explain(app, queries)
    with app.app_context():
        db.engine.dispose()
    print_table(
        backend,
        rows,
        f"{n_batches} batches, {args.repeat} runs a query, "
        f"inputs rotated; load average {load_before:.1f} -> "
        f"{load_after:.1f} on {os.cpu_count()} cores",
        TARGETS[backend],
    )
    return Run(backend, n_batches, rows, (load_before, load_after))


def print_side_by_side(runs: list[Run]) -> None:
    """App p95 of each query at each size, per backend, and its growth (largest/smallest)."""
    for backend in ("postgresql", "sqlite"):
        mine = sorted((r for r in runs if r.backend == backend), key=lambda r: r.batches)
        if not mine:
            continue
        target = TARGETS[backend]
        labels = list(dict.fromkeys(row.label for r in mine for row in r.rows))
        head = f"{'query':34}" + "".join(f" {f'p95 @{r.batches:,}':>16}" for r in mine)
        if len(mine) > 1:
            head += f" {'growth':>7}"
        print(
            f"\n{backend}: app p95 (ms) by size; target <= {target:g} ms at the largest size"
            + (f", growth <= {TARGET_GROWTH:g}x" if len(mine) > 1 else "")
        )
        print(head)
        print("-" * (len(head) + 10))
        for label in labels:
            p95s = []
            for r in mine:
                row = next((x for x in r.rows if x.label == label), None)
                p95s.append(_pct(row.app, 0.95) if row else None)
            line = f"{label:34}" + "".join(
                f" {v:>16.2f}" if v is not None else f" {'-':>16}" for v in p95s
            )
            verdict = []
            if p95s[-1] is not None and p95s[-1] > target:
                verdict.append("p95")
            if len(mine) > 1 and None not in (p95s[0], p95s[-1]):
                growth = p95s[-1] / p95s[0] if p95s[0] else float("inf")
                line += f" {growth:>6.2f}x"
                if growth > TARGET_GROWTH:
                    verdict.append("growth")
            print(line + "  " + ("MISSED " + ",".join(verdict) if verdict else "ok"))
        print(
            "load average (1 min) before -> after each size: "
            + "; ".join(f"{r.batches:,}: {r.load[0]:.1f} -> {r.load[1]:.1f}" for r in mine)
            + f" on {os.cpu_count()} cores"
        )


def explain(app: Any, queries: list[Query]) -> None:
    """Print the plan of every statement of the first input of each query."""
    from registry.extensions import db

    client = app.test_client()
    with app.app_context():
        engine = db.engine
        sqlite = engine.dialect.name == "sqlite"
        for q in queries:
            url = "/api/v1/batches" + ("?" + urlencode(q.params[0]) if q.params[0] else "")
            cap = capture(app, client, url)
            print(f"\n== {q.label}: {url}")
            raw = engine.raw_connection()
            try:
                cur = raw.driver_connection.cursor()
                for stmt, params in cap.statements:
                    print("--", " ".join(stmt.split())[:600])
                    if sqlite:
                        cur.execute("EXPLAIN QUERY PLAN " + stmt, params)
                        for r in cur.fetchall():
                            print("   ", r[3])
                    else:
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + stmt, params)
                        for r in cur.fetchall():
                            print("   ", r[0])
                raw.driver_connection.rollback()
            finally:
                raw.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument(
        "--batches",
        default="100000",
        help="batches to seed, or sizes comma-separated (e.g. 100000,1000000); default 100000",
    )
    ap.add_argument("--repeat", type=int, default=200, help="timed runs per query (default 200)")
    ap.add_argument(
        "--keep",
        action="store_true",
        help="(the default now) keep the seeded PostgreSQL schema between runs",
    )
    ap.add_argument(
        "--drop", action="store_true", help="drop the seeded PostgreSQL schema afterwards"
    )
    ap.add_argument(
        "--fresh", action="store_true", help="seed again even when a seeded database is kept"
    )
    ap.add_argument("--seed-only", action="store_true", help="seed (or upgrade) and stop")
    ap.add_argument("--explain", action="store_true", help="print the query plans too")
    ap.add_argument(
        "--only",
        default="",
        help="comma-separated starts of query labels to run (e.g. 'status,q=')",
    )
    args = ap.parse_args(argv)
    sizes = [int(x.replace("_", "")) for x in args.batches.split(",") if x.strip()]
    print(
        f"bench/search.py: {', '.join(f'{n:,}' for n in sizes)} batches, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    runs: list[Run] = []
    failed = False
    for backend in ("postgresql", "sqlite"):
        if args.backend not in (backend, "both"):
            continue
        for n in sizes:
            app = (
                prepare_sqlite(n, args.fresh)
                if backend == "sqlite"
                else prepare_postgresql(n, args.fresh)
            )
            if app is None:
                failed = True
                break
            if not args.seed_only:
                runs.append(_bench(app, args, backend, n))
            if backend == "postgresql" and args.drop:
                drop_postgresql(n)
    if runs:
        print_side_by_side(runs)
    return 1 if failed and not runs else 0


if __name__ == "__main__":
    sys.exit(main())
