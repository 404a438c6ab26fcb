"""Run every benchmark script in ``bench/`` and print their output.

    .venv/bin/python bench/run_all.py              # every benchmark present
    .venv/bin/python bench/run_all.py search parse # only these

The known benchmarks run first, in this order, when present: search.py, parse.py,
accuracy.py, ingest.py, upload.py, evaluate.py; then any other ``bench/*.py`` that runs as a
script (has an ``if __name__ == "__main__":`` block). Each runs as a subprocess of
this interpreter with its output streamed as it comes. A failing one is reported and
the rest still run; the exit status is non-zero when any failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
KNOWN = ("search.py", "parse.py", "accuracy.py", "ingest.py", "upload.py", "evaluate.py")
NOT_BENCHMARKS = {"run_all.py", "__init__.py"}


def scripts(only: list[str] | None = None) -> list[Path]:
    present = [BENCH / name for name in KNOWN if (BENCH / name).exists()]
    present += [
        p
        for p in sorted(BENCH.glob("*.py"))
        if p.name not in KNOWN
        and p.name not in NOT_BENCHMARKS
        and 'if __name__ == "__main__":' in p.read_text(encoding="utf-8", errors="replace")
    ]
    if only:
        wanted = {name.removesuffix(".py") for name in only}
        present = [p for p in present if p.stem in wanted]
    return present


def run(script: Path) -> tuple[int, float]:
    print(f"\n{'=' * 80}\n== bench/{script.name}\n{'=' * 80}", flush=True)
    start = time.perf_counter()
    try:
        code = subprocess.call([sys.executable, str(script)], cwd=REPO)
    except OSError as error:
        print(f"could not start bench/{script.name}: {error}", flush=True)
        code = 127
    return code, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    todo = scripts(args or None)
    if not todo:
        print("no benchmark scripts found" + (f" among {args}" if args else ""))
        return 1
    outcomes = [(script, *run(script)) for script in todo]
    print(f"\n{'=' * 80}\nsummary")
    for script, code, seconds in outcomes:
        print(
            f"  bench/{script.name:14} {'ok' if code == 0 else f'FAILED (exit {code})':18} {seconds:7.1f} s"
        )
    failed = [s.name for s, code, _ in outcomes if code != 0]
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
