"""The entry point: read every label/value pair of the first pages, rank them, choose."""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.document import Dates, ParsedLab
from parsers.layout_text import TextPage
from parsers.metadata.cells import (
    LabelledCell,
    build_cells,
    continuation,
    lines_of,
    value_for,
    zip_fields,
)
from parsers.metadata.dates import find_dates, first_date, strip_dates, writes_day_first
from parsers.metadata.identifiers import (
    batch_under_product,
    best_id,
    block_title_batch,
    lab_run,
    matrix_title,
)
from parsers.metadata.lab import accreditation, accreditation_line, find_lab_name
from parsers.metadata.labels import bare_rank, fields_of_label, normalise_label, split_pairs
from parsers.metadata.names import best_name, clean, looks_like_name
from parsers.metadata.parties import block_vendor, titled_block_vendor
from parsers.metadata.ranking import Candidate, PairSource, Placement, SortKey
from parsers.metadata.vocabulary import DATE_FIELDS, EMPTY, JOB_TITLES, NAME_LABELS
from parsers.vocab import fold, match_prefix


@dataclass(slots=True)
class Metadata:
    """The header fields of a certificate."""

    lab: ParsedLab
    vendor: str | None
    product: str | None
    batch: str | None
    sample_id: str | None
    report_number: str | None
    dates: Dates


def read_metadata(pages: list[TextPage]) -> Metadata:
    """Header fields of a certificate (first pages first; labels, then geometry)."""
    cells = build_cells(pages[:3])
    by_line = lines_of(cells)
    found: dict[str, list[Candidate]] = {}

    def add(
        name: str, value: str | None, key: SortKey, ocr: bool, cell: LabelledCell | None = None
    ) -> None:
        value = _FOOTNOTE.sub("", value) if value is not None else None  # "Name: +   Gold"
        if name == "batch" and cell is not None and lab_run(cell, by_line):
            return  # ``Batch: B6F2315 | Prep By: 1005``: the lab's run, not the product's lot
        if value is not None and clean(value) is not None and fold(value) not in EMPTY:
            found.setdefault(name, []).append(Candidate(key, value, ocr))

    for k, cell in enumerate(cells):
        order = k + 1
        for name, value, rank in cell.labels:
            if name in _NUMBERED and accreditation_line(cell.text):
                continue  # ``A2LA Certificate #6633.01``: the lab's accreditation, not the report's number
            if name in ("product", "vendor"):
                value += continuation(cell, by_line)
            add(
                name,
                value,
                SortKey(rank, cell.page, Placement.PRINTED, order, PairSource.IN_CELL),
                cell.ocr,
                cell,
            )
        if cell.only and not cell.labels and not _in_results_row(cell, by_line):
            value_cell = value_for(cell, cells, by_line)
            if value_cell is not None:
                placed = Placement.BELOW if value_cell.top > cell.bottom - 1 else Placement.PRINTED
                for name, value in zip_fields(cell, value_cell):
                    add(
                        name,
                        value,
                        SortKey(
                            bare_rank(name, cell), cell.page, placed, order, PairSource.BARE_LABEL
                        ),
                        cell.ocr,
                        cell,
                    )
        if k + 1 == len(cells) or (cells[k + 1].page, cells[k + 1].line) != (cell.page, cell.line):
            for name, value, rank in split_pairs(by_line[(cell.page, cell.line)]):
                add(
                    name,
                    value,
                    SortKey(rank, cell.page, Placement.PRINTED, order, PairSource.SPLIT_LABEL),
                    cell.ocr,
                    cell,
                )
    for k, cell in enumerate(cells):
        if _signed(cell):  # "Laboratory Director - 1/27/2022": the signature dates the report
            add(
                "reported",
                cell.text,
                SortKey(2, cell.page, Placement.PRINTED, k + 1, PairSource.IN_CELL),
                cell.ocr,
            )
        for name, value in _named_under_heading(cell, by_line):
            add(
                name,
                value,
                SortKey(
                    bare_rank(name, cell), cell.page, Placement.BELOW, k + 1, PairSource.BARE_LABEL
                ),
                cell.ocr,
            )
    _split_product_lots(found)
    day_first = writes_day_first(cells)
    dates = {
        name: first_date(found.get(name, []), day_first, last=name != "received")
        for name in DATE_FIELDS
    }
    vendor = best_name(found.get("vendor", []))
    lab_name = find_lab_name(found.get("lab", []), cells, by_line, vendor)
    if lab_name is None and len(pages) > 3:  # named only in the legend or disclaimer at the end
        tail = build_cells(pages[-1:])
        lab_name = find_lab_name([], tail, lines_of(tail), vendor)
    if vendor is None:
        vendor = block_vendor(cells, by_line, lab_name) or titled_block_vendor(
            cells, by_line, lab_name
        )
    product = best_name(found.get("product", []), skip_rank=2)
    if product is None:
        product = matrix_title(cells, by_line, {lab_name, vendor})
    if product is None:
        product = best_name(found.get("product", []))
    sample_id = best_id(found.get("sample_id", [])) or best_id(
        found.get("sample_id", []), keep_names=True
    )
    if product is None:  # "Sample: Red Vein Powder": a sample named like a product names it
        named = best_id(
            [c for c in found.get("sample_id", []) if looks_like_name(c.value)], keep_names=True
        )
        product = named if named is not None and looks_like_name(named) else None
    report_number = best_id(found.get("report_number", []), report=True)
    batch = (
        best_id(found.get("batch", []))
        or block_title_batch(cells, by_line, {v for v in (sample_id, report_number) if v})
        or batch_under_product(cells, by_line, found.get("product", []))
    )
    return Metadata(
        lab=ParsedLab(lab_name, accreditation(cells)),
        vendor=vendor,
        product=product,
        batch=batch,
        sample_id=sample_id,
        report_number=report_number,
        dates=Dates(dates["received"], dates["tested"], dates["reported"]),
    )


def _in_results_row(cell: LabelledCell, by_line: dict[tuple[int, int], list[LabelledCell]]) -> bool:
    """True when a bare label sits in a results row: a cell left of it on its line is an
    analyte's whole name (``Aflatoxin G1 | Report | <0.5``: a limit of "Report", no report number)."""
    for other in by_line.get((cell.page, cell.line), []):
        if other.x1 >= cell.x0:
            continue
        words = other.text.split()
        m = match_prefix(words) if words and not other.only else None
        if m is not None and m.score >= 100 and m.words == len(words):
            return True
    return False


#: Fields that an accreditation line's ``Certificate #`` / ``No.`` label would otherwise fill.
_NUMBERED = frozenset({"report_number", "sample_id", "batch"})


#: A footnote mark printed after a label, before its value.
_FOOTNOTE = re.compile(r"^\s*(?:[+*†‡§¹²³⁴]|\(\d\))(?=\s)\s*")
#: ``Red Vein Powder (Batch RV/24/101)``, ``Gold Bali Powder, Lot # L-22``: a name, then a batch label and its code.
_WITH_LOT = re.compile(
    r"^(?P<name>.*?[^\W\d_].*?)\s*[(\[,;–-]\s*(?P<label>[^\W\d_][^\W\d_#. ]{1,20}?\.?)\s*"
    r"(?:#|No\.?|Nr\.?)?\s*:?\s*(?P<code>[A-Za-z0-9][\w./-]*\d[\w./-]*)\s*[)\]]?$"
)


def _split_product_lots(found: dict[str, list[Candidate]]) -> None:
    """A product (or a sample named like one) printed with its lot in one value gives both."""
    for name in ("product", "sample_id"):
        for cand in found.get(name, []):
            m = _WITH_LOT.match(cand.value.strip())
            if m is None or not any(f == "batch" for f, _r in fields_of_label(m["label"])):
                continue
            found.setdefault("batch", []).append(Candidate(cand.key, m["code"], cand.ocr))
            cand.value = m["name"]


_SUB_LABEL = re.compile(r"^([^:]{1,30}):\s*(\S.*)$")


def _named_under_heading(
    heading: LabelledCell, by_line: dict[tuple[int, int], list[LabelledCell]]
) -> list[tuple[str, str]]:
    """A party heading (``DISTRIBUTOR``, ``Client Info``) over generic sub-labels: its
    ``Business Name:`` / ``Name:`` line names the party."""
    fields = [f for f in heading.only if f in ("vendor", "product", "lab")]
    if not fields or heading.labels:
        return []
    for line in range(heading.line + 1, heading.line + 5):
        for cell in by_line.get((heading.page, line), []):
            if abs(cell.x0 - heading.x0) > 6 or cell.top - heading.bottom > 6 * heading.size:
                continue
            m = _SUB_LABEL.match(cell.text)
            if m is not None and normalise_label(m[1]) in NAME_LABELS:
                return [(name, m[2]) for name in fields]
    return []


def _signed(cell: LabelledCell) -> bool:
    """A signatory's job title and one date in one cell (``Laboratory Director - 1/27/2022``)."""
    if (
        cell.labels
        or ":" in cell.text
        or len(cell.words) > 8
        or not re.search(r"\d", cell.text)
        or not set(fold(cell.text).split()) & JOB_TITLES
        or len(find_dates(cell.text, False)) != 1
    ):
        return False
    return 0 < len(fold(strip_dates(cell.text)).split()) <= 5
