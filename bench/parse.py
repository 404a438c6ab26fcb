"""Parser speed and memory beside a bare pdfplumber read of the same files, in one run.

    .venv/bin/python bench/parse.py                   # real corpus + generated corpus
    .venv/bin/python bench/parse.py DIR [DIR ...]     # any folders of PDFs
    .venv/bin/python bench/parse.py --repeat 5        # more timing runs per text file

For every PDF: the median wall-clock seconds of ``parsers.parse`` (in this process) and
of pdfplumber ``extract_text()`` over every page (the baseline), their ratio, and the
peak memory of a parse. Text PDFs and scans (no text layer: fewer than 20 characters a
page for pdfplumber) are reported separately. Targets: ratio ≤ 1.5 on text PDFs
(stretch ≤ 0.5), ≤ 4 s per scanned page, ≤ 300 MB peak.

Peak memory is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of a forkserver child that
parses the file once (the same kind of process ``parse_isolated`` uses), plus the
largest ``RUSAGE_CHILDREN`` peak (Tesseract, for scans) when bigger. It is resident
memory (RSS) and includes the child's share of the preloaded interpreter and libraries
(the "base" figure printed), not Python heap alone as tracemalloc would report.

Last, ``parse_isolated`` overhead: an empty child round trip, and the median of
``parse_isolated`` minus ``parse`` over the text files. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import io
import logging
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pdfplumber  # noqa: E402

from parsers import Limits, ParseError, parse, parse_isolated  # noqa: E402
from parsers.sandbox import run_isolated, warm_up  # noqa: E402

logging.getLogger("pdfminer").setLevel(logging.ERROR)  # "Could not get FontBBox" noise

REAL = REPO / "tests" / "corpus" / "real"
SCAN_CHARS_PER_PAGE = 20
BENCH_LIMITS = Limits(seconds=600, memory_mb=4096, max_pages=200)


@dataclass
class Row:
    """Figures of one file."""

    name: str
    pages: int
    scanned: bool
    parse_s: float
    plumber_s: float
    peak_mb: float
    isolated_s: float | None = None
    error: str = ""

    @property
    def ratio(self) -> float:
        return self.parse_s / self.plumber_s if self.plumber_s else float("nan")


def plumber_text(path: Path) -> tuple[int, int]:
    """(pages, characters) of a bare pdfplumber read of every page."""
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        chars = sum(len(page.extract_text() or "") for page in pdf.pages)
        return len(pdf.pages), chars


def timed(func: Callable[[], Any], repeat: int) -> float:
    """Median wall-clock seconds of ``func()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def quiet_parse(path: Path) -> None:
    try:
        parse(path, max_pages=200)
    except ParseError:
        pass


def peak_memory(path: Path) -> dict[str, Any]:
    """Runs in a forkserver child: parse once, report peak RSS (MB) of self and subprocesses."""
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        parse(str(path), max_pages=200)
        error = ""
    except ParseError as exc:
        error = exc.code
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"base": base, "peak": max(own, children), "error": error}


def measure(path: Path, repeat: int) -> Row:
    """All figures of one file."""
    pages, chars = plumber_text(path)
    scanned = chars < SCAN_CHARS_PER_PAGE * max(pages, 1)
    runs = 1 if scanned else repeat
    plumber_s = timed(lambda: plumber_text(path), runs)
    parse_s = timed(lambda: quiet_parse(path), runs)
    memory = run_isolated(peak_memory, (str(path),), BENCH_LIMITS)
    isolated = None if scanned else timed(lambda: _isolated(path), runs)
    return Row(
        path.name, pages, scanned, parse_s, plumber_s, memory["peak"], isolated, memory["error"]
    )


def _isolated(path: Path) -> None:
    try:
        parse_isolated(path, BENCH_LIMITS)
    except ParseError:
        pass


def report(title: str, rows: list[Row]) -> None:
    """Per-file lines and the medians, text PDFs and scans apart."""
    print(f"\n== {title}")
    for scanned in (False, True):
        group = [r for r in rows if r.scanned == scanned]
        if not group:
            continue
        kind = "scanned (OCR)" if scanned else "text PDFs"
        print(f"-- {kind}: {len(group)} files")
        print(
            f"{'file':52s} {'pages':>5s} {'parse s':>8s} {'plumber s':>9s} {'ratio':>6s} "
            f"{'s/page':>7s} {'peak MB':>8s}"
        )
        for r in group:
            note = f"  ({r.error})" if r.error else ""
            ratio = "n/a" if scanned else f"{r.ratio:.2f}"  # pdfplumber reads nothing from a scan
            print(
                f"{r.name[:52]:52s} {r.pages:5d} {r.parse_s:8.3f} {r.plumber_s:9.3f} {ratio:>6s} "
                f"{r.parse_s / max(r.pages, 1):7.2f} {r.peak_mb:8.0f}{note}"
            )
        summary(group, scanned)


def summary(group: list[Row], scanned: bool) -> None:
    ratio = statistics.median(r.ratio for r in group)
    per_page = statistics.median(r.parse_s / max(r.pages, 1) for r in group)
    ratio_text = "" if scanned else f"median ratio {ratio:.2f}, "
    print(
        f"median parse {statistics.median(r.parse_s for r in group):.3f} s/doc, "
        f"plumber {statistics.median(r.plumber_s for r in group):.3f} s/doc, "
        f"{ratio_text}median {per_page:.2f} s/page, "
        f"peak memory median {statistics.median(r.peak_mb for r in group):.0f} MB, "
        f"max {max(r.peak_mb for r in group):.0f} MB"
    )
    target = "target <= 4 s per scanned page" if scanned else "target ratio <= 1.5 (stretch <= 0.5)"
    print(f"   ({target}; peak target <= 300 MB)")


def overhead(rows: list[Row]) -> None:
    """parse_isolated's cost over an in-process parse."""
    ping = timed(lambda: run_isolated(_empty, (), BENCH_LIMITS), 20)
    extra = [r.isolated_s - r.parse_s for r in rows if r.isolated_s is not None]
    print("\n== parse_isolated overhead")
    print(f"empty child round trip: {ping * 1000:.1f} ms (median of 20)")
    if extra:
        print(
            f"parse_isolated - parse: median {statistics.median(extra) * 1000:.1f} ms per call "
            f"over {len(extra)} text files"
        )
    base = run_isolated(_base_rss, (), BENCH_LIMITS)["base"]
    print(f"forkserver child base RSS (included in every peak above): {base:.0f} MB")


def _empty() -> dict[str, Any]:
    return {}


def _base_rss() -> dict[str, Any]:
    return {"base": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def folder_rows(folder: Path, repeat: int) -> list[Row]:
    return [measure(path, repeat) for path in sorted(folder.glob("*.pdf"))]


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 0."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per text file (median)")
    parser.add_argument(
        "--per-family", type=int, default=2, help="generated corpus size per family"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    warm_up()
    quiet_parse(
        next(iter(sorted(REAL.glob("*.pdf"))), Path("/dev/null"))
    )  # import and cache warm-up
    everything: list[Row] = []
    for folder in args.folders or [REAL]:
        if not folder.is_dir():
            print(f"\n== {folder}: not found, skipped")
            continue
        rows = folder_rows(folder, args.repeat)
        report(str(folder), rows)
        everything += rows
    if not args.folders:
        everything += generated(args.repeat, args.per_family)
    overhead(everything)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


def generated(repeat: int, per_family: int) -> list[Row]:
    try:
        from tests.synthetic import generate_corpus
    except ImportError as exc:
        print(f"\n== generated corpus skipped: tests.synthetic not importable ({exc})")
        return []
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_corpus(Path(tmp), per_family=per_family, seed=0)
        rows = folder_rows(folder, repeat)
    report(f"generated corpus (tests.synthetic, {per_family} per family, seed 0)", rows)
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
