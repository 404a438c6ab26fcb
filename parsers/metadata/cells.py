"""Cells of the first pages and the geometry that pairs bare labels with their values.

A :class:`LabelledCell` is one cell of a text line (:mod:`parsers.layout_text`) with the
label/value pairs read inside it. A cell that is nothing but a label takes its value
from the next cell on its visual row (words compared by position, so OCR lines that
drift still pair up) or from the words below it, each word going to the nearest label
above it (a row of column headers over a row of values; multi-line values joined);
``COLLECTED, RECEIVED`` over ``11/02/2021, 11/03/2021`` pairs the lists. Address and
contact lines are recognised here too: they bound name-and-address blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.layout_text import TextPage, Word
from parsers.metadata.dates import find_dates
from parsers.metadata.labels import NO_FIELD, fields_of_label, has_separator, labelish, read_labels
from parsers.metadata.vocabulary import DATE_FIELDS, ID_FIELDS

#: Fields whose value is a name (a code before it on a grid row is an account or item number).
NAME_FIELDS = ("vendor", "product", "lab")

_STREET = re.compile(
    r"^\d+[A-Za-z]?(?:-\d+)?\s+(?:[\w.'-]+\s+){0,5}(?:St|Street|Rd|Road|Ave|Avenue|Blvd|Boulevard|"
    r"Dr|Drive|Way|Lane|Ln|Ct|Court|Pkwy|Parkway|Hwy|Highway|Suite|Ste|Place|Pl|Circle|Cir|"
    r"Terrace|Trail|Pike|Park|Plaza|Square|Sq|Loop|Row|Center|Centre|Alley|Route|Rte|"
    r"North|South|East|West|[NSEW])\b",
    re.IGNORECASE,
)


_EU_STREET = re.compile(
    r"^[A-ZÀ-Ž][\w.' -]{2,40}?\s\d{1,5}/\d{1,5}[a-z]?\b|^[A-ZÀ-Ž][\w.' -]{0,30}"
    r"(?:straße|strasse|str\.|gasse|weg|platz|allee|ring|ulice|nám\.|náměstí|třída|via|rue|"
    r"calle)\s\d{1,5}[a-z]?\b",
    re.IGNORECASE,
)


_CITY = re.compile(
    r"(?:,\s*[A-Z]{2}\b,?\s+\d{5}(?:-?\d{4})?|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b\d{3}\s?\d{2}\s+[A-ZÀ-Ž]"
    r"|\b\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+|,\s*[A-Z][a-z]+,?\s+\d{5}\b)"
)


_CONTACT = re.compile(
    r"@|https?://|www\.|\(\d{3}\)\s?\d{3}|\b\d{3}[.\- ]\d{3}[.\- ]\d{4}\b|\+\d[\d ]{7,}|"
    r"^\d{10}$|^(?:tel|phone|fax|e-?mail|lic|license|licence|contact)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class LabelledCell:
    """A cell with where it sits: page, line index, box."""

    text: str
    words: list[Word]
    page: int
    line: int
    ocr: bool
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 1.0
    labels: list[tuple[str, str, int]] = field(
        default_factory=list
    )  # (field, value, rank) read inside the cell
    only: list[str] = field(default_factory=list)  # fields of a cell that is nothing but a label
    lead: int = 0  # words before the bare label that are the value of the label on their left
    beside: bool = False  # a bare label whose value can only be beside it (``Final Report | R-1``)

    def __post_init__(self) -> None:
        self.x0 = min(w.x0 for w in self.words)
        self.x1 = max(w.x1 for w in self.words)
        self.top = min(w.top for w in self.words)
        self.bottom = max(w.bottom for w in self.words)
        sizes = sorted(w.size for w in self.words)
        self.size = max(sizes[len(sizes) // 2], 4.0)

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


def build_cells(pages: list[TextPage]) -> list[LabelledCell]:
    """Cells of ``pages`` with the labels read in them (see :func:`_bold_labels`)."""
    out: list[LabelledCell] = []
    for page in pages:
        for index, line in enumerate(page.lines):
            for part in line.cells:
                cell = LabelledCell(part.text, list(part.words), page.number, index, line.ocr)
                read_labels(cell)
                out.append(cell)
    out = _join_split_labels(out)
    _bold_labels(out)
    return out


def _join_split_labels(cells: list[LabelledCell]) -> list[LabelledCell]:
    """A label printed over two lines (``Date of`` / ``Analysis``, ``Production`` / ``Lot``): two
    stacked cells, left-aligned and close, that name a field only together, become one label."""
    by_line = lines_of(cells)
    drop: set[int] = set()
    joined: dict[int, LabelledCell] = {}
    for cell in cells:
        if cell.only or cell.labels or len(cell.words) > 3 or re.search(r"\d", cell.text):
            continue
        for lower in by_line.get((cell.page, cell.line + 1), []):
            if (
                abs(lower.x0 - cell.x0) > 2
                or lower.top - cell.bottom > 0.6 * cell.size
                or abs(lower.size - cell.size) > 0.5
                or len(lower.words) > 3
                or id(lower) in drop
                or lower.labels
            ):
                continue
            text = f"{cell.text} {lower.text}"
            if not fields_of_label(text.rstrip(" :")):
                break
            merged = LabelledCell(text, cell.words + lower.words, cell.page, cell.line, cell.ocr)
            read_labels(merged)
            if merged.only and merged.only != lower.only:
                joined[id(cell)] = merged
                drop.add(id(lower))
            break
    if not joined:
        return cells
    return [joined.get(id(c), c) for c in cells if id(c) not in drop]


def _bold_labels(cells: list[LabelledCell]) -> None:
    """Labels printed without colons, told apart from their values only by weight.

    When the known bare labels of a document are bold and the cells right of them are not,
    any other short bold cell followed on its line by a regular cell is a label too
    (``Matrix | Dried Leaf``, ``Phone | (555) 555-0199``): of no field we keep, but a label,
    so it is never read as a value of the label above or beside it.
    """
    by_line = lines_of(cells)

    def value_right(cell: LabelledCell) -> bool:
        after = [c for c in by_line[(cell.page, cell.line)] if c.x0 > cell.x1]
        return bool(after) and not _bold(min(after, key=lambda c: c.x0))

    known = [c for c in cells if c.only and not c.lead and not c.ocr and value_right(c)]
    if len(known) < 3 or 4 * sum(_bold(c) for c in known) < 3 * len(known):
        return
    for cell in cells:
        if (
            cell.only
            or cell.labels
            or not _bold(cell)
            or len(cell.words) > 4
            or re.search(r"\d", cell.text)
        ):
            continue
        if value_right(cell) and not is_block_name(cell, by_line):
            cell.only = [NO_FIELD]


def _bold(cell: LabelledCell) -> bool:
    return all(w.bold for w in cell.words)


def lines_of(cells: list[LabelledCell]) -> dict[tuple[int, int], list[LabelledCell]]:
    by_line: dict[tuple[int, int], list[LabelledCell]] = {}
    for cell in cells:
        by_line.setdefault((cell.page, cell.line), []).append(cell)
    return by_line


def continuation(cell: LabelledCell, by_line: dict[tuple[int, int], list[LabelledCell]]) -> str:
    """A name wrapped onto the next line under its label (``Order Name: Cresco Budder 1g - Buddha's`` / ``Hand``)."""
    for other in by_line.get((cell.page, cell.line + 1), []):
        if (
            abs(other.x0 - cell.x0) <= 3
            and other.top - cell.bottom <= 0.6 * cell.size
            and not (other.only or other.labels or labelish(other.text))
            and re.fullmatch(r"[^\W\d][\w'’.&-]*(?: [^\W\d][\w'’.&-]*){0,2}", other.text)
        ):
            return " " + other.text
    return ""


def value_for(
    label: LabelledCell,
    cells: list[LabelledCell],
    by_line: dict[tuple[int, int], list[LabelledCell]],
) -> LabelledCell | None:
    """The value of a bare label: the next cell on its visual row, else the words below it."""
    named = _grid_name(label, cells)
    if named is not None:
        return named
    right, paired = _right_of(label, cells)
    if label.beside:
        return right if right is not None else _code_under_title(label, by_line)
    below = _below(label, cells, by_line)
    ids = [n for n in label.only if n in ID_FIELDS]
    if (
        ids
        and right is not None
        and below is not None
        and right.line == label.line
        and all(_fits(n, right.text) and not _fits(n, below.text) for n in ids)
    ):
        return right  # ``Batch No | BN19000000015`` over ``Packaging Date``: only the code has the shape
    if paired:
        # a key/value grid (label, value, label, value on one line) unless a value of the
        # label's shape sits under it: then the line is a row of column headers
        if below is None or not all(_fits(name, below.text) for name in label.only if name != "-"):
            return right
        return below
    if right is not None and (
        below is None
        or right.x0 - label.x1 <= 3 * label.size
        or below.top - label.bottom > 1.2 * label.size
        or label.ocr
        and right.line == label.line
        and label.text.rstrip().endswith(":")
        and all(_fits(name, right.text) for name in label.only)
    ):
        return right
    if below is not None:
        return below
    return right


def _code_under_title(
    title: LabelledCell, by_line: dict[tuple[int, int], list[LabelledCell]]
) -> LabelledCell | None:
    """A lone code printed under a title (``Certificate of Analysis`` over ``T6E0349``): the only
    cell of its line, one token with a digit, within the title's width, a few lines down."""
    for line in range(title.line + 1, title.line + 4):
        row = by_line.get((title.page, line), [])
        if not row or row[0].top - title.bottom > 3 * title.size:
            break
        if (
            len(row) == 1
            and title.x0 <= (row[0].x0 + row[0].x1) / 2 <= title.x1
            and re.fullmatch(r"[A-Z0-9][\w./-]*\d[\w./-]*", row[0].text)
        ):
            return row[0]
    return None


def _fits(name: str, text: str) -> bool:
    """True when ``text`` has the shape of field ``name``: a date, a code with a digit, a name with letters."""
    if name in DATE_FIELDS:
        return bool(find_dates(text, False))
    if name in ID_FIELDS:
        return bool(re.search(r"\d", text))
    return bool(re.search(r"[^\W\d_]{3}", text)) and sum(ch.isdigit() for ch in text) * 2 < len(
        text
    )


def _is_label(cell: LabelledCell) -> bool:
    return bool(cell.only or cell.labels or labelish(cell.text))


def _right_of(label: LabelledCell, cells: list[LabelledCell]) -> tuple[LabelledCell | None, bool]:
    """The cell right of a bare label on its visual row, and whether the row pairs them for sure.

    A row of column headers (``Batch | Matrix | Date Tested``) takes its values from below;
    a key/value grid row (``Client | Acme Herbs | Report No. | R-1234``) does not: there the
    one cell between a label and the next label (or the line's end) is its value, however far
    to the right it is printed, when it has the field's shape (a date, a code with a digit).
    """
    limit = min(160.0, 16 * label.size)
    tolerance = 0.5 * max(label.bottom - label.top, label.size)
    row = sorted(
        (
            c
            for c in cells
            if c.page == label.page
            and c is not label
            and c.x0 >= label.x1 - 1
            and abs(c.mid_y - label.mid_y) <= tolerance
        ),
        key=lambda c: c.x0,
    )
    if row and row[0].lead and len(row[0].words) > row[0].lead:
        lead = row[0]  # the value shares a cell with the next label
        return LabelledCell(
            " ".join(w.text for w in lead.words[: lead.lead]),
            lead.words[: lead.lead],
            lead.page,
            lead.line,
            lead.ocr,
        ), True
    if not row or _is_label(row[0]):
        return None, False
    best, after = row[0], row[1] if len(row) > 1 else None
    near = best.x0 - label.x1 <= limit
    header_row = not has_separator(label.text) and any(
        c.only
        and not has_separator(c.text)
        and c is not label
        and c.page == label.page
        and c.line == label.line
        for c in cells
    )
    if (
        (header_row or not near)
        and (after is None or _is_label(after))
        and all(_fits(name, best.text) for name in label.only if name != "-")
    ):
        return best, True
    if not near or header_row:
        return None, False
    return best, False


def _grid_name(label: LabelledCell, cells: list[LabelledCell]) -> LabelledCell | None:
    """In a key/value grid row a name label's value may follow an account or item code
    (``Customer | IC-C-0001 | Balchem Corporation | Batch No``): the name, when the first cell
    right of the label is one code that is no name, the second a name, and the next cell a
    label, a label-shaped title (``Ship To``) or nothing."""
    names = [n for n in label.only if n != "-"]
    if not names or not all(n in NAME_FIELDS for n in names):
        return None
    tolerance = 0.5 * max(label.bottom - label.top, label.size)
    row = sorted(
        (
            c
            for c in cells
            if c.page == label.page
            and c.line == label.line
            and c.x0 >= label.x1 - 1
            and abs(c.mid_y - label.mid_y) <= tolerance
        ),
        key=lambda c: c.x0,
    )
    if len(row) < 2:
        return None
    code, name, nxt = row[0], row[1], row[2] if len(row) > 2 else None
    if (
        len(code.words) != 1
        or not re.search(r"\d", code.text)
        or _is_label(code)
        or any(_fits(n, code.text) for n in names)
    ):
        return None
    if _is_label(name) or not all(_fits(n, name.text) for n in names):
        return None
    titled = (
        nxt is not None and re.fullmatch(r"[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}", nxt.text) is not None
    )
    return name if nxt is None or _is_label(nxt) or titled else None


def _below(
    label: LabelledCell,
    cells: list[LabelledCell],
    by_line: dict[tuple[int, int], list[LabelledCell]],
) -> LabelledCell | None:
    """Words under ``label`` that sit nearer to it than to any other bare label (a column of values)."""
    rivals = [
        c
        for c in cells
        if c.page == label.page
        and c.only
        and c is not label
        and abs(c.mid_y - label.mid_y) < 3 * label.size
    ]
    lines = sorted(
        {(c.page, c.line) for c in cells if c.page == label.page and c.top > label.mid_y},
        key=lambda k: min(c.top for c in by_line[k]),
    )
    taken: list[list[Word]] = []
    last = label.bottom
    for key in lines[:8]:
        row = by_line[key]
        top = min(c.top for c in row)
        gap_limit = (2.6 if not taken else 1.2) * label.size
        if top - last > gap_limit:
            break
        mine: list[Word] = []
        stop = False
        for cell in row:
            owners = [_owner(w, label, rivals) for w in cell.words]
            if label not in owners or is_value(cell, by_line):
                continue  # not under this label, or the value of the label beside it on its own line
            first = owners[0]
            if (
                first is not None
                and first is not label
                and not any(
                    first.x0 < r.x0 <= cell.x1
                    for r in (label, *rivals)
                    if r is not first and r.top < cell.top
                )
            ):
                continue  # the whole phrase belongs to the label its first word sits under
            if cell.only or cell.labels or labelish(cell.text):
                stop = True
                break
            if owners[0] is label and not any(
                label.x0 < r.x0 <= cell.x1 for r in rivals if r.top < cell.top
            ):
                mine.extend(
                    cell.words
                )  # a phrase starting under its label and ending before the next label
            elif all(o is label or o is None for o in owners):
                mine.extend(
                    w
                    for k, w in enumerate(cell.words)
                    if owners[k] is label or k > owners.index(label)
                )
            else:
                mine.extend(w for w, o in zip(cell.words, owners, strict=True) if o is label)
        if stop:
            break
        if mine:
            taken.append(mine)
            last = max(w.bottom for w in mine)
        if len(taken) >= 4:
            break
    if not taken:
        return None
    words = [w for row in taken for w in row]
    cell = LabelledCell(
        _join_rows([" ".join(w.text for w in row) for row in taken], label.only),
        words,
        label.page,
        label.line,
        label.ocr,
    )
    return cell


def _owner(w: Word, label: LabelledCell, rivals: list[LabelledCell]) -> LabelledCell | None:
    """The bare label nearest (horizontally) to a word below it; None when none is near."""
    mid = (w.x0 + w.x1) / 2
    best: LabelledCell | None = None
    best_d = 0.0
    for cand in (label, *rivals):
        if cand.top >= w.top:
            continue
        d = max(cand.x0 - mid, mid - cand.x1, 0.0)
        if best is None or d < best_d:
            best, best_d = cand, d
    if best is None or best_d > max(40.0, 4 * label.size):
        return None
    return best


def _join_rows(rows: list[str], names: list[str]) -> str:
    """Rows of one value: joined where a row ends with ``-``/``,`` or the next starts with one,
    and for dates where the first row is not a whole date; names keep their first row."""
    out = rows[0]
    for row in rows[1:]:
        if out.endswith(("-", ",", "/")) or row.startswith((",", "-", "/")):
            out += row
        elif (
            any(n in DATE_FIELDS for n in ",".join(names).split(","))
            and find_dates(out, False) == []
        ):
            out += " " + row
        elif re.search(r"(?:^|\s)\d{3,6}$", out) and re.fullmatch(r"\d{3,6}(?:\s\d{3,6})*", row):
            out += " " + row  # "8474 5221 8191" / "0310"
        else:
            break
    return out


def zip_fields(label: LabelledCell, value: LabelledCell) -> list[tuple[str, str]]:
    """(field, value) of a bare label and its value cell; a label list pairs with a value list."""
    if not any("," in n or n == "-" for n in label.only):
        return [(name, value.text) for name in label.only]
    items = [v.strip() for v in value.text.split(",")]
    if len(items) != len(label.only):
        return []
    out: list[tuple[str, str]] = []
    for names, item in zip(label.only, items, strict=True):
        out.extend((name, item) for name in names.split(",") if name and name != "-")
    return out


def is_address(text: str) -> bool:
    return bool(_STREET.search(text) or _CITY.search(text) or _EU_STREET.match(text))


def is_contact(text: str) -> bool:
    return bool(_CONTACT.search(text))


def column_above(
    cell: LabelledCell, by_line: dict[tuple[int, int], list[LabelledCell]], reach: int = 6
) -> list[LabelledCell]:
    """Cells above ``cell`` in its column (left or right edge aligned), nearest first."""
    out: list[LabelledCell] = []
    for line in range(cell.line - 1, max(-1, cell.line - 1 - reach), -1):
        for other in by_line.get((cell.page, line), []):
            if abs(other.x0 - cell.x0) <= 6 or abs(other.x1 - cell.x1) <= 3:
                out.append(other)
                break
    return out


def is_value(cell: LabelledCell, by_line: dict[tuple[int, int], list[LabelledCell]]) -> bool:
    """True when the cell to the left on its line is a label (``Contact Info: | Darren``)."""
    row = by_line.get((cell.page, cell.line), [])
    left = [c for c in row if c.x1 <= cell.x0 + 1]
    return bool(left) and (bool(left[-1].only) or has_separator(left[-1].text))


def is_block_name(cell: LabelledCell, by_line: dict[tuple[int, int], list[LabelledCell]]) -> bool:
    """True when an address or contact line follows ``cell`` in its column."""
    for line in range(cell.line + 1, cell.line + 4):
        for other in by_line.get((cell.page, line), []):
            if abs(other.x0 - cell.x0) <= 6 or abs(other.x1 - cell.x1) <= 3:
                if other.top - cell.bottom > 3 * cell.size:
                    return False
                if is_address(other.text):
                    return True
                if not (other.labels or other.only or is_contact(other.text)):
                    return False
    return False
