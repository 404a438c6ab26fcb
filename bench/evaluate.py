"""Re-judging every stored batch after a profile change, on SQLite and PostgreSQL,
beside a bare read of the same results in the same run.

    .venv/bin/python bench/evaluate.py                               # both backends, 100,000 batches
    .venv/bin/python bench/evaluate.py --backend sqlite --batches 20000

The database is seeded as ``bench/search.py`` seeds it (its ``generate`` and ``load``:
N batches, ~10 results each, one or two certificates a batch), into a file or schema
of this benchmark's own. Then, through the registry's own code path (the one
``flask profiles load`` and the admin API take: ``profiles.store``,
``rejudge.enqueue``, ``tasks.run``, each chunk of 2,000 batches one committed unit of
work):

1. the shipped profiles are loaded and every batch is judged under ``utah-r70-580``
   for the first time (every verdict written: *first judgement*);
2. Utah's lead limit is changed (1.2 -> 1.0 ug/g, a new version) and every batch is
   re-judged (*re-judge after a change*: the figure the target is about). A rule
   changed in place is checked on the analytes it reads, old and new; only batches on
   which it concludes differently are judged in full, and only verdicts that change are
   rewritten (``services/verdicts.py``);
3. a rule is added (*re-judge, a rule added*): no longer a change in place, so every
   rule of every batch is evaluated again, the worst case.

Beside them, the *bare read*: one SQL statement reading the same columns of the same
results (``results`` joined to ``certificates``, readable ones) through a raw DBAPI
cursor, fetched to the end; the best of three. Targets: >= 5,000 batches/s and
re-judge / bare read <= 3. Each step's CPU time (this process's, ``time.process_time``:
the judging, and on SQLite the database work too) is printed beside the wall-clock
time, with the batches per CPU second, since the machine may be busy with other work.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from bench import search as seeding  # noqa: E402

OUT = REPO / "bench" / "out"
PROFILE = "utah-r70-580"
TARGET_RATE = 5000.0
TARGET_RATIO = 3.0

BARE_SQL = (
    "SELECT r.batch_id, r.analyte, r.category, r.value, r.unit, r.qualifier, r.loq,"
    " r.certificate_id, c.tested FROM results r JOIN certificates c ON c.id = r.certificate_id"
    " WHERE c.status <> 'unreadable'"
)


def bare_read(engine: sa.Engine) -> tuple[float, float, int]:
    """Best of three: seconds (wall, CPU) to read every result a re-judgement reads, and
    the rows."""
    best, best_cpu, rows = float("inf"), float("inf"), 0
    for _ in range(3):
        raw = engine.raw_connection()
        try:
            start, cpu = time.perf_counter(), time.process_time()
            cur = raw.cursor()
            cur.execute(BARE_SQL)
            rows = len(cur.fetchall())
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - cpu)
            raw.rollback()
        finally:
            raw.close()
    return best, best_cpu, rows


def rejudge_all(app: Any, change: dict[str, Any] | None) -> tuple[float, float, dict[str, Any]]:
    """Store ``change`` (or load the shipped profiles) and re-judge every batch; seconds
    (wall, CPU) for the whole job (queue and steps) and the job's counts."""
    from registry import tasks, thresholds, unit_of_work
    from registry.extensions import db
    from registry.models import Job
    from registry.services import profiles, rejudge

    with app.app_context():
        session = db.session
        start, cpu = time.perf_counter(), time.process_time()

        def queue() -> int:
            if change is None:
                profiles.load_shipped(session)
                rows = [profiles.get_current(session, PROFILE)]
            else:
                rows = [
                    profiles.store(session, thresholds.profile_from_dict(change), shipped=False).row
                ]
            return rejudge.enqueue(session, rows, actor="bench").id

        job_id = unit_of_work.commit(session, queue)
        assert tasks.run(job_id)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        job = session.get(Job, job_id, populate_existing=True)
        assert job is not None and job.status.value == "done", job
        counts = dict((job.result or {}).get("counts", {}), batches=job.done)
        session.remove()
    return seconds, cpu, counts


def tighter_utah() -> dict[str, Any]:
    from registry import thresholds

    utah = next(p for p in thresholds.load_shipped_profiles() if p.code == PROFILE)
    data = thresholds.profile_to_dict(utah)
    for rule in data["rules"]:
        if rule.get("analyte") == "lead" and rule["kind"] == "max":
            rule["limit"] = 1.0
    return data


def with_a_new_rule() -> dict[str, Any]:
    """Utah with one more rule: not a change in place, so every rule of every batch is
    evaluated again."""
    data = tighter_utah()
    data["rules"].append(
        {
            "id": "nickel-bench",
            "kind": "max",
            "analyte": "nickel",
            "limit": 50.0,
            "unit": "ug/g",
            "verified": "unverified",
            "note": "benchmark rule",
            "source": {"citation": "bench/evaluate.py", "url": "https://example.org/bench"},
        }
    )
    return data


def measure(app: Any, label: str, n: int) -> bool:
    from registry.extensions import db

    with app.app_context():
        bare_s, bare_cpu, rows = bare_read(db.engine)
    first_s, first_cpu, first = rejudge_all(app, None)
    again_s, again_cpu, again = rejudge_all(app, tighter_utah())
    full_s, full_cpu, full = rejudge_all(app, with_a_new_rule())
    rate, ratio = n / again_s, again_s / bare_s
    ok = rate >= TARGET_RATE and ratio <= TARGET_RATIO
    print(f"\n{label}: {n} batches, {rows} results")
    print(
        f"  {'':28} {'seconds':>8} {'batches/s':>10} {'/bare':>6} {'CPU s':>7} {'per CPU s':>10}"
        "  what changed"
    )

    def line(name: str, wall: float, cpu: float, said: str) -> None:
        print(
            f"  {name:28} {wall:8.2f} {n / wall:10.0f} {wall / bare_s:6.2f} {cpu:7.2f}"
            f" {n / cpu if cpu else float('inf'):10.0f}  {said}"
        )

    line("bare read of the results", bare_s, bare_cpu, "")
    line("first judgement", first_s, first_cpu, f"{first.get('written', 0)} verdicts written")
    line(
        "re-judge after a change",
        again_s,
        again_cpu,
        f"{again.get('written', 0)} rewritten, {again.get('changed', 0)} status changes, "
        f"{again.get('batch.failed', 0)} now failing",
    )
    line(
        "re-judge, a rule added",
        full_s,
        full_cpu,
        f"{full.get('written', 0)} rewritten (every rule evaluated again)",
    )
    print(
        f"  target >= {TARGET_RATE:.0f} batches/s and <= {TARGET_RATIO:.0f}x the bare read: "
        f"{'met' if ok else 'MISSED'} (wall clock)"
    )
    return ok


def seeded_sqlite(n: int) -> Path:
    """A migrated, seeded SQLite file for this run (copied from a cached seed)."""
    from flask_migrate import upgrade

    from registry.extensions import db

    OUT.mkdir(parents=True, exist_ok=True)
    head = seeding._head_revision()
    cached = OUT / f"evaluate-seed-{n}-v{seeding.SEED_VERSION}-{head}.db"
    if not cached.exists():
        for old in OUT.glob(f"evaluate-seed-{n}-*.db"):
            old.unlink()
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        app = seeding._app(f"sqlite:///{partial}", OUT / "data")
        with app.app_context():
            upgrade()
            seed = seeding.generate(n)
            seeding.load(app, seed)
            db.engine.dispose()
        partial.rename(cached)
    work = OUT / "evaluate-work.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(cached, work)
    return work


def run_sqlite(n: int) -> bool:
    print(f"\nSQLite {sqlite3.sqlite_version}", flush=True)
    path = seeded_sqlite(n)
    try:
        return measure(seeding._app(f"sqlite:///{path}", OUT / "data"), "SQLite", n)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_postgresql(n: int) -> bool | None:
    from flask_migrate import upgrade

    from registry.extensions import db

    base = os.environ.get(seeding.PG_ENV, seeding.PG_DEFAULT)
    admin = sa.create_engine(seeding._pg_url(base, "public"))
    try:
        with admin.connect() as conn:
            version = conn.scalar(sa.text("SHOW server_version"))
    except sa.exc.OperationalError as exc:
        print(f"\nPostgreSQL skipped: {base} unreachable ({exc.orig})")
        return None
    schema = f"bench_evaluate_{uuid.uuid4().hex[:8]}"
    print(f"\nPostgreSQL {version}: schema {schema}", flush=True)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        app = seeding._app(seeding._pg_url(base, schema), OUT / "data")
        with app.app_context():
            upgrade()
            seeding.load(app, seeding.generate(n))
            db.engine.dispose()
        return measure(app, "PostgreSQL", n)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--batches", type=int, default=100_000)
    args = ap.parse_args(argv)
    print(f"bench/evaluate.py: {args.batches} batches, {os.cpu_count()} cores")
    if args.backend in ("sqlite", "both"):
        run_sqlite(args.batches)
    if args.backend in ("postgresql", "both"):
        run_postgresql(args.batches)
    return 0


if __name__ == "__main__":
    sys.exit(main())
