"""Table headers: which x-range of a page holds results, LOQs, units, statuses...

A header line names at least two column roles (``Analyte | LOQ | Result | Status``,
``Analyt Výsledek Jednotky Hodnocení``). Lines right below it that only add units or
second halves of wrapped titles (``(ug/kg)``, ``Level``, ``nejistota``) join the same
header block. Side-by-side tables (two ``Analyte`` columns on one line) become two
:class:`Table` objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from parsers.layout_text import Line, Word
from parsers.roles import DATA_ROLES, Role
from parsers.values import normalise_unit, parse_cell, parse_number, status_of
from parsers.vocab import fold, is_qc_label

#: Folded keyword prefixes per column role (two-word phrases are checked first).
_ROLE_WORDS: tuple[tuple[str, str], ...] = (
    ("test id", "other"),
    ("sample id", "other"),
    ("lod loq", "loq"),
    ("lod/loq", "loq"),
    ("analytical method", "method"),
    ("analyte name", "analyte"),
    ("test method", "method"),
    ("action level", "limit"),
    ("pass fail", "status"),
    ("reporting limit", "loq"),
    ("detection limit", "lod"),
    ("mez stanovitelnosti", "loq"),
    ("analyte", "analyte"),
    ("analyt", "analyte"),
    ("compound", "analyte"),
    ("parameter", "analyte"),
    ("parametr", "analyte"),
    ("ukazatel", "analyte"),
    ("analysis", "analyte"),
    ("metal", "analyte"),
    ("cannabinoid", "analyte"),
    ("pathogen", "analyte"),
    ("organism", "analyte"),
    ("test", "analyte"),
    ("mycotoxin", "analyte"),
    ("element", "analyte"),
    ("name", "analyte"),
    ("prufparameter", "analyte"),
    ("result", "result"),
    ("vysledek", "result"),
    ("ergebnis", "result"),
    ("resultat", "result"),
    ("mass", "result"),
    ("amount", "result"),
    ("concentration", "result"),
    ("conc", "result"),
    ("value", "result"),
    ("weight", "result"),
    ("found", "result"),
    ("finding", "result"),
    ("messwert", "result"),
    ("bestimmungsgrenze", "loq"),
    ("nachweisgrenze", "lod"),
    ("bg", "loq"),
    ("lloq", "loq"),
    ("loq", "loq"),
    ("mrl", "loq"),
    ("lod", "lod"),
    ("mdl", "lod"),
    ("pql", "loq"),
    ("mql", "loq"),
    ("units", "unit"),
    ("unit", "unit"),
    ("unidad", "unit"),
    ("jednotk", "unit"),
    ("einheit", "unit"),
    ("status", "status"),
    ("p f", "status"),
    ("hodnocen", "status"),
    ("dispositi", "status"),
    ("verdict", "status"),
    ("conformity", "status"),
    ("conformidad", "status"),
    ("beurteilung", "status"),
    ("bewertung", "status"),
    ("pass", "status"),
    ("limit", "limit"),
    ("action", "limit"),
    ("specification", "limit"),
    ("spec", "limit"),
    ("criteria", "limit"),
    ("grenzwert", "limit"),
    ("maximum", "limit"),
    ("acceptance", "limit"),
    ("max", "limit"),
    ("nmt", "limit"),
    ("tolerance", "limit"),
    ("requirement", "limit"),
    ("allowable", "limit"),
    ("permissible", "limit"),
    ("guideline", "limit"),
    ("min", "limit"),
    ("minimum", "limit"),
    ("uncertainty", "uncertainty"),
    ("nejistota", "uncertainty"),
    ("rozsiren", "uncertainty"),
    ("method", "method"),
    ("metoda", "method"),
    ("metodo", "method"),
    ("zkusebni", "method"),
    ("methode", "method"),
    ("dilution", "other"),
    ("dil", "other"),
    ("by", "other"),
    ("analyzed", "other"),
    ("extracted", "other"),
    ("date", "other"),
    ("note", "other"),
    ("poznamka", "other"),
    ("id", "other"),
)
ROLE_WORDS: tuple[tuple[str, Role], ...] = tuple((key, Role(role)) for key, role in _ROLE_WORDS)
_PAIR_KEYS = frozenset(k for k, _r in ROLE_WORDS if " " in k)
#: Roles that make a line a table header.
_DATA_ROLES = DATA_ROLES
_FIELD = re.compile(r"[^\W\d]:\s*\S")  # ``Product Name: X``: a labelled field, not a column title
_UNIT_ONLY = re.compile(r"^\(?[^\s()]+\)?$")


@dataclass(slots=True)
class Column:
    """One column of a table header."""

    role: Role | None
    x0: float
    x1: float
    words: list[str] = field(default_factory=list)
    unit: str | None = None

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Table:
    """A header block: its columns, x-extent and what it tells about the rows below."""

    columns: list[Column]
    top: float
    qc: bool = False
    unit: str | None = None  # a unit printed in the header outside any result column

    @property
    def x0(self) -> float:
        return self.columns[0].x0

    @property
    def x1(self) -> float:
        return self.columns[-1].x1

    def column_at(self, x0: float, x1: float) -> Column | None:
        """The column under a cell spanning x0..x1 (overlap first, then nearest)."""
        best, best_score = None, -1e9
        for col in self.columns:
            overlap = min(x1, col.x1 + 2) - max(x0, col.x0 - 2)
            score = overlap if overlap > 0 else -min(abs(x0 - col.x1), abs(x1 - col.x0))
            if score > best_score:
                best, best_score = col, score
        return best if best_score > -40 else None

    @property
    def has_result(self) -> bool:
        """True when a column is titled as the result (then untitled columns hold no results)."""
        return any(c.role == Role.RESULT for c in self.columns)

    @property
    def multi_unit(self) -> bool:
        """True when result columns carry different units (``%``, ``mg/g``, ``mg/serving``)."""
        return (
            len({c.unit for c in self.columns if c.role == Role.RESULT and c.unit is not None}) > 1
        )

    def analyte_column(self) -> Column | None:
        return next((c for c in self.columns if c.role == Role.ANALYTE), None)


@lru_cache(maxsize=65536)
def word_role(text: str) -> Role | None:
    """The column role a header word names, or None."""
    if text.lstrip().startswith(("±", "+/-")):
        return Role.UNCERTAINTY  # ``± U (k=2)``
    f = fold(text)
    if not f:
        return None
    for key, role in ROLE_WORDS:
        if (
            f == key
            or (len(key) > 4 and f.startswith(key))
            or (len(key) > 5 and key in f.replace(" ", ""))
        ):
            return role
    return None


def is_header(line: Line) -> bool:
    """True when a line names at least two column roles, one of them a data role."""
    if any(_prose(_cell_word_groups(c.words)) or _FIELD.search(c.text) for c in line.cells):
        return False
    value_cells = [
        c for c in line.cells if is_reading(c.text) or status_of(c.text) is not None
    ]  # PASS: a value
    phrases = _phrases(Line([c for c in line.cells if c not in value_cells], line.page))
    units_title = len(line.cells) >= 2  # ``Heavy Metals (ppm)`` alone on its line is a heading
    roles = {
        word_role(p) or (Role.RESULT if units_title and _unit_only(p) else None)
        for p in phrases
        if not is_reading(p)
    } - {None}
    numbers = len(value_cells) + sum(1 for p in phrases if is_reading(p))
    data = roles & _DATA_ROLES
    return (len(data) >= 2 or {Role.ANALYTE, Role.RESULT} <= roles) and numbers <= 1


def title_role(text: str) -> Role | None:
    """The role a column title names; a bare unit (``%``, ``mg/g``) titles a result column."""
    return word_role(text) or (Role.RESULT if _unit_only(text) else None)


def is_reading(text: str) -> bool:
    """A result-like cell (``0.23``, ``ND``, ``<LOQ``), not a column title such as ``LOQ``."""
    reading = parse_cell(text)
    return reading is not None and (
        reading.qualifier != "loq" or text.lstrip().startswith(("<", "≤"))
    )


def _prose(groups: list[tuple[str, list[Word]]]) -> bool:
    """A long cell most of whose words name no column: a sentence, not a header."""
    return len(groups) > 5 and sum(word_role(t) is not None for t, _w in groups) < len(groups) / 2


def _phrases(line: Line) -> list[str]:
    """Header phrases: two-word role phrases joined, other words alone."""
    out: list[str] = []
    for cell in line.cells:
        out.extend(t for t, _w in _cell_word_groups(cell.words))
    return out


def fragmented(words: list[Word]) -> bool:
    """A cell whose words are letter fragments (``Fi n d i n gs``): the text layer's spacing is broken.

    Short words beside a whole column title (``± U (k=2) Units``) are titles, not fragments.
    """
    return (
        len(words) >= 3
        and sum(len(w.text) for w in words) <= 3.0 * len(words)
        and not any(len(w.text) > 3 and word_role(w.text) is not None for w in words)
    )


def _cell_phrases(words: list[str]) -> list[str]:
    return list(_phrases_of(tuple(words)))


@lru_cache(maxsize=1 << 14)
def _phrases_of(words: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if i + 1 < len(words) and fold(pair) in _PAIR_KEYS:
            out.append(pair)
            i += 2
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


def is_continuation(line: Line, above: Line) -> bool:
    """A line that finishes the header above it (units, wrapped titles)."""
    if line.top - above.bottom > 1.2 * above.size:
        return False
    texts = [w.text for c in line.cells for w in c.words]
    if any(parse_number(t) is not None and not t.startswith("(") for t in texts):
        return False
    return all(len(t) < 25 for t in texts) and len(texts) <= 3 * len(above.cells) + 2


def build_tables(block: list[Line]) -> list[Table]:
    """Columns of a header block, split into side-by-side tables.

    Every line of the block may name columns (two-line headers print ``LOD LOQ`` a
    little above ``Test Analysis Result``): the line naming most roles seeds the
    columns, the others add titles and units to the column they overlap or open new
    columns where they overlap none.
    """
    groups = [_line_groups(line) for line in block]
    order = sorted(
        range(len(block)), key=lambda k: (-sum(r is not None for _t, _w, r in groups[k]), k)
    )
    columns: list[Column] = []
    for n, k in enumerate(order):
        for phrase, words, role in groups[k]:
            col = _overlapping(columns, words[0].x0, words[-1].x1)
            if col is not None and n == 0 and _abutting(col, role, words):
                col = None  # ``Limit`` | ``Result (µg/kg)``: right-aligned titles that touch are two columns
            if col is None and n > 0 and role is None and _unit_only(phrase):
                col = _unit_owner(columns, words[0].x0, words[-1].x1)
            if col is None:
                columns.append(Column(role, words[0].x0, words[-1].x1, [phrase]))
                continue
            col.words.append(phrase)
            if col.role is None:
                col.role = role
    columns.sort(key=lambda c: c.x0)
    for col in columns:
        _finish(col)
    qc = any(is_qc_label(line.text) for line in block)
    return _split_tables(columns, min(line.top for line in block), qc)


def _line_groups(line: Line) -> list[tuple[str, list[Word], Role | None]]:
    """A header line's column titles: (text, words, role); role-less words join the title before."""
    out: list[tuple[str, list[Word], Role | None]] = []
    for cell in line.cells:
        first = True
        for phrase, words in _cell_word_groups(cell.words):
            role = word_role(phrase)
            if first or role is not None or out[-1][2] is None and _unit_only(phrase):
                out.append((phrase, list(words), role))
            else:
                text, ws, r = out[-1]
                out[-1] = (text + " " + phrase, ws + list(words), r)
            first = False
    return out


def _abutting(col: Column, role: Role | None, words: list[Word]) -> bool:
    """A title that starts where a title of another role on the same line ends (no overlap)."""
    return (
        role is not None
        and col.role is not None
        and role != col.role
        and words[0].x0 >= col.x1 - 0.5
    )


def _overlapping(columns: list[Column], x0: float, x1: float) -> Column | None:
    """The column a title spanning x0..x1 belongs to (largest overlap, else a near centre)."""
    best, best_overlap = None, 0.0
    for col in columns:
        overlap = min(x1, col.x1 + 2) - max(x0, col.x0 - 2)
        if overlap > best_overlap:
            best, best_overlap = col, overlap
    if best is not None:
        return best
    mid = (x0 + x1) / 2
    near = min(columns, key=lambda c: abs(c.center - mid), default=None)
    return near if near is not None and abs(near.center - mid) < 8 else None


#: How far (points) a unit on a header's second line may sit beside the title it belongs to.
UNIT_REACH = 15.0


def _unit_owner(columns: list[Column], x0: float, x1: float) -> Column | None:
    """The titled column a bare unit on a header's second line belongs to: the nearest by edge.

    ``Action Limit`` over a ``ppb`` printed a little right of it gives the limit column its
    unit; the ``ppb`` must not open a column of its own, which a bare unit would title as a
    result column (and the limits printed under it would be read as results).
    """

    def gap(col: Column) -> float:
        return max(col.x0 - x1, x0 - col.x1, 0.0)

    near = min(columns, key=gap, default=None)
    return near if near is not None and gap(near) <= UNIT_REACH else None


def _cell_word_groups(words: list[Word]) -> list[tuple[str, list[Word]]]:
    if fragmented(words):
        return [("".join(w.text for w in words), list(words))]
    texts = _cell_phrases([w.text for w in words])
    out: list[tuple[str, list[Word]]] = []
    i = 0
    for t in texts:
        n = len(t.split(" "))
        out.append((t, words[i : i + n]))
        i += n
    return out


def _unit_only(text: str) -> bool:
    return bool(_UNIT_ONLY.match(text)) and normalise_unit(text) is not None


def _finish(col: Column) -> None:
    pairs = [f"{a} {b}" for a, b in zip(col.words, col.words[1:], strict=False)]
    for text in col.words:
        unit = normalise_unit(text) or _unit_in(text)
        if unit is not None:
            col.unit = unit
    for text in pairs:  # ``(log`` + ``CFU/g)``: a unit split over two words of the title
        if (unit := normalise_unit(text)) is not None and " " in text.strip("()"):
            col.unit = unit
    if col.role is None and col.unit is not None:
        col.role = Role.RESULT


def _unit_in(text: str) -> str | None:
    for part in re.findall(r"\(([^()]+)\)|,\s*(\S+)$", text):
        for p in part:
            if p and (unit := normalise_unit(p)) is not None:
                return unit
    return None


def _split_tables(columns: list[Column], top: float, qc: bool) -> list[Table]:
    tables: list[list[Column]] = []
    for col in columns:
        if not tables or (
            col.role == Role.ANALYTE
            and any(c.role == Role.ANALYTE for c in tables[-1])
            and any(c.role in _DATA_ROLES for c in tables[-1])
        ):
            tables.append([])
        tables[-1].append(col)
    return [Table(cols, top, qc, _table_unit(cols)) for cols in tables]


def _table_unit(columns: list[Column]) -> str | None:
    for col in columns:
        if col.role in (Role.RESULT, Role.UNIT) and col.unit is not None:
            return col.unit
    return next((c.unit for c in columns if c.unit is not None), None)
