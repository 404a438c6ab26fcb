"""``python -m tests.synthetic OUT_DIR [--per-family N] [--seed S]``: write a synthetic corpus."""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.synthetic import FAMILIES, generate_corpus


def main(argv: list[str] | None = None) -> int:
    """Write the corpus and print what was written."""
    parser = argparse.ArgumentParser(prog="python -m tests.synthetic", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--per-family", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    folder = generate_corpus(args.out_dir, per_family=args.per_family, seed=args.seed)
    count = args.per_family * len(FAMILIES)
    print(f"wrote {count} PDFs and truth.canonical.json to {folder} "
          f"({len(FAMILIES)} families: {', '.join(f.name for f in FAMILIES)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
