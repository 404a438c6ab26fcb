"""Results of a whole document: tables, headings, wrapped labels, QA/QC skipping.

Walks each page's lines top to bottom, keeping the active table headers (per x-range)
and the last heading (its unit, whether it is a QA/QC section). Lines with vocabulary
analytes become :class:`ParsedResult` objects in canonical units (see :mod:`parsers.values`).

Scope is positional: a table's row ends where the table beside it begins, and a heading
of an unscored panel (terpenes, foreign matter) closes only the x-range of its own panel;
an inline ``Moisture: 8.4 %`` ends the table above it. Limit columns are never read as
results; criterion sentences, index tables and glossaries are not results. Horizontal
tables (names over one row of values, no row title) are read across, and abbreviations
the document defines (``TPC – total plate count``) name their analyte. A unit word after
a number (``25.23 MG``) is that number's unit, never an analyte's name.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field, replace

from parsers.columns import (
    Table,
    build_tables,
    is_continuation,
    is_header,
    is_reading,
    title_role,
    word_role,
)
from parsers.document import ParsedResult
from parsers.layout_text import CELL_GAP, Cell, Line, TextPage
from parsers.roles import DATA_ROLES, Role
from parsers.rows import (
    Atom,
    Segment,
    alias_key,
    assign_roles,
    document_aliases,
    is_qc_segment,
    labelled_segment,
    segments,
    unit_like,
)
from parsers.values import (
    Reading,
    normalise_unit,
    parse_cell,
    parse_number,
    presence_qualifier,
    status_of,
    to_canonical,
)
from parsers.vocab import (
    IN_SCOPE_HEADINGS,
    OUT_OF_SCOPE_HEADINGS,
    PRESENCE,
    Match,
    compact,
    fold,
    is_qc_label,
    match_prefix,
)

_HEADING_UNIT = re.compile(r"\(([^()]{1,12})\)")
_CZ_STATUS = {"v": "pass", "vn": "pass", "n": "fail"}
_VALUE_ROLES: tuple[Role | None, ...] = (Role.RESULT, None)


@dataclass(slots=True)
class Context:
    """What the lines above say about the current line."""

    tables: list[Table] = field(default_factory=list)
    heading_unit: str | None = None
    qc: bool = False
    decimal_comma: bool = False
    #: x-ranges under headings naming only unscored panels (filth, terpenes...): a panel beside
    #: such a heading is not switched off with it.
    closed: list[tuple[float, float]] = field(default_factory=list)
    ocr: bool = False  # the page was read by OCR
    width: float = 612.0  # the page's width (points)
    starts: list[float] = field(default_factory=list)  # where the panel titles seen so far start


def extract_results(
    pages: list[TextPage], decimal_comma: bool
) -> tuple[list[ParsedResult], list[str]]:
    """All vocabulary results of a document, deduplicated, with warnings.

    Abbreviations the document defines anywhere (``TPC – total plate count`` in a
    footnote) name their analyte on every page; the lines defining them are a glossary,
    not results.
    """
    results: list[ParsedResult] = []
    warnings: list[str] = []
    aliases, glossary = _definitions(pages)
    with document_aliases(aliases):
        for page in pages:
            ctx = Context(decimal_comma=decimal_comma, ocr=page.ocr, width=page.width)
            results.extend(_page_results(page, ctx, warnings, glossary))
    return _dedupe(results), warnings


#: ``TPC – total plate count``, ``TYMC = total yeast and mould count``, ``EB: Enterobacteriaceae``.
_DEFINITION = re.compile(r"(?:^|(?<=[\s;,(]))([A-Z][A-Za-z0-9]{1,5})\s*(?:=|–|—|-|:)\s+([^;=–—]+)")


#: A cell of a page: (page number, line top, cell x0), rounded.
CellKey = tuple[int, float, float]


def _cell_key(page: int, line: Line, x0: float) -> CellKey:
    return page, round(line.top, 1), round(x0, 1)


def _definitions(pages: list[TextPage]) -> tuple[dict[str, Match], set[CellKey]]:
    """(abbreviation -> analyte, glossary cells) from a document's own definitions.

    An abbreviation counts when it names no analyte by itself, has two capitals, and its
    definition names exactly one analyte (``colony count of aerobic mesophiles``).
    """
    aliases: dict[str, Match] = {}
    cells: set[CellKey] = set()
    for page in pages:
        for line in page.lines:
            for cell in line.cells:
                text = cell.text
                if (
                    "=" not in text
                    and "–" not in text
                    and "—" not in text
                    and " - " not in text
                    and ":" not in text
                ):
                    continue
                for m in _DEFINITION.finditer(text):
                    abbr, phrase = m.group(1), m.group(2)
                    if not _abbreviation(abbr):
                        continue
                    found = _defined_analyte(_DEFINITION_END.split(phrase, maxsplit=1)[0])
                    if found is not None:
                        aliases[alias_key(abbr)] = Match(found.code, found.category, 1, 100.0)
                        cells.add(_cell_key(page.number, line, cell.x0))
    return aliases, cells


#: A definition ends at a sentence end or at a number (``ID: 1093``, ``count at 30 °C``).
_DEFINITION_END = re.compile(r"\.\s+(?=[A-Z])|\s\d|^\d")


def _abbreviation(text: str) -> bool:
    """Two capitals, and not a word the parser already reads (``ND``, ``LOD``, ``CFU``, ``Pb``)."""
    return (
        sum(ch.isupper() for ch in text) >= 2
        and match_prefix([text]) is None
        and parse_cell(text) is None
        and word_role(text) is None
        and normalise_unit(text) is None
        and status_of(text) is None
    )


def _defined_analyte(phrase: str) -> Match | None:
    """The one analyte a definition names, wherever in it (``total plate count at 30 °C``)."""
    words = [w for w in re.split(r"[\s()]+", phrase) if w]
    codes: dict[str, Match] = {}
    k = 0
    while k < len(words) and k < 10:
        m = match_prefix(words[k:])
        if m is not None and m.score >= 90:
            codes.setdefault(m.code, m)
            k += m.words
        else:
            k += 1
    return next(iter(codes.values())) if len(codes) == 1 else None


def _page_results(
    page: TextPage,
    ctx: Context,
    warnings: list[str],
    glossary: frozenset[CellKey] | set[CellKey] = frozenset(),
) -> list[ParsedResult]:
    out: list[ParsedResult] = []
    lines = page.lines
    skip: set[int] = set()
    for i, line in enumerate(lines):
        if i in skip:
            continue
        if glossary and any(_cell_key(page.number, line, c.x0) in glossary for c in line.cells):
            kept = [c for c in line.cells if _cell_key(page.number, line, c.x0) not in glossary]
            if not kept:
                continue
            line = dataclasses.replace(
                line, cells=kept
            )  # a glossary cell beside a panel's line: the rest is read
        segs = segments(line)
        part = _header_part(line) if segs and len(line.cells) >= 4 else None
        if part is not None:  # a header of one panel beside a row of the panel next to it
            _use_header([part[0]], ctx)
            line = part[1]
            segs = segments(line)
        if is_header(line) and not _row_like(segs):
            skip |= _enter_header(lines, i, ctx)
            continue
        if segs and _limits_list(line, segs[0]):
            continue
        if segs and i + 1 < len(lines) and (carded := _card_values(line, lines[i + 1], segs)):
            segs = carded  # names over their labelled values (``Result: 0.12 ppm  LOQ: 0.05``)
            skip.add(i + 1)
        across = (
            _across_panel(lines, i, segs, ctx, page.number, warnings)
            if segs and i + 1 not in skip
            else None
        )
        if across is not None:
            found, used, segs = across
            out.extend(found)
            skip |= used
            if not segs:
                continue
        if i > 0:
            segs = _continued_label(lines[i - 1], line, segs)
        segs = _named_rows(segs, ctx)
        if not segs:
            _heading(line, ctx)
            segs = _orphan(lines, i, ctx)
        elif not any(parse_cell(a.text) is not None for seg in segs for a in seg.atoms):
            _heading(line, ctx)  # ``Alkaloids (mg/g)``: a panel title that is also an analyte name
        if (
            len(segs) == 1
            and not _has_value(segs[0])
            and i + 1 < len(lines)
            and _offset_twin(line, lines[i + 1])
        ):
            segs = segments(
                _joined(line, lines[i + 1])
            )  # values printed a little below their label
            skip.add(i + 1)
        for seg in segs:
            result = _segment_result(seg, ctx, page.number, warnings)
            if result is None and not _has_reading(seg, ctx):
                result = _box_result(lines, i, seg, ctx, page.number, warnings)
            if result is not None:
                out.append(result)
    return out


#: Words (folded) that, printed before a line's first analyte, make the line a list of limits
#: (``Limits: Pb 1.0 ppm, As 1.5 ppm``), not of results.
_LIMIT_LEAD = frozenset(
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
        "requirement",
        "requirements",
        "acceptance",
        "action",
        "levels",
        "grenzwert",
        "grenzwerte",
        "limite",
        "limites",
        "hodnoty",
        "loq",
        "lod",
        "loqs",
        "lods",
    }
)


def _limits_list(line: Line, first: Segment) -> bool:
    """True when the words just before the line's first analyte name limits (``Limits: Pb
    1.0 ppm``). Only words near the analyte count: a legend of the panel beside it
    (``LOD = Limit of Detection``, then a gap, then ``Shiga Toxin E. coli ...``) names nothing
    of this row."""
    size = first.words[0].size
    before = [w for c in line.cells for w in c.words if w.x1 <= first.x0 + 0.5]
    near: list[str] = []
    edge = first.x0
    for w in reversed(before):
        if edge - w.x1 > PANEL_GAP + size:
            break
        near.insert(0, w.text)
        edge = w.x0
    return any(fold(w).replace(" ", "") in _LIMIT_LEAD for w in near[:2])


def _named_rows(segs: list[Segment], ctx: Context) -> list[Segment]:
    """Segments whose label is a real row title: a unit word (``MG``, ``mg/unit``) printed under
    a table's Unit or Result column is the unit of the row's amount, not an analyte's name
    (``CBD | 25.23 | MG | 1.01 %`` names no mitragynine). Its cells go back to the segment before."""
    out: list[Segment] = []
    for seg in segs:
        if _unit_cell_label(seg, ctx):
            if out:
                unit = Atom(seg.label, seg.x0, seg.words[-1].x1, -1)  # its own cell: a unit column
                out[-1].atoms.extend([unit, *seg.atoms])
            continue
        out.append(seg)
    return out


def _unit_cell_label(seg: Segment, ctx: Context) -> bool:
    if not unit_like(seg.label):
        return False
    table = _table_for(seg.x0, ctx)
    col = table.column_at(seg.x0, seg.words[-1].x1) if table is not None else None
    return col is not None and col.role in (Role.UNIT, Role.RESULT, Role.LIMIT, Role.LOQ, Role.LOD)


def _row_like(segs: list[Segment]) -> bool:
    """An analyte label followed by a reading (``Lead .... 0.12 ppm  PASS``) is a row, even when
    its words also name column roles (a unit, a pass word)."""
    return any(parse_cell(a.text) is not None for seg in segs for a in seg.atoms[:2])


def _physical_by_unit(m: Match, unit: str | None) -> Match:
    """``Water 0.580 Aw`` is water activity; ``Water 8.2 %`` is moisture."""
    if m.code == "moisture" and unit == "aw":
        return Match("water_activity", m.category, m.words, m.score)
    return m


#: A line whose centre is closer than this many font sizes below another is its offset twin.
OFFSET_ROW = 0.5


def _has_value(seg: Segment) -> bool:
    return any(parse_cell(a.text) is not None for a in seg.atoms)


def _offset_twin(line: Line, below: Line) -> bool:
    """``below`` holds the value cells of ``line``, printed a few points lower, side by side."""
    if abs((below.top + below.bottom) / 2 - (line.top + line.bottom) / 2) > OFFSET_ROW * line.size:
        return False
    if segments(below) or not any(parse_cell(c.text) is not None for c in below.cells):
        return False
    return all(c.x1 < d.x0 - 1 or c.x0 > d.x1 + 1 for c in below.cells for d in line.cells)


def _joined(line: Line, below: Line) -> Line:
    return Line(sorted(line.cells + below.cells, key=lambda c: c.x0), line.page, line.ocr)


def _has_reading(seg: Segment, ctx: Context) -> bool:
    return any(
        parse_cell(a.text, ctx.decimal_comma) is not None
        for a in seg.atoms
        if a.role in _VALUE_ROLES
    )


#: How many lines above a lone label a summary box may print its value.
BOX_LINES = 4


def _box_result(
    lines: list[Line], i: int, seg: Segment, ctx: Context, page: int, warnings: list[str]
) -> ParsedResult | None:
    """A summary box: the value printed above its label (``12.4%`` / ``Limit: 15.0 %`` / ``Moisture``).

    Only a lone cell holding a number with a unit that suits the analyte counts, found
    above the label within a few lines, overlapping the label horizontally; a line with
    another analyte label in that range ends the search.
    """
    if ctx.qc or _out_of_scope(ctx, seg.x0) or is_qc_segment(seg) or _words_follow(seg):
        return None
    x0 = seg.x0
    x1 = max(w.x1 for w in seg.words)
    line = lines[i]
    for j in range(i - 1, max(-1, i - 1 - BOX_LINES), -1):
        above = lines[j]
        if line.top - above.top > 6 * line.size:
            break
        cells = [c for c in above.cells if c.x0 < x1 + 10 and c.x1 > x0 - 10]
        if not cells:
            continue
        if any(segments(Line([c], above.page)) for c in cells):
            break
        for cell in cells:
            reading = parse_cell(cell.text, ctx.decimal_comma)
            if reading is None or reading.value is None or reading.qualifier != "=":
                continue
            if not _box_unit_fits(seg.match, reading):
                continue
            atom = Atom(cell.text, cell.x0, cell.x1, 0, Role.RESULT)
            return _result(seg.match, reading, reading.unit, None, None, page, seg, atom, warnings)
    return None


def _words_follow(seg: Segment) -> bool:
    """A label with more words in its own cell (``Alkaloid Profile``) is a heading, not a box's label."""
    return bool(seg.atoms) and seg.atoms[0].x0 - seg.words[-1].x1 < CELL_GAP * seg.words[-1].size


def _box_unit_fits(m: Match, reading: Reading) -> bool:
    if reading.unit is None:
        return False
    if m.code in ("water_activity", "moisture"):
        return reading.unit == ("aw" if m.code == "water_activity" else "%")
    return (
        reading.value is not None
        and to_canonical(m.code, m.category, reading.value, reading.unit) is not None
    )


def _across_panel(
    lines: list[Line], i: int, segs: list[Segment], ctx: Context, page: int, warnings: list[str]
) -> tuple[list[ParsedResult], set[int], list[Segment]] | None:
    """A transposed table on this line, alone or right of a row of the panel beside it
    (``Mould (visible)  Absent`` then ``TVC  TYMC  E. coli``): (its results, the lines it
    used, the segments left for the row beside it)."""
    whole = _transposed(lines, i, segs, ctx, page, warnings)
    if whole is not None:
        return *whole, []
    k = max((n + 1 for n, seg in enumerate(segs) if seg.atoms), default=0)
    if k == 0 or len(segs) - k < 2:
        return None
    last = segs[k - 1]
    edge = max([a.x1 for a in last.atoms] + [w.x1 for w in last.words])
    if segs[k].x0 - edge < PANEL_GAP:
        return None
    part = _transposed(lines, i, segs[k:], ctx, page, warnings)
    return (*part, segs[:k]) if part is not None else None


def _transposed(
    lines: list[Line], i: int, segs: list[Segment], ctx: Context, page: int, warnings: list[str]
) -> tuple[list[ParsedResult], set[int]] | None:
    """A transposed table: analytes as column titles, one row per field below them.

    ``MG | 7-OH | Total Alkaloids`` over ``Result 12.7 0.447 1.81``, ``Unit mg/g mg/g %``,
    ``LOQ ...``, ``Status ...``. Row titles are column-role words or units (a ``%`` row
    and a ``mg/unit`` row are results in those units). Returns the results and the rows
    used, or None when the lines below are not such rows.
    """
    if any(seg.atoms for seg in segs) or ctx.qc or _out_of_scope(ctx, segs[0].x0):
        return None
    centres = [((seg.x0 + max(w.x1 for w in seg.words)) / 2) for seg in segs]
    gap = (
        min(b - a for a, b in zip(centres, centres[1:], strict=False)) if len(centres) > 1 else 50.0
    )
    rows: dict[str, list[tuple[str | None, list[str | None]]]] = {}
    used: set[int] = set()
    prev = lines[i]
    for j in range(i + 1, min(len(lines), i + 9)):
        row = lines[j]
        if row.top - prev.bottom > 1.6 * prev.size or len(row.cells) < 2:
            break
        title = row.cells[0]
        if title.x1 > segs[0].x0 + 2:
            break
        role, unit = _row_role(title.text)
        if role is None:
            break
        cells: list[str | None] = [None] * len(segs)
        for cell in row.cells[1:]:
            mid = (cell.x0 + cell.x1) / 2
            k = min(range(len(segs)), key=lambda n: abs(centres[n] - mid))
            if abs(centres[k] - mid) < gap / 2:
                cells[k] = cell.text
        rows.setdefault(role, []).append((unit, cells))
        used.add(j)
        prev = row
    if "result" not in rows:
        found_rows = _untitled_rows(lines, i, segs)
        if found_rows is None:
            return None
        rows, used = found_rows
    out: list[ParsedResult] = []
    for k, seg in enumerate(segs):
        result = _transposed_result(seg, k, rows, ctx, page, warnings)
        if result is not None:
            out.append(result)
    return out, used


def _aligned(row: Line, segs: list[Segment]) -> list[str | None] | None:
    """The cells of ``row`` under the column titles of ``segs`` (each overlapping its title,
    give or take a character); None when a cell stands under none of them or two share one."""
    cells: list[str | None] = [None] * len(segs)
    for cell in row.cells:
        under = [
            k
            for k, seg in enumerate(segs)
            if cell.x0 < max(w.x1 for w in seg.words) + row.size and cell.x1 > seg.x0 - row.size
        ]
        if len(under) != 1 or cells[under[0]] is not None:
            return None
        cells[under[0]] = cell.text
    return cells


def _untitled_rows(
    lines: list[Line], i: int, segs: list[Segment]
) -> tuple[dict[str, list[tuple[str | None, list[str | None]]]], set[int]] | None:
    """A horizontal table without row titles: a line of analyte names only, then (after an
    optional line of units) one line of values, each under its name.

    ``TPC  yeasts  moulds  E.coli  g. Salmonella`` over ``2,4.10^4  <50  <50  <10  negative``.
    """
    head = lines[i]
    size = head.size
    left, right = segs[0].x0 - 2 * size, max(w.x1 for w in segs[-1].words) + 2 * size
    if len(segs) < 2 or any(left <= c.x1 and c.x0 < segs[0].x0 - 1 for c in head.cells):
        return None  # a row title (or any word) before the first name: not this shape
    rows: dict[str, list[tuple[str | None, list[str | None]]]] = {}
    prev = head
    used: set[int] = set()
    for j in range(i + 1, min(len(lines), i + 6)):
        inside = [c for c in lines[j].cells if c.x1 >= left and c.x0 <= right]
        if not inside:
            continue  # a line of the panel beside this one
        row = dataclasses.replace(lines[j], cells=inside)
        if row.top - prev.bottom > 1.6 * prev.size:
            return None
        cells = _aligned(row, segs)
        if cells is None:
            return None
        texts = [c for c in cells if c is not None]
        if (
            "unit" not in rows
            and "result" not in rows
            and texts
            and all(normalise_unit(t.strip("()")) is not None or t.startswith("(") for t in texts)
        ):
            rows["unit"] = [(None, [c.strip("()") if c else None for c in cells])]
            prev = row
            used |= {j} if len(inside) == len(lines[j].cells) else set()
            continue
        readings = sum(parse_cell(t) is not None for t in texts)
        if readings < max(2, (len(segs) + 1) // 2) or readings < len(texts):
            return None
        rows["result"] = [(None, cells)]
        return rows, used | ({j} if len(inside) == len(lines[j].cells) else set())
    return None


def _row_role(text: str) -> tuple[Role | None, str | None]:
    """A transposed row title: its role and, for a unit title (``%``, ``mg/unit``), the unit."""
    unit = normalise_unit(text)
    if unit is not None:
        return Role.RESULT, unit
    role = word_role(text)
    return (role, None) if role in DATA_ROLES else (None, None)


def _transposed_result(
    seg: Segment,
    k: int,
    rows: dict[str, list[tuple[str | None, list[str | None]]]],
    ctx: Context,
    page: int,
    warnings: list[str],
) -> ParsedResult | None:
    def cell(role: Role) -> str | None:
        return next((cells[k] for _u, cells in rows.get(role, []) if cells[k] is not None), None)

    unit_text = cell(Role.UNIT)
    printed_unit = normalise_unit(unit_text) if unit_text else None
    candidates: list[tuple[Reading, str | None, Atom]] = []
    for row_unit, cells in rows["result"]:
        text = cells[k]
        reading = parse_cell(text, ctx.decimal_comma) if text else None
        if reading is None or text is None:
            continue
        unit = reading.unit or row_unit or printed_unit or ctx.heading_unit
        candidates.append((reading, unit, Atom(text, seg.x0, seg.x0, 0, Role.RESULT)))
    if not candidates:
        return None
    code, category = seg.match.code, seg.match.category
    verdicts = [c for c in candidates if c[0].qualifier in ("not_detected", "detected", "nd")]
    fitting = [
        c
        for c in candidates
        if c[0].value is None or to_canonical(code, category, c[0].value, c[1])
    ]
    reading, unit, atom = (verdicts or fitting or candidates)[0]
    limit_role = Role.LOD if reading.qualifier == "loq" and reading.limit == "lod" else Role.LOQ
    loq_text = cell(limit_role)
    loq_value = parse_number(loq_text, ctx.decimal_comma) if loq_text else None
    conv = to_canonical(code, category, loq_value, unit) if loq_value is not None else None
    status_text = cell(Role.STATUS)
    status = status_of(status_text) if status_text else None
    seg.match = _physical_by_unit(seg.match, unit)
    return _result(
        seg.match,
        reading,
        unit,
        conv[0] if conv else None,
        status,
        page,
        seg,
        atom,
        warnings,
        reading.unit or printed_unit,
    )


#: A gap this wide (points) between two cells may separate panels printed side by side.
PANEL_GAP = 12.0


def _header_part(line: Line) -> tuple[Line, Line] | None:
    """(header, rest) when the cells on one side of a wide gap form a table header by themselves
    and the other side holds a row: side-by-side panels whose rows do not line up."""
    cells = line.cells
    best: tuple[tuple[bool, float], tuple[Line, Line]] | None = None
    for k in range(1, len(cells)):
        gap = cells[k].x0 - cells[k - 1].x1
        if gap < PANEL_GAP:
            continue
        left, right = Line(cells[:k], line.page, line.ocr), Line(cells[k:], line.page, line.ocr)
        for head, rest in ((right, left), (left, right)):
            if (
                _titles_only(head)
                and is_header(head)
                and not segments(head)
                and _row_like(segments(rest))
            ):
                rank = (
                    word_role(head.cells[0].words[0].text) == Role.ANALYTE,
                    gap,
                )  # ``Analyte`` opens a table
                if best is None or rank > best[0]:
                    best = (rank, (head, rest))
    return best[1] if best is not None else None


def _titles_only(head: Line) -> bool:
    """Three or more column titles and no reading (``CFU/g  10^3 CFU/g  Pass`` is the end of a row)."""
    titled = sum(
        title_role(c.text) is not None for c in head.cells
    )  # a bare unit titles a result column
    readings = [
        c for c in head.cells if is_reading(c.text)
    ]  # a bare ``LOD`` is a title, ``<LOD`` a reading
    return titled >= 3 and not readings


def _enter_header(lines: list[Line], i: int, ctx: Context) -> set[int]:
    block = [lines[i]]
    j = i + 1
    while (
        j < len(lines)
        and (is_header(lines[j]) or is_continuation(lines[j], block[-1]))
        and not segments(lines[j])
        and _beside(lines[j], block[0])
        and j - i < 4
    ):
        block.append(lines[j])
        j += 1
    _use_header(block, ctx)
    return set(range(i + 1, j))


def _beside(line: Line, header: Line) -> bool:
    """A line that may continue ``header``: it overlaps the header's x-extent (a heading over the
    panel next to it does not)."""
    return line.x0 < header.cells[-1].x1 + PANEL_GAP and line.cells[-1].x1 > header.x0 - PANEL_GAP


def _titled_span(tables: list[Table]) -> tuple[float, float]:
    """The x-extent of the titled columns of ``tables`` (a heading of the next panel printed on the
    header's line, ``... Status    Physical Tests``, titles nothing)."""
    cols = [c for t in tables for c in t.columns if c.role is not None] or [
        c for t in tables for c in t.columns
    ]
    return min(c.x0 for c in cols), max(c.x1 for c in cols)


def _use_header(block: list[Line], ctx: Context) -> None:
    """The tables of a header block replace those they overlap."""
    new = build_tables(block)
    for table in new:  # an untitled cell far right of the last title is the next panel's heading
        cols = table.columns
        while len(cols) > 2 and cols[-1].role is None and cols[-1].x0 - cols[-2].x1 > 2 * PANEL_GAP:
            cols.pop()
    x0, x1 = _titled_span(new)
    ctx.tables = [
        t for t in ctx.tables if _titled_span([t])[1] < x0 - 5 or _titled_span([t])[0] > x1 + 5
    ] + new
    ctx.tables.sort(key=lambda t: t.x0)
    if not any(t.qc for t in new):
        ctx.qc = False


def _heading(line: Line, ctx: Context) -> None:
    text = line.text
    if len(text.split()) > 8 or any(parse_number(w) is not None for w in text.split()):
        return
    if any(c.text.rstrip().endswith(":") for c in line.cells[:-1]):
        return  # ``Prepared for: | Client``: a labelled field, not a heading
    if is_qc_label(text):
        ctx.qc = True
    units = [u for inner in _HEADING_UNIT.findall(text) if (u := normalise_unit(inner)) is not None]
    for k, cell in enumerate(
        line.cells
    ):  # each panel title opens or closes the x-range from where it starts
        key = compact(cell.text)
        words_before = [
            c for c in line.cells[:k] if sum(ch.isalpha() for ch in c.text) >= 4
        ]  # not an icon
        before = words_before[-1].x1 if words_before else None
        if any(w in key for w in IN_SCOPE_HEADINGS):
            _scope_from(ctx, cell.x0, cell.x1, before, closed=False)
            ctx.heading_unit = None  # a new panel: the last panel's unit no longer applies
        elif any(w in key for w in OUT_OF_SCOPE_HEADINGS):
            _scope_from(ctx, cell.x0, cell.x1, before, closed=True)
    if units:
        ctx.heading_unit = units[-1]


def _scope_from(ctx: Context, x0: float, x1: float, before: float | None, closed: bool) -> None:
    """A panel title at ``x0``..``x1`` decides the scope of its panel; a panel to its left keeps its own.

    The title governs the whole width unless something stands to its left: a title before
    it on its line (ending at ``before``), a table ending left of it (a panel beside it), or
    the title heads the right-hand stack of the page (starts right of its first third and is
    not centred). Rows may start left of a title, up to the table's left slack.
    """
    start = x0 - TABLE_LEFT_SLACK
    right_stack = x0 > ctx.width / 3 and abs((x0 + x1) / 2 - ctx.width / 2) > ctx.width / 10
    if before is not None:
        start = max(start, before + 1)
    elif not right_stack and not any(t.x1 < start for t in ctx.tables):
        start = float("-inf")
    ctx.closed = [(a, min(b, start)) for a, b in ctx.closed if a < start]
    if closed:  # up to the next panel title to its right (the stack beside it)
        end = min(
            (s - TABLE_LEFT_SLACK for s in ctx.starts if s - TABLE_LEFT_SLACK > x1),
            default=float("inf"),
        )
        ctx.closed.append((start, end))
    ctx.starts.append(x0)


def _out_of_scope(ctx: Context, x: float) -> bool:
    return any(a <= x < b for a, b in ctx.closed)


#: How far left of its first header word a table's row labels may start (points).
TABLE_LEFT_SLACK = 60.0


def _table_for(seg_x: float, ctx: Context) -> Table | None:
    """The table whose x-range holds ``seg_x``.

    Row labels are often left-aligned under a centred ``Analyte`` title, so a table
    reaches left of its first header word, up to the previous table's right edge.
    """
    best = None
    prev_x1 = -1e9
    for table in ctx.tables:
        left = max(table.x0 - TABLE_LEFT_SLACK, prev_x1 + 1)
        if left <= seg_x <= table.x1:
            best = table
        prev_x1 = table.x1
    return best


def _orphan(lines: list[Line], i: int, ctx: Context) -> list[Segment]:
    """A row whose label wraps onto the lines above/below it (``Total Yeast and`` / ``Mold``)."""
    line = lines[i]
    table = _table_for(line.x0, ctx)
    col = table.analyte_column() if table is not None else None
    if table is None or col is None:
        return []
    atoms = _value_atoms(line, table)
    if not any(parse_cell(a.text) is not None for a in atoms if a.role == Role.RESULT):
        return []
    for label in _wrapped_labels(lines, i, col.x0 - 5, col.x1 + 40, table):
        bare = _unbracketed(
            label.split()
        )  # ``Escherichia coli (E.`` / ``coli)``: the name without its bracket
        m = match_prefix(bare) if bare else None
        if m is not None and m.words >= len(bare) - 1:
            break
    else:
        return []
    words = [w for c in line.cells for w in c.words if w.x1 < atoms[0].x0] or line.cells[0].words
    return [Segment(m, label, words, atoms)]


#: Keywords that open a line of labelled values under a name (``Result: 0.12 ppm``).
_RESULT_KEYS = frozenset({"result:", "results:", "value:", "found:"})
#: How far below its name (font sizes) a card's line of labelled values sits.
CARD_LEADING = 1.9


def _card_values(line: Line, below: Line, segs: list[Segment]) -> list[Segment]:
    """Cards: each name alone (no value after it), the line just below holding its labelled
    values (``Limit: ≤ 2   Result: 0.0226 %   Status: PASS``), several cards side by side.
    Each name takes the cells below it up to the next name's start; the keywords give the
    roles (see :func:`parsers.rows.assign_roles`)."""
    if any(_has_value(seg) for seg in segs) or segments(below):
        return []
    if not 0 < below.top - line.top <= CARD_LEADING * line.size:
        return []
    out: list[Segment] = []
    starts = [seg.x0 for seg in segs] + [float("inf")]
    for k, seg in enumerate(segs):
        cells = [c for c in below.cells if starts[k] - 2 <= c.x0 < starts[k + 1] - 2]
        if not any(w.text.lower() in _RESULT_KEYS for c in cells for w in c.words):
            continue
        card = Line([Cell(list(seg.words)), *cells], line.page, line.ocr)
        out.append(labelled_segment(seg.match, seg.label, card))
    return out


#: Words that end a name which goes on on the next line (``Total Aflatoxins (B1 + B2 + G1 +``).
_OPEN_END = frozenset(
    {"+", ",", "and", "&", "-", "/", "of", "in", "or", "with", "und", "a", "y", "et"}
)
#: Lines of one wrapped name sit closer than this many font sizes (rows are padded apart).
WRAP_LEADING = 1.45


def _continued_label(above: Line, line: Line, segs: list[Segment]) -> list[Segment]:
    """A name that wraps with its value on its second line: ``Total Combined Yeasts and`` over
    ``Molds Count (TYMC)  10  5.0E+03``, ``Bile-tolerant Gram-negative`` over ``Bacteria  14``.

    The line above continues into this one when it is one cell starting where this line's
    first cell starts, close above it (:data:`WRAP_LEADING`), without any value, and either
    it ends open (an unclosed parenthesis, ``+``, ``and``) or the two together name an
    analyte whose name runs into this line. The row is then that analyte (matched without
    its bracketed abbreviation or method), whatever this line's first cell names alone.
    """
    if (
        len(above.cells) != 1
        or len(line.cells) < 2
        or abs(above.cells[0].x0 - line.cells[0].x0) > 2
    ):
        return segs
    if not 0 < line.top - above.top <= WRAP_LEADING * line.size:
        return segs
    head = [w.text for w in above.cells[0].words]
    tail = [w.text for w in line.cells[0].words]
    if any(parse_cell(t) is not None for t in head) or parse_cell(line.cells[0].text) is not None:
        return segs
    if not any(parse_cell(c.text) is not None for c in line.cells[1:]):
        return segs
    first_words = set(map(id, line.cells[0].words))
    if any(id(w) not in first_words for seg in segs[:1] for w in seg.words[:1]):
        return segs  # this line's name starts in a later cell
    text = " ".join(head)
    open_end = text.count("(") > text.count(")") or head[-1].lower() in _OPEN_END
    joined = _unbracketed(head + tail)
    m = match_prefix(joined) if joined else None
    if (
        m is None
        or m.words < len(joined) - 1
        or not open_end
        and m.words <= len(_unbracketed(head))
    ):
        return segs
    rest = [seg for seg in segs if id(seg.words[0]) not in first_words]
    return [labelled_segment(m, " ".join(head + tail), line), *rest]


def _unbracketed(tokens: list[str]) -> list[str]:
    """Tokens outside parentheses (an unclosed one runs to the end): the name without its
    abbreviation or method (``Moisture (loss on drying)`` -> ``Moisture``)."""
    out: list[str] = []
    depth = 0
    for t in tokens:
        opened = t.count("(")
        if depth == 0 and not opened:
            out.append(t)
        elif depth == 0 and not t.startswith("("):
            out.append(t.split("(")[0])
        depth = max(depth + opened - t.count(")"), 0)
    return [t for t in out if t]


def _value_atoms(line: Line, table: Table) -> list[Atom]:
    atoms: list[Atom] = []
    for k, cell in enumerate(line.cells):
        col = table.column_at(cell.x0, cell.x1)
        if col is None or col.role in (Role.ANALYTE, Role.OTHER):
            continue
        atoms.append(Atom(cell.text, cell.x0, cell.x1, k, col.role))
    return atoms


def _wrapped_labels(lines: list[Line], i: int, x0: float, x1: float, table: Table) -> list[str]:
    """Names a value line may have from the label-only lines around it, best first: both
    neighbours (the value midway), else the nearer one, else the farther (a row's wrapped
    lines sit closer than rows do: ``Salmonella spp.`` / ``(detection)  Present`` is not the
    ``Escherichia coli (E.`` that starts the next row)."""
    near: list[int] = []
    for j in (i - 1, i + 1):
        if not 0 <= j < len(lines) or abs(lines[j].top - lines[i].top) > 2.2 * lines[i].size:
            continue
        if is_header(lines[j]) or _value_atoms(lines[j], table) or lines[j].top < table.top:
            continue
        near.append(j)
    near.sort(key=lambda j: abs(lines[j].top - lines[i].top))
    choices = [sorted([i, *near])] if len(near) == 2 else []
    choices += [sorted([i, j]) for j in near] + [[i]]

    def words(j: int) -> list[str]:
        return [
            w.text
            for c in lines[j].cells
            for w in c.words
            if x0 <= c.x0 <= x1 and _started_in(table, c.x0) == "analyte"
        ]

    return [" ".join(t for j in choice for t in words(j)) for choice in choices]


def _started_in(table: Table, x: float) -> str | None:
    """The role of the column a left-aligned cell starting at ``x`` is in: the last column
    title starting at or before it, or a little after (a centred title); a long name runs on
    under the next title."""
    col = max((c for c in table.columns if c.x0 <= x + 6), key=lambda c: c.x0, default=None)
    return col.role if col is not None else None


#: A label followed in its own cell by this many plain words (before any value) is prose
#: (a footnote such as ``moisture concentration. (mg/ml) = Milligrams per ...``), not a row.
PROSE_WORDS = 3


def _prose(seg: Segment) -> bool:
    if not seg.atoms or seg.atoms[0].x0 - seg.words[-1].x1 > 3 * seg.words[-1].size:
        return False
    cell, words, depth = seg.atoms[0].cell, 0, 0
    for atom in seg.atoms:
        if atom.cell != cell or parse_cell(atom.text) is not None:
            break
        for token in atom.text.split():
            if (
                depth == 0
                and token[0].isalpha()
                and normalise_unit(token) is None
                and status_of(token) is None
            ):
                words += 1
            depth = max(0, depth + token.count("(") - token.count(")"))
    return words >= PROSE_WORDS


def _clip_to_table(seg: Segment, table: Table, ctx: Context) -> None:
    """Drop the atoms under the table to the right of ``table``: text of the panel beside it
    (a footnote such as ``Unless otherwise stated all quality control samples ...`` printed
    on the row's line) is not part of the row."""
    following = [t.x0 for t in ctx.tables if t.x0 > table.x1]
    if following:
        right = min(following) - 1
        seg.atoms = [a for a in seg.atoms if a.x0 <= right]


def _inline_field(seg: Segment) -> bool:
    """``Moisture: 8.4 %``: a label with a colon and its reading right after it, in its own cell."""
    if not seg.atoms or parse_cell(seg.atoms[0].text) is None:
        return False
    colon = seg.words[-1].text.endswith(":")
    return colon and seg.atoms[0].x0 - seg.words[-1].x1 < 3 * seg.words[-1].size


#: Words after a reading that make it a share of something else (``≤ 2 % of total alkaloids``).
_RELATIVE = frozenset({"of", "von", "z", "del", "de"})


def _criterion(seg: Segment) -> bool:
    """A criterion sentence (``7-OH: ≤ 2 % of total alkaloids``, ``Mitragynine: NMT 2.0 %``): a
    bound printed as a comparison, or as a share of another quantity, is a rule, not a reading."""
    for k, atom in enumerate(seg.atoms):
        reading = parse_cell(atom.text)
        if reading is None:
            continue
        if atom.text.lstrip().startswith(("≤", "≥", "<=", ">=", "NMT", "NLT")):
            return True
        rest = [a.text.lower() for a in seg.atoms[k + 1 : k + 3] if not unit_like(a.text)]
        return bool(rest) and rest[0].split()[0] in _RELATIVE
    return False


def _segment_result(
    seg: Segment, ctx: Context, page: int, warnings: list[str]
) -> ParsedResult | None:
    if _inline_field(seg) and (_out_of_scope(ctx, seg.x0) or ctx.tables):
        # an inline field ends the table and any out-of-scope panel above it
        _scope_from(ctx, seg.x0, seg.words[-1].x1, None, closed=False)
        ctx.tables, ctx.heading_unit = [t for t in ctx.tables if t.x1 < seg.x0], None
    table = _table_for(seg.x0, ctx)
    if table is not None:
        _clip_to_table(seg, table, ctx)
    keyed = any(
        a.text.lower() in _RESULT_KEYS for a in seg.atoms
    )  # ``Limit: ≤ 2  Result: 0.02 %``: no criterion
    if (
        ctx.qc
        or _out_of_scope(ctx, seg.x0)
        or (table is not None and table.qc)
        or is_qc_segment(seg)
        or not keyed
        and _prose(seg)
    ):
        return None
    if table is None and not keyed and _criterion(seg):
        return None
    assign_roles(seg, table)
    picked = _pick_reading(seg, table, ctx)
    if picked is None:
        return None
    reading, unit, atom = picked
    seg.match = _physical_by_unit(seg.match, unit)
    loq = _loq(seg, table, unit, ctx, (Role.LOQ,))
    if reading.qualifier == "loq" and reading.limit == "lod":
        loq = _loq(seg, table, unit, ctx, (Role.LOD,))
    own = reading.unit or _row_unit(seg)
    found = _result(seg.match, reading, unit, loq, _status(seg), page, seg, atom, warnings, own)
    if (
        found is not None and found.qualifier == "="
    ):  # a ``± U (k=2)`` column: kept beside the value
        uncertainty = _loq(seg, table, unit, ctx, (Role.UNCERTAINTY,))
        if uncertainty is not None:
            found = replace(found, uncertainty=uncertainty)
    return found


def _readings(
    seg: Segment, table: Table | None, ctx: Context
) -> list[tuple[Reading, str | None, Atom]]:
    out: list[tuple[Reading, str | None, Atom]] = []
    row_unit = _row_unit(seg)
    roles = (Role.RESULT,) if table is not None and table.has_result else _VALUE_ROLES
    for k, atom in enumerate(seg.atoms):
        if atom.role not in roles:
            continue
        reading = parse_cell(atom.text, ctx.decimal_comma)
        if reading is None:
            continue
        out.append(
            (reading, _ocr_unit(seg, _unit_for(seg, k, reading, table, row_unit, ctx), ctx), atom)
        )
    return out


#: Categories measured in trace amounts: grams per kilogram of them is beyond any sample.
_TRACE = ("heavy_metal", "mycotoxin")


def _ocr_unit(seg: Segment, unit: str | None, ctx: Context) -> str | None:
    """On an OCR page, ``g/kg`` for a metal or mycotoxin is ``µg/kg`` whose ``µ`` was lost."""
    if ctx.ocr and unit == "g/kg" and seg.match.category in _TRACE:
        return "ug/kg"
    return unit


def _pick_reading(
    seg: Segment, table: Table | None, ctx: Context
) -> tuple[Reading, str | None, Atom] | None:
    found = _readings(seg, table, ctx)
    if not found and table is not None:
        found = _fallback_readings(seg, ctx)
    if not found and seg.match.code in PRESENCE:
        return _absence_verdict(seg)
    if not found:
        return None
    code, category = seg.match.code, seg.match.category
    if code in PRESENCE:  # a presence test's result is a verdict; a number beside it is its limit
        verdicts = [f for f in found if f[0].qualifier in ("not_detected", "detected", "nd")]
        if not verdicts:
            extra = _fallback_readings(seg, ctx) if table is not None else _alt_readings(seg, ctx)
            verdicts = [f for f in extra if f[0].qualifier in ("not_detected", "detected", "nd")]
        if verdicts:
            return verdicts[0]
    for reading, unit, atom in found:
        if reading.value is None or to_canonical(code, category, reading.value, unit) is not None:
            return reading, unit, atom
    return found[0]


def _absence_verdict(seg: Segment) -> tuple[Reading, str | None, Atom] | None:
    """A presence test whose only result is a verdict while the row specifies absence
    (``E. coli - USP <2022> - Absence per 10 g   Pass``): a pass is not detected, a fail detected."""
    if not {w for a in seg.atoms for w in fold(a.text).split()} & {"absence", "absent", "negative"}:
        return None
    for atom in seg.atoms:
        if (status := status_of(atom.text)) is not None:
            atom.role = Role.STATUS
            return Reading("not_detected" if status == "pass" else "detected", None), None, atom
    return None


def _alt_readings(seg: Segment, ctx: Context) -> list[tuple[Reading, str | None, Atom]]:
    """Second readings of a narrative line (``E.Coli 1 Absence``)."""
    out: list[tuple[Reading, str | None, Atom]] = []
    for atom in seg.atoms:
        reading = parse_cell(atom.text, ctx.decimal_comma) if atom.role == Role.ALT else None
        if reading is not None:
            out.append((reading, None, atom))
    return out


def _fallback_readings(seg: Segment, ctx: Context) -> list[tuple[Reading, str | None, Atom]]:
    """No atom under a result column: take word verdicts (Absent, ND) anywhere in the row."""
    out: list[tuple[Reading, str | None, Atom]] = []
    for atom in seg.atoms:
        if atom.role in (Role.LOQ, Role.LOD, Role.UNCERTAINTY, Role.METHOD, Role.OTHER, Role.LIMIT):
            continue
        reading = parse_cell(atom.text, ctx.decimal_comma)
        if reading is not None and reading.value is None:
            out.append((reading, None, atom))
    return out


def _row_unit(seg: Segment) -> str | None:
    for atom in seg.atoms:
        if atom.role == Role.UNIT and (unit := normalise_unit(atom.text)) is not None:
            return unit
    return None


def _unit_for(
    seg: Segment, k: int, reading: Reading, table: Table | None, row_unit: str | None, ctx: Context
) -> str | None:
    if reading.unit is not None:
        return reading.unit
    nxt = seg.atoms[k + 1] if k + 1 < len(seg.atoms) else None
    if (
        nxt is not None
        and nxt.cell == seg.atoms[k].cell
        and (u := normalise_unit(nxt.text)) is not None
    ):
        return u
    amount = next(
        (
            a.text
            for a in seg.atoms[k + 1 : k + 2]
            if unit_like(a.text) and normalise_unit(a.text) is None
        ),
        None,
    )
    if amount is not None:
        return amount.strip("().,;:").lower()  # ``25.23 MG``: milligrams, never a mass fraction
    col = table.column_at(seg.atoms[k].x0, seg.atoms[k].x1) if table is not None else None
    if col is not None and col.unit is not None and table is not None and table.multi_unit:
        return col.unit  # one measurement in several unit columns: each column's own unit
    for unit in (
        row_unit,
        col.unit if col else None,
        table.unit if table else None,
        ctx.heading_unit,
    ):
        if (
            unit is not None
            and to_canonical(seg.match.code, seg.match.category, 1.0, unit) is not None
        ):
            return unit
    if nxt is not None and (u := normalise_unit(nxt.text)) is not None:
        return u
    return None


def _loq(
    seg: Segment,
    table: Table | None,
    unit: str | None,
    ctx: Context,
    roles: tuple[Role, ...] = (Role.LOQ, Role.LOD),
) -> float | None:
    for role in roles:
        for atom in seg.atoms:
            if atom.role != role:
                continue
            own = None
            whole = parse_cell(atom.text, ctx.decimal_comma) if "/" in atom.text else None
            if whole is not None and whole.qualifier == "=" and whole.unit is not None:
                value, own = (
                    whole.value,
                    whole.unit,
                )  # ``LOQ: 50 µg/kg``: the bound with its own unit
            else:
                text = (
                    atom.text.split("/")[-1] if "/" in atom.text else atom.text
                )  # ``LOD/LOQ 0.01/0.05``
                value = parse_number(
                    text.strip("()").lstrip("±+- "), ctx.decimal_comma
                )  # ``± 1.7``
            if value is None or value == 0:
                continue  # an LOQ of zero is a misreading (``0.0`` for ``0.001``)
            col = table.column_at(atom.x0, atom.x1) if table is not None else None
            loq_unit = own or (col.unit if col is not None and col.unit is not None else unit)
            conv = to_canonical(seg.match.code, seg.match.category, value, loq_unit)
            return conv[0] if conv is not None else None
    return None


def _status(seg: Segment) -> str | None:
    for atom in seg.atoms:
        if atom.role == Role.STATUS:
            found = status_of(atom.text) or _CZ_STATUS.get(atom.text.strip().lower())
            if found is not None:
                return found
    return None


def _result(
    m: Match,
    reading: Reading,
    unit: str | None,
    loq: float | None,
    status: str | None,
    page: int,
    seg: Segment,
    atom: Atom,
    warnings: list[str],
    own_unit: str | None = None,
) -> ParsedResult | None:
    """The contract result of one reading, with its value also in the unit the COA printed."""
    found = _canonical_result(m, reading, unit, loq, status, page, seg, atom, warnings, own_unit)
    if found is None or found.value is None or unit is None:
        return found
    if unit == found.unit:
        return replace(found, printed_value=found.value, printed_unit=unit)
    one, two = (
        to_canonical(m.code, m.category, 1.0, unit),
        to_canonical(m.code, m.category, 2.0, unit),
    )
    if (
        one is None
        or two is None
        or one[1] != found.unit
        or not one[0]
        or abs(two[0] - 2 * one[0]) > 1e-9 * two[0]
    ):
        return found  # no linear conversion (``log CFU/g``): the printed text stays in ``raw``
    return replace(found, printed_value=float(f"{found.value / one[0]:.6g}"), printed_unit=unit)


def _canonical_result(
    m: Match,
    reading: Reading,
    unit: str | None,
    loq: float | None,
    status: str | None,
    page: int,
    seg: Segment,
    atom: Atom,
    warnings: list[str],
    own_unit: str | None = None,
) -> ParsedResult | None:
    """The contract result of one reading; ``own_unit`` is a unit printed on the row itself
    (not inherited from a column title or heading): only that makes ``ND`` a count."""
    qualifier = presence_qualifier(m.code, reading)
    counted = _censored_count(m, reading, own_unit)
    if counted:
        qualifier = "nd"
    elif qualifier == "loq" and m.code in PRESENCE and not _count_unit(m, own_unit):
        qualifier = (
            "not_detected"  # ``Salmonella  < MRL``: below the reporting limit of a presence test
        )
    raw = f"{seg.label} {atom.text}" + (f" {unit}" if unit and unit not in atom.text else "")
    common = {
        "analyte": m.code,
        "category": m.category,
        "loq": loq,
        "lab_status": status,
        "page": page,
        "raw": raw.strip(),
        "bbox": seg.bbox,
    }
    if qualifier in ("nd", "not_detected", "detected") or (
        qualifier == ">" and reading.value is None
    ):
        null_unit = "CFU/g" if counted else _null_unit(m)
        return ParsedResult(value=None, unit=null_unit, qualifier=qualifier, **common)  # type: ignore[arg-type]
    if qualifier == "loq":
        return ParsedResult(value=loq, unit=_null_unit(m) or unit, qualifier="<", **common)  # type: ignore[arg-type]
    assert reading.value is not None
    conv = to_canonical(m.code, m.category, reading.value, unit)
    if conv is None:
        if unit == "mg/serving":
            return ParsedResult(
                value=reading.value,
                unit="mg/serving",
                qualifier=qualifier,
                **common,  # type: ignore[arg-type]
            )
        warnings.append(f"page {page}: {seg.label!r} unit {unit!r} not convertible")
        return None
    if qualifier == "=" and _beyond_whole(m, conv[0]):
        warnings.append(
            f"page {page}: {seg.label!r} reads {atom.text!r}, more than the whole sample; not reported"
        )
        return None
    return ParsedResult(value=conv[0], unit=conv[1], qualifier=qualifier, **common)  # type: ignore[arg-type]


#: Organisms that labs report either as a presence call or as a colony count (``E. coli <10 CFU/g``).
_COUNTED_OR_PRESENT = frozenset({"e_coli", "staphylococcus_aureus"})


def _censored_count(m: Match, reading: Reading, unit: str | None) -> bool:
    """``E. coli  ND  CFU/g``: ND on a count is a count below detection, not a presence call.

    Only for organisms that are counted as well as tested for presence; a pathogen tested
    for presence only (Salmonella) stays a presence call whatever unit the column prints.
    """
    return reading.qualifier == "nd" and _count_unit(m, unit)


def _count_unit(m: Match, unit: str | None) -> bool:
    """True when an organism that may be counted is reported in a count unit."""
    return (
        m.code in _COUNTED_OR_PRESENT
        and unit is not None
        and unit.upper().endswith(("CFU/G", "CFU/ML", "MPN/G"))
    )


def _beyond_whole(m: Match, value: float) -> bool:
    """A mass fraction above 100 % (``Speciociliatine 1233 mg/g``, a lost decimal point) is no measurement."""
    limits = {"%": 100.0, "ug/g": 1e6, "ug/kg": 1e9}
    conv = to_canonical(m.code, m.category, 1.0, None)
    return (
        conv is not None
        and conv[1] in limits
        and m.code != "water_activity"
        and value > limits[conv[1]]
    )


def _null_unit(m: Match) -> str | None:
    """Unit of a result without a number: null for presence tests, else canonical."""
    if m.code in PRESENCE:
        return None
    if m.code == "water_activity":
        return "aw"
    if m.category == "microbial":
        return "CFU/g"
    conv = to_canonical(m.code, m.category, 1.0, None)
    return conv[1] if conv is not None else None


def _sibling_row(first: ParsedResult, again: ParsedResult) -> bool:
    """Two rows of one table column that name one analyte differently (``Pathogenic E. coli``
    and ``STEC E. coli``): both are results, not a repeat."""
    if (
        first.page != again.page
        or first.bbox is None
        or again.bbox is None
        or first.raw == again.raw
    ):
        return False
    return abs(first.bbox[0] - again.bbox[0]) < 3


def _dedupe(results: list[ParsedResult]) -> list[ParsedResult]:
    """One result per analyte reading: repeats (summary boxes, repeated pages) dropped.

    A ``<`` result without a bound repeats one with a bound (``Lead: <LLOQ`` in a
    sidebar, ``Lead <LLOQ`` with its LLOQ column in the table): the bound is kept.
    """
    out: list[ParsedResult] = []
    index: dict[tuple[str, str, float | None], int] = {}
    for r in results:
        key = (r.analyte, r.qualifier, None if r.value is None else round(r.value, 9))
        if key in index and not _sibling_row(out[index[key]], r):
            continue
        if r.qualifier == "<":
            bare = (r.analyte, "<", None)
            if r.value is not None and bare in index:
                out[index.pop(bare)] = r
                index[key] = out.index(r)
                continue
            if r.value is None and any(k[0] == r.analyte and k[1] == "<" for k in index):
                continue
        index[key] = len(out)
        out.append(r)
    return out
