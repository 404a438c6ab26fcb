"""Knowing what it missed: analytes a page names as results that no result was read for.

A document whose results look clean because a row was not read is worse than one that
says it could not read it: a failing batch would pass in public. So after the results
are read, every line is scanned again with the vocabulary. An analyte named in a place
where a result is printed, with no result of that analyte in the document, is reported
(and the document goes to review, :func:`parsers.api._review`). So is an analyte whose
row was read as a number while the same row prints a non-detect (``Arsenic  200  ND``):
the number read is likely a limit.

"A place where a result is printed" is told by the line, not by the lab:

* the label starts a row that has a reading after it (a number, ``ND``, ``<LOQ``,
  ``Absent``; a verdict on an absence test), digits that did not read, or a cell
  before a unit that did not read (``Total Aflatoxins  hi  ng/g``);
* or it is one of two or more analyte labels on a line without readings, with
  readings on the line below (a horizontal table: ``TPC  yeasts  moulds`` over values);
* or it is alone at the start of its line with readings on the next line, beside or
  below it (a value printed below its label).

Not counted: QA/QC rows, prose (sentences, criterion lines, legends:
``Criterion for 7-OH: ≤ 2 % of total``), lines that list limits (``Limits: Pb 1.0``),
method lists without readings, and rows whose only reading says the test was not done
(``NOT TESTED``, ``N/A``). When in doubt a line counts: a false flag costs a review, a
missed one costs a wrong verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from parsers.document import ParsedResult
from parsers.layout_text import Line, TextPage
from parsers.rows import Segment, is_qc_segment, lead_words, segments
from parsers.values import is_empty, normalise_unit, parse_cell, status_of
from parsers.vocab import IN_SCOPE_HEADINGS, OUT_OF_SCOPE_HEADINGS, fold

#: Words (folded) before a line's first analyte that make the line a list of limits or methods.
_LIST_LEAD = frozenset(
    {
        "limit",
        "limits",
        "specification",
        "specifications",
        "spec",
        "specs",
        "max",
        "maximum",
        "criteria",
        "criterion",
        "acceptance",
        "action",
        "levels",
        "method",
        "methods",
        "loq",
        "lod",
        "reference",
        "references",
        "note",
        "notes",
        "legend",
        "grenzwert",
        "limite",
    }
)
#: Plain words after a label, before any reading, that make it a sentence.
_PROSE_WORDS = 6
#: Words in one cell that make it a paragraph line, whatever follows the label.
_SENTENCE_WORDS = 12
#: Words that make a pass/fail verdict a presence result (the test was for absence).
_ABSENCE_WORDS = frozenset(
    {"absence", "absent", "negative", "detected", "nd", "presence", "present"}
)
_DIGIT = re.compile(r"\d")
#: A method or standard reference (``USP <2021>``, ``AOAC 2013.06``, ``ISO 6579``): digits that are no value.
_METHOD = re.compile(
    r"\b(?:USP|AOAC|ISO|EPA|BAM|SOP|EN|FDA|CFR|ASTM|QC|WI)\b|<\d{3,4}>", re.IGNORECASE
)
#: Readings that mean the test was not done.
_NOT_DONE = (
    "not tested",
    "not analyzed",
    "not analysed",
    "not requested",
    "not performed",
    "n t",
    "nt",
)


def unread_analytes(
    pages: Iterable[TextPage], results: Iterable[ParsedResult]
) -> list[tuple[str, int, str, bool]]:
    """(analyte code, page, printed label, doubtful) of analytes named as results but not
    read; ``doubtful``: read as a number where the row prints a non-detect."""
    results = list(results)
    read = {r.analyte for r in results}
    seen: set[str] = set()
    out: list[tuple[str, int, str, bool]] = []
    for page in pages:
        lines = page.lines
        out_of_scope = False
        for i, line in enumerate(lines):
            segs = segments(line)
            if not segs:
                out_of_scope = _scope(line.text, out_of_scope)
                continue
            if out_of_scope:
                continue
            below = lines[i + 1] if i + 1 < len(lines) else None
            for seg in _result_places(line, segs, below):
                code = seg.match.code
                doubtful = code in read and _doubtful(seg, results)
                if code in seen or code in read and not doubtful:
                    continue
                seen.add(code)
                out.append((code, page.number, seg.label, doubtful))
    return out


def _doubtful(seg: Segment, results: list[ParsedResult]) -> bool:
    """True when the row's result was read as a number while the row also prints a
    non-detect (``Arsenic  1  200  20  ND  Pass``): the number is likely a limit."""
    censored = [
        a.text
        for a in seg.atoms  # ``ND``, ``<LOD``: a limit is a number, never these
        if (r := parse_cell(a.text)) is not None
        and r.value is None
        and (r.qualifier == "nd" or r.qualifier == "loq" and a.text.lstrip().startswith("<"))
    ]
    if not censored:
        return False
    own = [r for r in results if r.analyte == seg.match.code and r.raw.startswith(seg.label)]
    return bool(own) and all(r.qualifier == "=" and r.value is not None for r in own)


def _scope(heading: str, current: bool) -> bool:
    """Whether the lines below a heading without analytes belong to an unscored panel
    (filth, terpenes, solvents): such a heading switches scoring off, a scored one on."""
    key = fold(heading).replace(" ", "")
    if any(w in key for w in OUT_OF_SCOPE_HEADINGS):
        return True
    if any(w in key for w in IN_SCOPE_HEADINGS):
        return False
    return current


def _result_places(line: Line, segs: list[Segment], below: Line | None) -> list[Segment]:
    if _listing(line, segs[0]):
        return []
    segs = [
        s
        for s in segs
        if not is_qc_segment(s)
        and not _prose(s)
        and not _glossary(s)
        and not _in_long_cell(line, s)
    ]
    out = [s for s in segs if _has_reading(s)]
    if out:
        return out
    if below is None or not _values_below(line, below):
        return []
    if len(segs) >= 2:
        return segs  # column titles of a horizontal table
    seg = segs[0] if segs else None
    return (
        [seg]
        if seg is not None and not seg.atoms and line.cells[0].words[0] is seg.words[0]
        else []
    )


def _has_reading(seg: Segment) -> bool:
    """True when a reading follows the label: a value, ``ND``, ``Absent``; a bare pass/fail
    verdict only when the row says it tests for absence (``E. coli - Absence in 10 g  Pass``).
    A summary tile (``Moisture  PASS``, ``Water Activity  NOT TESTED``) prints no result."""
    verdict = unit = garbled = False
    depth = 0
    for atom in seg.atoms:
        inside = depth > 0 or atom.text.startswith("(")
        depth = max(0, depth + atom.text.count("(") - atom.text.count(")"))
        if inside or fold(atom.text) in _NOT_DONE or is_empty(atom.text):
            continue  # ``(sum B1, B2, G1, G2)``: part of the name, not a value
        if normalise_unit(atom.text) is not None:
            unit = True
            continue
        if (
            parse_cell(atom.text) is not None
            or _DIGIT.search(atom.text)
            and not _METHOD.search(atom.text)
        ):
            return True  # a reading, or digits that did not read as one (``1,4.x-10°``): a value was printed
        verdict = verdict or status_of(atom.text) is not None
        garbled = garbled or status_of(atom.text) is None and not unit  # a cell before the unit
    if unit and garbled:
        return True  # ``Total Aflatoxins | hi | ng/g | PASS``: a value cell that did not read
    return verdict and any(w in _ABSENCE_WORDS for a in seg.atoms for w in fold(a.text).split())


def _in_long_cell(line: Line, seg: Segment) -> bool:
    """The label sits in a cell of :data:`_SENTENCE_WORDS` words or more: a paragraph line."""
    return any(seg.words[0] in c.words and len(c.words) >= _SENTENCE_WORDS for c in line.cells)


def _glossary(seg: Segment) -> bool:
    """A legend entry: ``(aw) = Water Activity``, ``Moisture = loss on drying``."""
    return any(a.text.strip() == "=" or a.text.startswith("= ") for a in seg.atoms[:2])


def _values_below(line: Line, below: Line) -> bool:
    """True when the next line, close below, holds values (not only verdict tiles) and
    names no analyte itself."""
    if below.top - line.bottom > 2.5 * line.size or segments(below):
        return False
    return any(parse_cell(c.text) is not None for c in below.cells)


def _listing(line: Line, first: Segment) -> bool:
    """A line of limits or methods: a list word leading into the first analyte."""
    return any(fold(w).replace(" ", "") in _LIST_LEAD for w in lead_words(line, first)[:3])


def _prose(seg: Segment) -> bool:
    """A sentence: many plain words after the label, in its cell, before any reading."""
    words = 0
    for atom in seg.atoms:
        if parse_cell(atom.text) is not None:
            break
        words += sum(1 for t in atom.text.split() if t[:1].isalpha() and status_of(t) is None)
    return words >= _PROSE_WORDS
