"""Dates in every common format (:func:`to_iso`).

ISO, ``01/17/2024`` (month first unless the day is over 12 or the document writes
day-first dates), ``17.01.2024``, ``17-Jan-2024``, ``January 17, 2024``,
``5 November 2021``, ``06-12 November 2021`` (a range: the last day for tested and
reported), month names in English, German, French, Spanish and Czech.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from parsers.metadata.ranking import Candidate
from parsers.metadata.vocabulary import MONTH_NAMES
from parsers.vocab import fold

if TYPE_CHECKING:
    from parsers.metadata.cells import LabelledCell


def strip_dates(text: str) -> str:
    for pattern in _DATE_PATTERNS:
        text = pattern.sub(" ", text)
    return text


_MONTHS = {
    name: number for number, names in enumerate(MONTH_NAMES, start=1) for name in names.split()
}


_MONTH = r"([A-Za-zÀ-ž]{3,10})\.?"


_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),  # ISO
    re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?![\d])"),  # 16.1.2026
    re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])"),  # 01/17/2024
    re.compile(r"(?<![\d-])(\d{1,2})-(\d{1,2})-(\d{4})(?![\d])"),  # 17-01-2024
    re.compile(
        r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er)?(?:[\s.-]+|\s+de\s+)"
        + _MONTH
        + r"(?:[\s,.-]+|\s+del?\s+)(\d{4}|\d{2})(?![\d])"
    ),  # 5 Nov 2021, 17 de enero de 2024
    re.compile(
        _MONTH + r"[\s.,]*\s(\d{1,2})(?!\d)(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)"
    ),  # January 17, 2024
    re.compile(
        _MONTH + r"[\s.,]*(\d{1,2})(?!\d)(?:st|nd|rd|th)?[\s,.;:]+(\d{4})(?!\d)"
    ),  # OCR: April 14,2023
)


def _year(text: str) -> int:
    y = int(text)
    return y + (2000 if y < 70 else 1900) if y < 100 else y


def find_dates(text: str, day_first: bool) -> list[tuple[int, date]]:
    """(position, date) of every date in ``text``."""
    found: list[tuple[int, date]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in enumerate(_DATE_PATTERNS):
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            parsed = _to_date(kind, m.groups(), day_first)
            if parsed is not None:
                found.append((m.start(), parsed))
                taken.append((m.start(), m.end()))
    return sorted(found)


def _to_date(kind: int, g: tuple[str | Any, ...], day_first: bool) -> date | None:
    try:
        if kind == 0:
            y, mo, d = int(g[0]), int(g[1]), int(g[2])
        elif kind == 1:
            d, mo, y = int(g[0]), int(g[1]), _year(g[2])
        elif kind == 2:
            a, b, y = int(g[0]), int(g[1]), _year(g[2])
            mo, d = (b, a) if (day_first and b <= 12) or a > 12 else (a, b)
        elif kind == 3:
            a, b, y = int(g[0]), int(g[1]), _year(g[2])
            d, mo = (a, b) if b <= 12 else (b, a)
        elif kind == 4:
            d, y = int(g[0]), _year(g[2])
            mo = _MONTHS.get(fold(g[1]), 0)
        else:
            mo, d, y = _MONTHS.get(fold(g[0]), 0), int(g[1]), int(g[2])
        if not 1900 < y < 2200:
            return None
        return date(y, mo, d)
    except ValueError:
        return None


def to_iso(text: str | None, day_first: bool = False, last: bool = False) -> str | None:
    """The (first, or with ``last`` the last) date in ``text`` as ISO 8601, or None."""
    if not text:
        return None
    found = find_dates(text, day_first)
    if not found:
        return None
    return (found[-1] if last else found[0])[1].isoformat()


def first_date(cands: list[Candidate], day_first: bool, last: bool) -> str | None:
    for cand in sorted(cands):
        iso = to_iso(cand.value, day_first, last)
        if iso is not None:
            return iso
    return None


def writes_day_first(cells: Iterable[LabelledCell]) -> bool:
    """True when the document writes slashed dates day first.

    The slashed dates decide when one of them can only be read one way (``17/01/2024``
    or ``01/17/2024``); otherwise a document that also writes ``16.1.2026`` is European.
    """
    text = " ".join(c.text for c in cells)
    slashed = re.findall(r"(?<![\d/])(\d{1,2})/(\d{1,2})/\d{2,4}\b", text)
    if any(int(b) > 12 for _a, b in slashed):
        return False
    if any(int(a) > 12 for a, _b in slashed):
        return True
    return bool(re.search(r"(?<![\d.])\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b", text))
