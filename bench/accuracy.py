"""Parser accuracy on folders of PDFs with a ``truth.canonical.json`` each.

    .venv/bin/python bench/accuracy.py                 # real corpus + generated corpus
    .venv/bin/python bench/accuracy.py DIR [DIR ...]   # any folders
    .venv/bin/python bench/accuracy.py -v              # also list misses and extras

Prints recall, precision and metadata accuracy per layout and overall (definitions in
``bench/scoring.py``). The generated corpus comes from ``tests.synthetic`` when that
package is importable; otherwise a note says it was skipped.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from scoring import META_FIELDS, Score, load_truth, score_document  # noqa: E402

from parsers import ParseError, parse  # noqa: E402

REAL = REPO.parent / "shared" / "corpus" / "real"


def score_folder(folder: Path, verbose: bool = False) -> dict[str, Score]:
    """Per-layout scores of every record of ``folder``."""
    per_layout: dict[str, Score] = defaultdict(Score)
    for record in load_truth(folder):
        path = folder / record["file"]
        if not path.exists():
            print(f"  (missing {path.name})")
            continue
        try:
            doc = parse(path).to_dict()
        except ParseError as exc:
            print(f"  {path.name}: {exc.code}: {exc.message}")
            doc = {}
        per_layout[record.get("layout") or "?"].add(score_document(record, doc))
    return per_layout


def print_scores(title: str, per_layout: dict[str, Score], verbose: bool) -> Score:
    """A table per layout plus the overall line; returns the overall score."""
    total = Score()
    print(f"\n== {title}")
    print(f"{'layout':44s} {'recall':>7s} {'prec.':>7s} {'meta':>7s}  (found/truth, correct/reported)")
    for layout in sorted(per_layout):
        s = per_layout[layout]
        total.add(s)
        print(f"{layout[:44]:44s} {s.recall:7.3f} {s.precision:7.3f} {s.metadata:7.3f}  "
              f"({s.found}/{s.truth}, {s.correct}/{s.reported})")
    print(f"{'OVERALL':44s} {total.recall:7.3f} {total.precision:7.3f} {total.metadata:7.3f}  "
          f"({total.found}/{total.truth}, {total.correct}/{total.reported})")
    fields = "  ".join(f"{f}={total.meta_ok.get(f, 0)}/{total.meta_total.get(f, 0)}" for f in META_FIELDS)
    print(f"metadata per field: {fields}  spurious={total.spurious}")
    if verbose:
        for line in total.misses + total.extras + total.meta_wrong:
            print("   ", line)
    return total


def _synthetic(verbose: bool) -> None:
    try:
        from tests.synthetic import generate_corpus  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        print(f"\n== generated corpus skipped: tests.synthetic not importable ({exc})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_corpus(Path(tmp), per_family=3, seed=0)
        print_scores("generated corpus (tests.synthetic)", score_folder(Path(folder), verbose), verbose)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    start = time.perf_counter()
    if args.folders:
        for folder in args.folders:
            print_scores(str(folder), score_folder(folder, args.verbose), args.verbose)
    else:
        if (REAL / "truth.canonical.json").exists():
            print_scores("real corpus (../shared/corpus/real)", score_folder(REAL, args.verbose), args.verbose)
        else:
            print(f"real corpus not found at {REAL}")
        _synthetic(args.verbose)
    print(f"\n({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
