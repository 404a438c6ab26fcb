"""The explicit catalog of layouts, most specific first, the generic parser last.

Third parties may add layouts through the ``registry.parsers`` entry-point group; they
are tried before the generic fallback.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from parsers.layouts.base import Layout
from parsers.layouts.generic import GenericParser
from parsers.pdf import PdfText

#: Built-in layouts; the generic parser is always last.
BUILTIN: tuple[Layout, ...] = (GenericParser(),)

ENTRY_POINT_GROUP = "registry.parsers"


def layouts() -> tuple[Layout, ...]:
    """Built-in layouts with entry-point layouts inserted before the generic fallback."""
    extra: list[Layout] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        extra.append(obj() if isinstance(obj, type) else obj)
    return (*BUILTIN[:-1], *extra, BUILTIN[-1])


def choose(pdf: PdfText) -> Layout:
    """The layout with the highest detection confidence (earliest wins ties)."""
    best, best_score = BUILTIN[-1], -1.0
    for layout in layouts():
        score = layout.detect(pdf)
        if score > best_score:
            best, best_score = layout, score
    return best
