"""Result rows: find vocabulary analytes on lines and read their cells.

A line may hold several results (side-by-side tables, ``Lead 0.1 Arsenic 0.2``). Each
analyte label starts a *segment* that runs to the next label. The words of a segment
are grouped into *atoms* (``< LOQ``, ``Not Detected in 1g``, ``0.23 µg/g``, ``Pass``)
and each atom gets a role from the table header above it, or, for narrative lines
without a header, from its position and keywords (``LOQ 0.05``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from parsers.columns import Table
from parsers.layout_text import Line, Word
from parsers.roles import Role
from parsers.values import is_empty, normalise_unit, parse_cell, parse_number, status_of
from parsers.vocab import Match, is_qc_label, match_prefix

#: Abbreviations the document itself defines (``TPC – total plate count``): folded token -> match.
_ALIASES: ContextVar[Mapping[str, Match] | None] = ContextVar("document_aliases", default=None)


@contextmanager
def document_aliases(aliases: Mapping[str, Match]) -> Iterator[None]:
    """Read labels with ``aliases`` (a document's own abbreviations) while the block runs."""
    token = _ALIASES.set(aliases)
    try:
        yield
    finally:
        _ALIASES.reset(token)


def alias_key(text: str) -> str:
    return text.strip(".,:;()*").lower()


_LOQ_WORDS = {"loq", "lloq", "lod", "rl", "mdl", "loq:", "lod:", "(loq", "(lod"}
_LIMIT_WORDS = {"limit", "limit:", "max", "max.", "action", "spec", "specification"}


@dataclass(slots=True)
class Atom:
    """One value-like piece of a row: its text, box and what it reads as."""

    text: str
    x0: float
    x1: float
    cell: int
    role: Role | None = None


@dataclass(slots=True)
class Segment:
    """An analyte label and the atoms that follow it on the same line."""

    match: Match
    label: str
    words: list[Word]
    atoms: list[Atom] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [w.x0 for w in self.words] + [a.x0 for a in self.atoms]
        x1s = [w.x1 for w in self.words] + [a.x1 for a in self.atoms]
        top = min(w.top for w in self.words)
        bottom = max(w.bottom for w in self.words)
        return (round(min(xs), 1), round(top, 1), round(max(x1s), 1), round(bottom, 1))


#: Dotted (or underscored) leaders between a label and its value: ``Lead ........ 0.12``.
_LEADER = re.compile(r"[.·…_]{4,}|^[.·…_]{3}$")


def _flat(line: Line) -> list[tuple[Word, int]]:
    """The words of a line with a cell number each; a dotted leader ends a cell and is dropped."""
    out: list[tuple[Word, int]] = []
    cell = 0
    for c in line.cells:
        for w in c.words:
            parts = _split_leader(w) if "..." in w.text or "…" in w.text or "___" in w.text else [w]
            for part in parts:
                if part is None:
                    cell += 1
                else:
                    out.extend((p, cell) for q in _split_comparator(part) for p in _split_colon(q))
        cell += 1
    return out


def _split_comparator(w: Word) -> list[Word]:
    """``bacteria<`` (a long label run into its value ``< 10``) as ``bacteria`` and ``<``."""
    if len(w.text) < 3 or w.text[-1] not in "<>≤≥" or not w.text[-2].isalpha():
        return [w]
    cut = w.x0 + (w.x1 - w.x0) * (len(w.text) - 1) / len(w.text)
    return [
        Word(w.text[:-1], w.x0, w.top, cut, w.bottom, w.size),
        Word(w.text[-1], cut, w.top, w.x1, w.bottom, w.size),
    ]


def _split_leader(w: Word) -> list[Word | None]:
    """``Lead.........0.12`` as ``Lead``, a break (None), ``0.12``."""
    out: list[Word | None] = []
    pos = 0
    scale = (w.x1 - w.x0) / max(len(w.text), 1)
    for m in _LEADER.finditer(w.text):
        if m.start() > pos:
            out.append(
                Word(
                    w.text[pos : m.start()],
                    w.x0 + pos * scale,
                    w.top,
                    w.x0 + m.start() * scale,
                    w.bottom,
                    w.size,
                )
            )
        out.append(None)
        pos = m.end()
    if pos == 0:
        return [w]
    if pos < len(w.text):
        out.append(Word(w.text[pos:], w.x0 + pos * scale, w.top, w.x1, w.bottom, w.size))
    return out


def _split_colon(w: Word) -> list[Word]:
    """``Moisture:11.58%`` as two words, ``Moisture:`` and ``11.58%``."""
    head, sep, tail = w.text.partition(":")
    if (
        not sep
        or not head
        or not tail
        or not (tail[0].isdigit() or tail[0] in "<>.")
        or head[-1].isdigit()
    ):
        return [w]
    cut = w.x0 + (w.x1 - w.x0) * (len(head) + 1) / len(w.text)
    return [
        Word(head + ":", w.x0, w.top, cut, w.bottom, w.size),
        Word(tail, cut + 0.1, w.top, w.x1, w.bottom, w.size),
    ]


def _label_words(words: list[tuple[Word, int]], start: int) -> list[tuple[str, int]]:
    """Label tokens from ``start`` (with their word index).

    A label stays in its cell and stops at ``(a, b, c)`` lists and at the first word
    that reads as a value (``Salmonella Not Detected``, ``Arsenic ND``).
    """
    out: list[tuple[str, int]] = []
    cell = words[start][1]
    for j in range(start, min(start + 8, len(words))):
        text = words[j][0].text
        if words[j][1] != cell or (j > start and (_stops_label(text) or _GENUS.match(text))):
            break  # a value, or a genus mark opening the next organism's name
        if "(" in text and "," in _paren_text(words, j):
            head = text.partition("(")[0]
            if head:
                out.append((head, j))
            break
        out.extend((_unmarked(t), j) for t in text.replace("(", " (").split())
    return out


#: A footnote mark glued to a label word: ``Lead¹``, ``Lead*``, ``Mercury2`` (not ``B1``, ``AFB1``).
_LABEL_MARK = re.compile(r"(?<=[^\W\d_]{4})(?:[*†‡§¹²³⁴⁵⁶⁷⁸⁹]+|\d)$")


_SYMBOL_MARK = re.compile(r"[A-Z][a-z]?\d")


def _unmarked(token: str) -> str:
    """``Lead¹`` -> ``Lead``; ``Hg1`` -> ``Hg`` only where ``Hg1`` names nothing (``B1`` stays)."""
    if _SYMBOL_MARK.fullmatch(token) and match_prefix([token]) is None:
        m = match_prefix([token[:-1]])
        return token[:-1] if m is not None and m.score == 100.0 else token
    return _LABEL_MARK.sub("", token)


_LABEL_STOPS = {
    "not",
    "nd",
    "none",
    "<",
    ">",
    "≤",
    "≥",
    "n/a",
    "na",
    "absent",
    "absence",
    "present",
    "negative",
    "positive",
    "detected",
    "pass",
    "fail",
    "passed",
    "failed",
    "tntc",
    "<loq",
    "<lod",
}


def _stops_label(text: str) -> bool:
    low = text.lower()
    if low in _LABEL_STOPS or low.startswith(("<", ">", "≤", "≥")):
        return True
    return parse_cell(text) is not None or is_empty(text) or status_of(text) is not None


def _paren_text(words: list[tuple[Word, int]], i: int) -> str:
    text = ""
    for w, _cell in words[i : i + 8]:
        text += w.text + " "
        if ")" in w.text:
            break
    return text


def segments(line: Line, labels_from: float | None = None) -> list[Segment]:
    """Analyte segments of a line, left to right."""
    words = _flat(line)
    out: list[Segment] = []
    i = 0
    while i < len(words):
        found = _label_at(words, i, labels_from)
        if found is not None:
            m, n = found
            label = " ".join(w.text for w, _ in words[i : i + n])
            out.append(Segment(m, label, [w for w, _ in words[i : i + n]]))
            i += n
            continue
        if out:
            _add_atom(out[-1], words[i])
        i += 1
    for seg in out:
        _join_powers(seg)
    return out


def labelled_segment(m: Match, label: str, line: Line, label_cells: int = 1) -> Segment:
    """The segment of a line whose first ``label_cells`` cells are the label of ``m`` (a name
    found some other way, such as across wrapped lines); the other cells are its atoms."""
    words = _flat(line)
    seg = Segment(m, label, [w for w, cell in words if cell < label_cells] or [words[0][0]])
    for item in words:
        if item[1] >= label_cells:
            _add_atom(seg, item)
    _join_powers(seg)
    return seg


#: A power of ten standing apart from its mantissa (``1.7`` | ``x 10^5``), as OCR splits cells.
_POWER_TAIL = re.compile(r"^[x×X]\s*10\s*\^\s*[+-]?\d{1,2}$")


def _join_powers(seg: Segment) -> None:
    """``1.7`` and ``x 10^5`` in neighbouring cells are one reading, ``1.7 x 10^5``."""
    k = 0
    while k + 1 < len(seg.atoms):
        a, b = seg.atoms[k], seg.atoms[k + 1]
        if _POWER_TAIL.match(b.text) and _PLAIN_NUMBER.match(a.text) and b.x0 - a.x1 < 40:
            a.text, a.x1 = f"{a.text} {b.text}", b.x1
            del seg.atoms[k + 1]
        k += 1


_PLAIN_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


def _label_at(
    words: list[tuple[Word, int]], i: int, labels_from: float | None
) -> tuple[Match, int] | None:
    """The analyte whose label starts at word ``i`` and how many words it spans."""
    w, cell = words[i]
    if labels_from is not None and w.x1 < labels_from:
        return None
    if _GENUS.match(w.text) and i + 1 < len(words) and words[i + 1][1] == cell:
        found = _label_from(words, i + 1)  # ``g. Salmonella``: a genus mark before the name
        if found is not None:
            return found[0], found[1] + 1
    starts_cell = i == 0 or words[i - 1][1] != cell
    if not starts_cell and not _valueish(words[i - 1][0].text):
        return None
    if (
        i > 0
        and parse_number(words[i - 1][0].text) is not None
        and (unit_like(w.text) and not starts_cell or w.text.lower().strip(".,") in _MASSES)
    ):
        return None  # ``0.580 Aw``, ``25.23 MG``: the unit of the number before it, not the label ``aw``/``MG``
    if (
        w.text == "=" or not starts_cell and words[i - 1][0].text == "="
    ):  # glossary: "(aw) = Water Activity"
        return None
    return _label_from(words, i)


def _label_from(words: list[tuple[Word, int]], i: int) -> tuple[Match, int] | None:
    """The analyte named by the label tokens from word ``i`` (a document's own abbreviations first)."""
    tokens = _label_words(words, i)
    if not tokens or parse_number(tokens[0][0]) is not None:
        return None
    aliases = _ALIASES.get()
    alias = aliases.get(alias_key(tokens[0][0])) if aliases else None
    if alias is not None:
        return alias, tokens[0][1] - i + 1
    m = match_prefix([t for t, _ in tokens])
    if m is None:
        return None
    return m, tokens[m.words - 1][1] - i + 1


#: A genus (or family) mark printed before an organism's name: ``g. Salmonella``, ``r. Listeria``.
_GENUS = re.compile(r"^(?:g|r|gen|rod|č|fam)\.$", re.IGNORECASE)


#: Mass, volume and dose words that print as units after a number (``25.23 MG`` of CBD is
#: milligrams, never mitragynine).
_AMOUNT_UNITS = frozenset(
    {
        "mg",
        "g",
        "kg",
        "mcg",
        "ug",
        "µg",
        "ng",
        "ml",
        "l",
        "oz",
        "iu",
        "mg/unit",
        "mg/serving",
        "mg/ml",
        "mg/gummy",
        "mg/capsule",
        "mg/tablet",
        "mg/dose",
        "mg/pc",
        "mg/piece",
    }
)


def unit_like(text: str) -> bool:
    """A unit word: one the parser converts, or an amount (``MG``, ``mg/unit``) that it never does."""
    return normalise_unit(text) is not None or text.strip("().,;:").lower() in _AMOUNT_UNITS


#: Units of mass after a number (``25.23 MG`` of CBD): never the symbol ``MG`` of mitragynine.
_MASSES = frozenset({"mg", "g", "mcg", "µg", "ug", "kg"})


def _valueish(text: str) -> bool:
    r = parse_cell(text)
    return (
        r is not None
        or normalise_unit(text) is not None
        or status_of(text) is not None
        or is_empty(text)
    )


def _add_atom(seg: Segment, item: tuple[Word, int]) -> None:
    w, cell = item
    if seg.atoms:
        last = seg.atoms[-1]
        joined = last.text + " " + w.text
        if last.cell == cell and _joins(last.text, joined):
            last.text, last.x1 = joined, w.x1
            return
    seg.atoms.append(Atom(w.text, w.x0, w.x1, cell))


def _joins(prev: str, joined: str) -> bool:
    """True when two words read better as one atom (``< 10``, ``Not Detected``)."""
    if prev in ("<", ">", "≤", "≥", "x", "×") or prev.endswith(("x", "×")):
        return True
    if joined.endswith((" x", " ×")) and parse_number(prev) is not None:
        return True  # ``1.6 x`` waits for its ``10^5``
    if (
        prev.endswith(("±", "+/-"))
        or joined.endswith((" ±", " +/-"))
        and parse_cell(prev) is not None
    ):
        return True  # ``0.45 ± 0.05``: the value and its uncertainty
    if parse_cell(joined) is not None and parse_cell(prev) is None:
        return True
    if (
        parse_cell(prev) is not None
        and parse_cell(joined) is not None
        and parse_cell(joined) != parse_cell(prev)
    ):
        return parse_number(joined.split(" ")[-1]) is None
    if normalise_unit(joined) is not None and normalise_unit(prev) is None:
        return True
    if status_of(joined) is not None:
        return True  # ``entspricht nicht``, ``does not comply``
    if (r := parse_cell(prev)) is not None and r.value is None and parse_cell(joined) == r:
        return True  # ``Absence in`` + ``1g``
    return fold_words(joined) in _PHRASES


_PHRASES = {
    "not detected",
    "not present",
    "none detected",
    "not tested",
    "not reported",
    "too numerous",
    "too numerous to",
    "too numerous to count",
    "absence in",
    "absent in",
    "not detected in",
    "negative in",
    "present in",
    "detected in",
    "not analyzed",
    "n a",
    "does not comply",
}


def fold_words(text: str) -> str:
    return " ".join(text.lower().replace("/", " ").split())


#: Columns of left-aligned phrases, and the roles of numbers that such a phrase can run
#: under when it is wider than its title (a cell is read in the column where it starts).
_TEXT_COLUMNS = frozenset({"method", "other"})
_BOUND_ROLES = frozenset({"loq", "lod", "limit", "uncertainty"})


def assign_roles(seg: Segment, table: Table | None) -> None:
    """Give each atom of a segment a role from the table header, else from keywords
    (a line of labelled values, ``Result: 0.12 ppm  LOQ: 0.05``, is read by its keywords)."""
    if table is not None and not _keyed_roles(seg):
        opened: dict[int, Role | None] = {}  # the role of each cell's first atom
        for atom in seg.atoms:
            col = table.column_at(atom.x0, atom.x1)
            atom.role = col.role if col is not None else None
            if atom.role == Role.UNIT and _spans_result(atom, table):
                atom.role = Role.RESULT  # ``1,400 CFU/g`` right-aligned up to the Units column
            first = opened.setdefault(atom.cell, atom.role)
            if first in _TEXT_COLUMNS and atom.role in _BOUND_ROLES:
                atom.role = first  # ``LC-MS/MS (SOP 4.12)``: a method's phrase running on toward the LOQ title
        return
    _narrative_roles(seg)


def _spans_result(atom: Atom, table: Table) -> bool:
    """A reading with its unit that starts under a Result title and runs on under the Units title."""
    reading = parse_cell(atom.text)
    if reading is None or reading.unit is None:
        return False
    return any(c.role == Role.RESULT and c.x0 - 2 <= atom.x0 <= c.x1 + 2 for c in table.columns)


#: Keywords (with their colon) that name the value after them on a labelled line.
_KEYED: dict[str, Role] = {
    "result:": Role.RESULT,
    "results:": Role.RESULT,
    "value:": Role.RESULT,
    "found:": Role.RESULT,
    "loq:": Role.LOQ,
    "lloq:": Role.LOQ,
    "lod:": Role.LOD,
    "mdl:": Role.LOD,
    "rl:": Role.LOQ,
    "limit:": Role.LIMIT,
    "limits:": Role.LIMIT,
    "specification:": Role.LIMIT,
    "spec:": Role.LIMIT,
    "action level:": Role.LIMIT,
    "max:": Role.LIMIT,
    "status:": Role.STATUS,
    "pass/fail:": Role.STATUS,
    "verdict:": Role.STATUS,
    "disposition:": Role.STATUS,
    "method:": Role.METHOD,
    "unit:": Role.UNIT,
    "units:": Role.UNIT,
}


def _keyed_roles(seg: Segment) -> bool:
    """Roles on a line of labelled values (``Limit: ≤ 2   Result: 0.0226 %   Status: PASS``):
    each keyword names everything up to the next one. Only when a result keyword is there."""
    keys = [_KEYED.get(a.text.lower()) for a in seg.atoms]
    if "result" not in keys:
        return False
    scope: Role | None = None
    for atom, key in zip(seg.atoms, keys, strict=True):
        if key is not None:
            atom.role, scope = Role.KEYWORD, key
        elif scope == Role.RESULT:
            reading = parse_cell(atom.text)
            if normalise_unit(atom.text) is not None and (reading is None or reading.value is None):
                atom.role = Role.UNIT
            else:
                atom.role = Role.RESULT if reading is not None else Role.OTHER
        elif scope is None:
            atom.role = Role.OTHER
        else:
            atom.role = scope
    return True


def _narrative_roles(seg: Segment) -> None:
    """Roles on a line without a table header (``Lead (Pb): 0.23 µg/g (LOQ 0.05) - Pass``).

    The first reading after the label is the result, ``LOQ``/``Limit`` keywords name the
    number after them. A plain word before any reading (``Water Activity Meter``,
    ``Moisture: Final Weight: 0.304 g``) means the label starts prose or another field,
    so nothing after it is read.
    """
    if _keyed_roles(seg):
        return
    pending: Role | None = None
    found = stopped = False
    depth = 0
    for atom in seg.atoms:
        low = atom.text.lower().strip("():")
        inside, depth = (
            depth > 0 or atom.text.startswith("("),
            max(0, depth + atom.text.count("(") - atom.text.count(")")),
        )
        if stopped:
            atom.role = Role.OTHER
        elif low in _LOQ_WORDS or low.rstrip(":") in _LOQ_WORDS:
            pending = Role.LOQ
            atom.role = Role.KEYWORD
        elif low.rstrip(":") in _LIMIT_WORDS:
            pending, atom.role = Role.LIMIT, Role.KEYWORD
        elif (
            found
            and parse_cell(atom.text) is not None
            and pending is None
            and status_of(atom.text) is None
        ):
            atom.role = Role.ALT  # a second reading: a presence test's verdict after its limit
        elif pending is not None and parse_cell(atom.text.strip("()")) is not None:
            atom.role, pending = pending, None
        elif status_of(atom.text) is not None:
            atom.role = Role.STATUS
        elif not found and parse_cell(atom.text) is not None:
            atom.role, found = Role.RESULT, True
        elif normalise_unit(atom.text) is not None:
            atom.role = Role.UNIT
        elif atom.text.strip(".:=|-–—_ ") == "" or inside and parse_cell(atom.text) is None:
            atom.role = (
                Role.KEYWORD
            )  # punctuation, or words in parentheses: ``(Flavus, Fumigatus,``
        else:
            atom.role = Role.OTHER
            stopped = not found


def is_qc_segment(seg: Segment) -> bool:
    """A row that names a control, blank or recovery rather than the sample.

    The label and the words up to its first reading are judged together (``QC WI 54``
    is a method, ``Spike Recovery`` a control); text after the reading (a note of the
    next column, ``all quality control samples performed...``) says nothing of the row.
    """
    head = [seg.label]
    for atom in seg.atoms:
        if parse_cell(atom.text) is not None:
            break
        head.append(atom.text)
    return is_qc_label(" ".join(head))


def lead_words(line: Line, first: Segment) -> list[str]:
    """The words that run into a line's first analyte label without a column gap
    (``Limits:`` in ``Limits: Pb 1.0``; not a legend in a column of its own to the left)."""
    before = [w for c in line.cells for w in c.words if w.x1 <= first.x0 + 0.5]
    run: list[Word] = []
    edge = first.x0
    for w in reversed(before):
        if edge - w.x1 > 2 * max(w.size, 4.0):
            break
        run.insert(0, w)
        edge = w.x0
    return [w.text for w in run]
