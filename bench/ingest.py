"""Bulk-import throughput: COAs per second for ``flask ingest`` with 1 and 2 parsing
processes, on the same files, into fresh SQLite databases, in the same run.

    .venv/bin/python bench/ingest.py [--files N] [--real]

Two sets, each imported with 1 and then 2 processes: generated one-page COAs (distinct
bytes, so none is a duplicate) and the real corpus in tests/corpus/real (when
present; ``--real`` imports both as one set instead). Each file is stored, parsed in a
limited child process, recorded and judged under the shipped profiles. Target: 2
processes >= 1.7x. Recording (about 20 ms a file, on the importing thread) is not
parallel, so the tiny generated COAs, parsed in about 30 ms, gain less than real ones.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.registry.coa import make_coa  # noqa: E402

REAL = REPO / "tests" / "corpus" / "real"


def write_corpus(folder: Path, n: int, real: bool) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        pdf = make_coa(
            vendor=f"Bench Vendor {i % 17}", lot=f"B-{i:05d}", report=f"R-{i}", salt=str(i)
        )
        (folder / f"gen-{i:04d}.pdf").write_bytes(pdf)
    if real and REAL.exists():
        for src in sorted(REAL.glob("*.pdf")):
            (folder / src.name).write_bytes(src.read_bytes())
    return sorted(folder.glob("*.pdf"))


def run(files: list[Path], jobs: int, workdir: Path) -> float:
    from flask_migrate import upgrade

    from registry import create_app, unit_of_work
    from registry.extensions import db
    from registry.services import certificates, profiles
    from registry.storage import get_storage
    from registry.tasks import parsing

    workdir.mkdir(parents=True, exist_ok=True)
    base = workdir / f"jobs{jobs}"
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{base}.db",
            "DATA_DIR": str(base / "data"),
            "SECRET_KEY": "bench",
            "RATE_LIMITS": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        upgrade()
        unit_of_work.commit(db.session, lambda: profiles.load_shipped(db.session))  # judged too
        limits = certificates.limits_from_config(app.config)
        start = time.perf_counter()
        summary = parsing.ingest_files(
            db.session,
            get_storage(),
            files,
            limits=limits,
            max_size=25 * 2**20,
            jobs_at_once=jobs,
            default_profile=app.config["DEFAULT_PROFILE"],
        )
        elapsed = time.perf_counter() - start
    print(
        f"  jobs={jobs}: {len(files)} files in {elapsed:.2f} s = {len(files) / elapsed:.2f} COAs/s"
        f"  outcomes {dict(summary.counts)}"
    )
    return len(files) / elapsed


def compare(label: str, files: list[Path], workdir: Path) -> None:
    print(f"{label}: {len(files)} files")
    one = run(files, 1, workdir / "one")
    two = run(files, 2, workdir / "two")
    print(f"  speed-up with 2 processes: {two / one:.2f}x (target >= 1.7x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=60, help="generated COAs (default 60)")
    parser.add_argument(
        "--real", action="store_true", help="import the generated COAs and the real corpus together"
    )
    args = parser.parse_args()
    print(f"bench/ingest.py: {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        if args.files:
            compare(
                "generated COAs (one page, ~30 ms to parse)",
                write_corpus(base / "gen", args.files, args.real),
                base / "gen-db",
            )
        if REAL.exists() and not args.real:
            compare(
                "the real corpus (1-8 pages, a scan)",
                write_corpus(base / "real", 0, True),
                base / "real-db",
            )
        elif not REAL.exists():
            print(f"the real corpus is not at {REAL}: skipped")


if __name__ == "__main__":
    main()
