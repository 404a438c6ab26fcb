"""Positioned text: words, cells and lines built from character boxes.

Both the pdfium text layer (:mod:`parsers.pdftext`) and Tesseract
(:mod:`parsers.ocr`) produce :class:`Word` objects; everything downstream works on
:class:`Line` objects (words grouped into rows by y, and into cells by wide x gaps).
Coordinates are PDF points with the origin at the top-left of the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: A gap wider than this many font sizes starts a new cell within a line.
CELL_GAP = 0.9


@dataclass(frozen=True, slots=True)
class Word:
    """One word with its box (points, top-left origin) and font size."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool = False  # set by the text layer from the font (weight or name); OCR words never are

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Cell:
    """Words of one line that sit close together (a table cell or a phrase)."""

    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (round(self.x0, 1), round(self.top, 1), round(self.x1, 1), round(self.bottom, 1))


@dataclass(slots=True)
class Line:
    """One visual text line of a page, split into cells."""

    cells: list[Cell]
    page: int
    ocr: bool = False
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)

    @property
    def top(self) -> float:
        return min(c.top for c in self.cells)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.cells)

    @property
    def x0(self) -> float:
        return self.cells[0].x0

    @property
    def size(self) -> float:
        sizes = sorted(w.size for c in self.cells for w in c.words)
        return sizes[len(sizes) // 2]


@dataclass(slots=True)
class TextPage:
    """A page's lines in reading order (top to bottom, left to right)."""

    number: int
    width: float
    height: float
    lines: list[Line]
    ocr: bool = False
    confidence: float | None = None  # mean OCR word confidence (0-100)


def group_rows(words: Iterable[Word]) -> list[list[Word]]:
    """Group words into visual rows by vertical overlap, each row sorted by x."""
    rows: list[list[Word]] = []
    bounds: list[tuple[float, float]] = []
    for w in sorted(words, key=lambda w: (w.mid_y, w.x0)):
        if rows and _same_row(bounds[-1], w):
            rows[-1].append(w)
        else:
            rows.append([w])
            bounds.append((w.top, w.bottom))
    return [sorted(r, key=lambda w: w.x0) for r in rows]


def _same_row(bounds: tuple[float, float], w: Word) -> bool:
    top, bottom = bounds
    overlap = min(bottom, w.bottom) - max(top, w.top)
    return overlap > 0.6 * min(bottom - top, w.bottom - w.top)


def split_cells(row: Sequence[Word], gap: float = CELL_GAP) -> list[Cell]:
    """Split a row of words into cells wherever the gap exceeds ``gap`` font sizes."""
    cells: list[Cell] = []
    for w in row:
        if cells and w.x0 - cells[-1].words[-1].x1 < gap * max(w.size, 4.0):
            cells[-1].words.append(w)
        else:
            cells.append(Cell([w]))
    return cells


def build_lines(words: Iterable[Word], page: int, ocr: bool = False) -> list[Line]:
    """Words of one page to lines, top to bottom."""
    return [Line(split_cells(r), page, ocr) for r in group_rows(words) if r]
