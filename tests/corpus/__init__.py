"""The real COA corpus the repository carries (tests and benchmarks read it from here).

``real/`` and ``real-2/`` each hold third-party PDFs, ``SOURCES.md`` (where each came
from, its licence and attribution), ``truth.json`` (values as printed, with notes on each
file's traps) and ``truth.canonical.json`` (the same in the contract's codes and units).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent
REAL = CORPUS / "real"
REAL_2 = CORPUS / "real-2"
FOLDERS = (REAL, REAL_2)


def truth(folder: Path = REAL) -> list[dict[str, Any]]:
    """The canonical truth records of one corpus folder."""
    data: list[dict[str, Any]] = json.loads(
        (folder / "truth.canonical.json").read_text(encoding="utf-8")
    )
    return data
