"""Server time of the public pages beside the JSON API for the same data, in one run.

    .venv/bin/python bench/pages.py                        # SQLite, 100,000 batches
    .venv/bin/python bench/pages.py --batches 20000 --repeat 50

The catalogue is the one ``bench/search.py`` generates (same generator, same cached
SQLite file under ``bench/out/``, so either benchmark seeds it for both). Each page is
requested through the Flask test client as a browser asks for it (``Accept:
text/html``; rate limits off) and, alternating with it, the API call(s) that answer
the same data:

| page | API |
|---|---|
| ``/`` (counts, latest batches failing under any profile) | ``/api/v1/batches?status=fail&profile=any&per_page=10`` |
| ``/search?q=<lot>`` (a lot as printed, redashed) | ``/api/v1/batches?lot=<lot>`` |
| ``/search?status=fail&profile=any&analyte=Pb`` | the same query on ``/api/v1/batches`` |
| ``/batches/<id>`` | ``/api/v1/batches/<id>`` |
| ``/vendors/<slug>`` (batches, counts, charts) | ``/api/v1/vendors/<slug>`` + ``/api/v1/batches?vendor=<slug>&per_page=50`` |

Printed: p50 and p95 milliseconds of each and the ratio page/API at p95, twice: wall
clock, and the CPU time this process spent on the request (``time.process_time``; the
test client serves in-process, and SQLite reads a memory-mapped file, so on an idle
machine the two agree). Other work on a shared machine stretches wall-clock figures
(the one-minute load average is printed beside them) far more than CPU ones, so the
CPU table is the steadier comparison of page and API. Targets (issue 11): p95 <= 50 ms
and a ratio <= 2. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from bench import search as seeded  # noqa: E402

TARGET_P95_MS = 50.0
TARGET_RATIO = 2.0
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def prepare_sqlite(batches: int) -> Any:
    """The seeded SQLite app (``bench/search.py``'s cache, made when missing)."""
    from flask_migrate import upgrade

    from registry.extensions import db

    seeded.OUT.mkdir(parents=True, exist_ok=True)
    head = seeded._head_revision()
    path = seeded.OUT / f"search-sqlite-{batches}-v{seeded.SEED_VERSION}-{head}.db"
    print(f"SQLite {sqlite3.sqlite_version}: {path.relative_to(REPO)}", flush=True)
    app = seeded._app(f"sqlite:///{path}", seeded.OUT / "data")
    with app.app_context():
        fresh = not (
            path.exists()
            and seeded._seeded(db.engine, batches)
            and seeded._current_revision(db.engine) == head
        )
        if fresh:
            for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                p.unlink(missing_ok=True)
            seeded._timed("migrate", upgrade)
            data = seeded._timed("generate", lambda: seeded.generate(batches))
            seeded._timed("load", lambda: seeded.load(app, data))
        else:
            print("  seeded file cached")
            upgrade()
        db.engine.dispose()
    return app


def samples(app: Any, rng: random.Random) -> dict[str, list[Any]]:
    """Batch ids, lots (redashed as people type them) and vendor slugs to rotate over."""
    from registry.extensions import db

    with app.app_context():
        conn = db.session.connection()
        top = conn.scalar(sa.text("SELECT max(id) FROM batches")) or 1
        ids = [rng.randint(1, top) for _ in range(40)]
        lots = [
            r[0]
            for r in conn.execute(
                sa.text("SELECT lot FROM batches WHERE id IN (" + ",".join(map(str, ids)) + ")")
            ).all()
        ]
        slugs = [
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT v.slug FROM vendors v JOIN batches b ON b.vendor_id = v.id GROUP BY v.id, v.slug "
                    "ORDER BY count(b.id) DESC LIMIT 10"
                )
            ).all()
        ]
        slugs += [
            r[0]
            for r in conn.execute(sa.text("SELECT slug FROM vendors ORDER BY id LIMIT 10")).all()
        ]
        db.session.remove()
    return {"ids": ids, "lots": [lot.replace("-", " ").lower() for lot in lots], "slugs": slugs}


def cases(
    s: dict[str, list[Any]],
) -> list[tuple[str, Callable[[int], list[str]], Callable[[int], list[str]]]]:
    """(label, page URLs for repetition i, API URLs for repetition i)."""

    def pick(key: str, i: int) -> Any:
        return s[key][i % len(s[key])]

    return [
        (
            "home",
            lambda i: ["/"],
            lambda i: ["/api/v1/batches?status=fail&profile=any&per_page=10"],
        ),
        (
            "search: lot",
            lambda i: [f"/search?q={quote(pick('lots', i))}"],
            lambda i: [f"/api/v1/batches?lot={quote(pick('lots', i))}"],
        ),
        (
            "search: fail, any, Pb",
            lambda i: ["/search?status=fail&profile=any&analyte=Pb"],
            lambda i: ["/api/v1/batches?status=fail&profile=any&analyte=Pb"],
        ),
        (
            "batch",
            lambda i: [f"/batches/{pick('ids', i)}"],
            lambda i: [f"/api/v1/batches/{pick('ids', i)}"],
        ),
        (
            "vendor",
            lambda i: [f"/vendors/{pick('slugs', i)}"],
            lambda i: [
                f"/api/v1/vendors/{pick('slugs', i)}",
                f"/api/v1/batches?vendor={pick('slugs', i)}&per_page=50",
            ],
        ),
    ]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _time(client: Any, urls: list[str], headers: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of requesting ``urls`` one after the other."""
    start, cpu = time.perf_counter(), time.process_time()
    for url in urls:
        resp = client.get(url, headers=headers)
        if resp.status_code != 200:
            raise SystemExit(f"{url}: {resp.status_code} {resp.get_data(as_text=True)[:300]}")
    return (time.perf_counter() - start) * 1000.0, (time.process_time() - cpu) * 1000.0


Row = tuple[str, list[tuple[float, float]], list[tuple[float, float]]]


def measure(app: Any, repeat: int) -> list[Row]:
    rng = random.Random(11)
    client = app.test_client()
    out = []
    for label, page_urls, api_urls in cases(samples(app, rng)):
        for i in range(3):  # warm caches and compiled statements
            _time(client, page_urls(i), HTML)
            _time(client, api_urls(i), {})
        pages, apis = [], []
        for i in range(repeat):
            pages.append(_time(client, page_urls(i), HTML))
            apis.append(_time(client, api_urls(i), {}))
        out.append((label, pages, apis))
    return out


def report(rows: list[Row]) -> None:
    print(f"\n  load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for which, index in (("wall clock", 0), ("CPU time", 1)):
        print(f"\n  {which} (ms)")
        print(
            f"  {'page':<24}{'page p50':>10}{'page p95':>10}{'API p50':>10}{'API p95':>10}{'ratio p95':>11}"
        )
        for label, page_times, api_times in rows:
            pages, apis = [t[index] for t in page_times], [t[index] for t in api_times]
            p95, a95 = _pct(pages, 0.95), _pct(apis, 0.95)
            ratio = p95 / a95 if a95 else float("inf")
            marks = ("" if p95 <= TARGET_P95_MS else " >50ms") + (
                "" if ratio <= TARGET_RATIO else " >2x"
            )
            print(
                f"  {label:<24}{_pct(pages, 0.5):>10.1f}{p95:>10.1f}{_pct(apis, 0.5):>10.1f}{a95:>10.1f}"
                f"{ratio:>10.2f}x{marks}"
            )
    print(
        f"\n  targets: page p95 <= {TARGET_P95_MS:.0f} ms, page/API p95 <= {TARGET_RATIO:.0f}x (printed, not asserted)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    app = prepare_sqlite(args.batches)
    report(measure(app, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
