"""Command line: ``python -m parsers FILE.pdf`` prints the contract JSON document.

``python -m parsers --layouts`` lists the known layouts. Bad input prints one line,
``FILE: reason``, on stderr and exits 2 (no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from parsers.api import parse
from parsers.errors import ParseError
from parsers.layout_catalog import layouts


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``coa-parse`` and ``python -m parsers``."""
    ap = argparse.ArgumentParser(
        prog="coa-parse", description="Read a COA PDF into the parse contract JSON."
    )
    ap.add_argument("file", nargs="?", help="the PDF to parse")
    ap.add_argument("--layouts", action="store_true", help="list the known layouts")
    ap.add_argument("--no-ocr", action="store_true", help="do not OCR pages without text")
    args = ap.parse_args(argv)
    if args.layouts:
        print("\n".join(layout.name for layout in layouts()))
        return 0
    if not args.file:
        ap.error("a PDF file is required")
    try:
        doc = parse(args.file, ocr=not args.no_ocr)
    except ParseError as exc:
        print(f"{args.file}: {exc.message}", file=sys.stderr)
        return 2
    json.dump(doc.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
