"""Parser accuracy on folders of PDFs with a ``truth.canonical.json`` each.

    .venv/bin/python bench/accuracy.py                 # the repository's corpus + generated corpus
    .venv/bin/python bench/accuracy.py DIR [DIR ...]   # any folders
    .venv/bin/python bench/accuracy.py -v              # also list misses and extras
    .venv/bin/python bench/accuracy.py --record-first-sight DIR
                                                       # add DIR's new documents to the ledger

Prints recall, precision, metadata accuracy and silent misses per layout and overall
(definitions in ``bench/scoring.py``), then the **first-sight ledger**
(``bench/first_sight.csv``) beside today's figures for the same documents.

The ledger keeps, for every document that entered the corpus, its score *before* any
parser change made for it: the honest measure of how the parser does on a lab it has
never met. Record a new document before touching the parser for it
(``--record-first-sight``); a document already in the ledger is never re-recorded.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import subprocess
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

CORPUS = REPO / "tests" / "corpus"
REAL_FOLDERS = (CORPUS / "real", CORPUS / "real-2")
LEDGER = REPO / "bench" / "first_sight.csv"
LEDGER_FIELDS = (
    "date",
    "file",
    "layout",
    "recall",
    "precision",
    "metadata",
    "silent",
    "truth",
    "found",
    "reported",
    "correct",
    "meta_ok",
    "meta_total",
    "parser_commit",
    "note",
)


def score_documents(folder: Path, prefix: str | None = None) -> list[tuple[str, str, Score]]:
    """(file key, layout, score) of every record of ``folder``; the key is the path
    relative to ``tests/corpus`` when the folder lies there, ``prefix/file`` when a
    prefix is given (generated documents: ``generated/FAMILY``)."""
    out: list[tuple[str, str, Score]] = []
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
        key = f"{prefix}/{record['file']}" if prefix else _key(path)
        out.append((key, record.get("layout") or "?", score_document(record, doc)))
    return out


def _key(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(CORPUS.resolve()))
    except ValueError:
        return str(path)


def by_layout(scored: list[tuple[str, str, Score]]) -> dict[str, Score]:
    per_layout: dict[str, Score] = defaultdict(Score)
    for _file, layout, score in scored:
        per_layout[layout].add(score)
    return per_layout


def print_scores(title: str, per_layout: dict[str, Score], verbose: bool) -> Score:
    """A table per layout plus the overall line; returns the overall score."""
    total = Score()
    print(f"\n== {title}")
    print(
        f"{'layout':44s} {'recall':>7s} {'prec.':>7s} {'meta':>7s} {'silent':>6s}  (found/truth, correct/reported)"
    )
    for layout in sorted(per_layout):
        s = per_layout[layout]
        total.add(s)
        print(
            f"{layout[:44]:44s} {s.recall:7.3f} {s.precision:7.3f} {s.metadata:7.3f} {s.silent:6d}  "
            f"({s.found}/{s.truth}, {s.correct}/{s.reported})"
        )
    print(
        f"{'OVERALL':44s} {total.recall:7.3f} {total.precision:7.3f} {total.metadata:7.3f} {total.silent:6d}  "
        f"({total.found}/{total.truth}, {total.correct}/{total.reported})"
    )
    fields = "  ".join(
        f"{f}={total.meta_ok.get(f, 0)}/{total.meta_total.get(f, 0)}" for f in META_FIELDS
    )
    print(f"metadata per field: {fields}  spurious={total.spurious}")
    share = total.silent / total.truth if total.truth else 0.0
    print(
        f"silent misses: {total.silent} of {total.truth} truth results ({share:.1%}) in documents not sent to review"
    )
    if verbose:
        for line in total.misses + total.extras + total.meta_wrong:
            print("   ", line)
    return total


def read_ledger() -> list[dict[str, str]]:
    if not LEDGER.exists():
        return []
    with LEDGER.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def record_first_sight(folder: Path, note: str, prefix: str | None = None) -> int:
    """Append ``folder``'s documents that the ledger does not hold yet; returns how many."""
    known = {row["file"] for row in read_ledger()}
    new_rows = []
    for key, layout, s in score_documents(folder, prefix):
        if key in known:
            continue
        meta_total = sum(s.meta_total.values())
        new_rows.append(
            {
                "date": dt.date.today().isoformat(),
                "file": key,
                "layout": layout,
                "recall": f"{s.recall:.3f}",
                "precision": f"{s.precision:.3f}",
                "metadata": f"{s.metadata:.3f}",
                "silent": s.silent,
                "truth": s.truth,
                "found": s.found,
                "reported": s.reported,
                "correct": s.correct,
                "meta_ok": sum(s.meta_ok.values()),
                "meta_total": meta_total,
                "parser_commit": _commit(),
                "note": note,
            }
        )
    if new_rows:
        fresh = not LEDGER.exists()
        with LEDGER.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, LEDGER_FIELDS)
            if fresh:
                writer.writeheader()
            writer.writerows(new_rows)
    return len(new_rows)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def print_ledger(current: dict[str, tuple[str, Score]]) -> None:
    """First-sight figures beside today's, per document and summed."""
    rows = read_ledger()
    if not rows:
        print(f"\n== first-sight ledger: {LEDGER} is empty")
        return
    print(f"\n== first-sight ledger ({LEDGER.relative_to(REPO)}): first sight -> now")
    print(
        f"{'file':58s} {'date':10s} {'recall':>13s} {'precision':>13s} {'metadata':>13s} {'silent':>9s}"
    )
    first, now = Score(), Score()
    for row in rows:
        cur = current.get(row["file"])
        f = Score(
            truth=int(row["truth"]),
            found=int(row["found"]),
            reported=int(row["reported"]),
            correct=int(row["correct"]),
            silent=int(row["silent"]),
            meta_total={"all": int(row["meta_total"])},
            meta_ok={"all": int(row["meta_ok"])},
        )
        first.add(f)
        if cur is None:
            print(
                f"{row['file'][:58]:58s} {row['date']:10s} {f.recall:6.3f}    n/a {f.precision:6.3f}    n/a "
                f"{f.metadata:6.3f}    n/a {f.silent:4d}  n/a"
            )
            continue
        c = cur[1]
        now.add(
            Score(
                truth=c.truth,
                found=c.found,
                reported=c.reported,
                correct=c.correct,
                silent=c.silent,
                meta_total={"all": sum(c.meta_total.values())},
                meta_ok={"all": sum(c.meta_ok.values())},
            )
        )
        print(
            f"{row['file'][:58]:58s} {row['date']:10s} {f.recall:6.3f} {c.recall:6.3f} {f.precision:6.3f} "
            f"{c.precision:6.3f} {f.metadata:6.3f} {c.metadata:6.3f} {f.silent:4d} {c.silent:4d}"
        )
    docs = [r for r in rows if r["file"] in current]
    # Means per document, each over the documents where the figure has a denominator.
    dens = {"recall": "truth", "precision": "reported", "metadata": "meta_total"}
    mean = {}
    for k, den in dens.items():
        counted = [float(r[k]) for r in docs if int(r[den])]
        mean[k] = sum(counted) / len(counted) if counted else 1.0
    print(
        f"{'ALL (pooled)':58s} {'':10s} {first.recall:6.3f} {now.recall:6.3f} {first.precision:6.3f} "
        f"{now.precision:6.3f} {first.metadata:6.3f} {now.metadata:6.3f} {first.silent:4d} {now.silent:4d}"
    )
    if docs:
        print(
            f"first sight, mean over {len(docs)} documents: recall {mean['recall']:.3f}, precision "
            f"{mean['precision']:.3f}, metadata {mean['metadata']:.3f}; silent misses "
            f"{first.silent}/{first.truth} ({_ratio(first.silent, first.truth):.1%})"
        )


def _synthetic(verbose: bool) -> dict[str, tuple[str, Score]]:
    """Score the generated corpus (seed 0); returns its scores keyed as the ledger keys them
    (``generated/FAMILY/FILE``: the same seed gives the same documents)."""
    try:
        from tests.synthetic import generate_corpus  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        print(f"\n== generated corpus skipped: tests.synthetic not importable ({exc})")
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_corpus(Path(tmp), per_family=3, seed=0)
        scored = score_documents(Path(folder))
        print_scores("generated corpus (tests.synthetic)", by_layout(scored), verbose)
    return {
        f"generated/{layout.removeprefix('synthetic-')}/{Path(key).name}": (layout, s)
        for key, layout, s in scored
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument(
        "--record-first-sight",
        type=Path,
        metavar="DIR",
        help="score DIR's documents that the ledger lacks and append them to it",
    )
    ap.add_argument(
        "--note", default="", help="with --record-first-sight: a note kept on each new row"
    )
    ap.add_argument(
        "--prefix",
        help="with --record-first-sight: key documents as PREFIX/FILE "
        "(for generated folders, e.g. generated/FAMILY)",
    )
    args = ap.parse_args()
    start = time.perf_counter()
    if args.record_first_sight:
        added = record_first_sight(args.record_first_sight, args.note, args.prefix)
        print(f"{added} document(s) added to {LEDGER.relative_to(REPO)}")
        return 0
    current: dict[str, tuple[str, Score]] = {}
    folders = args.folders or [f for f in REAL_FOLDERS if (f / "truth.canonical.json").exists()]
    everything = Score()
    for folder in folders:
        scored = score_documents(folder)
        current.update({key: (layout, s) for key, layout, s in scored})
        everything.add(print_scores(_key(folder), by_layout(scored), args.verbose))
    if len(folders) > 1:
        print(
            f"\n== all real folders: recall {everything.recall:.3f}, precision {everything.precision:.3f}, "
            f"metadata {everything.metadata:.3f}, silent misses {everything.silent}/{everything.truth}"
        )
    if not args.folders:
        current.update(_synthetic(args.verbose))
    print_ledger(current)
    print(f"\n({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
