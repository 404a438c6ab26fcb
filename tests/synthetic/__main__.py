"""``python -m tests.synthetic OUT_DIR [--per-family N] [--seed S] [--family NAME ...]``: write a synthetic corpus."""

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
    parser.add_argument(
        "--family",
        action="append",
        metavar="NAME",
        help="only this family (repeatable); a first-sight record is made per family",
    )
    args = parser.parse_args(argv)
    families = tuple(args.family) if args.family else None
    folder = generate_corpus(
        args.out_dir, per_family=args.per_family, seed=args.seed, families=families
    )
    names = [f.name for f in FAMILIES if not families or f.name in families]
    print(
        f"wrote {args.per_family * len(names)} PDFs and truth.canonical.json to {folder} "
        f"({len(names)} families: {', '.join(names)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
