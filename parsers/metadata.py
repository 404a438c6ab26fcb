"""Certificate metadata: lab, vendor, product, batch, sample id, report number, dates.

Labels are matched in folded form (see :func:`parsers.vocab.fold`) at the start of a
cell or after another label's value (``Batch #: 230327``); the value is the rest of the
cell, else the next cell of the line. Dates in any common format become ISO 8601
(``dateutil``; day-first when the document prints ``16.1.2026`` style dates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil import parser as dateparser

from parsers.document import Dates, Lab
from parsers.layout_text import Line, Page
from parsers.vocab import fold

#: field -> folded label phrases (longest first wins).
LABELS: dict[str, tuple[str, ...]] = {
    "vendor": ("client name", "client", "customer", "company", "manufacturer", "distributor", "prepared for",
               "submitted by", "zakaznik", "objednatel", "auftraggeber", "kunde", "licensee", "producer",
               "requested by", "ordered by"),
    "product": ("product name", "sample name", "product description", "sample description", "product",
                "strain", "description", "oznaceni vzorku zakaznikem", "oznaceni vzorku", "nazev vzorku",
                "probenbezeichnung", "produkt", "item name"),
    "batch": ("batch number", "batch no", "batch id", "batch", "lot number", "lot no", "lot id", "lot",
              "harvest lot id", "c s", "cislo sarze", "sarze", "charge", "charge nr"),
    "sample_id": ("sample id", "sample no", "sample number", "sample", "lab id", "laboratory id",
                  "lab sample id", "cislo vzorku", "probennummer"),
    "report_number": ("report number", "report no", "report id", "certificate number", "certificate no",
                      "coa number", "coa no", "coa", "order", "order number", "protokol o zkouskach", "protokol o zkouskach ml",
                      "cislo protokolu", "prufbericht", "report", "final report"),
    "received": ("date received", "received date", "received", "sample received", "receipt date",
                 "datum prijmu vzorku laboratori", "datum prijmu", "eingangsdatum", "date of receipt"),
    "tested": ("date tested", "test date", "analysis date", "analyzed", "date analyzed", "tested",
               "datum provedeni zkousek", "prufdatum"),
    "reported": ("report date", "date reported", "reported", "issued", "date of issue", "completion date",
                 "completed", "report created", "approved", "vystaven v praze dne", "vystaveno",
                 "datum vystaveni", "ausstellungsdatum", "date issued"),
}
_LAB_WORDS = re.compile(
    r"([A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,4}\s+(?:Laboratories|Laboratory|Labs|Lab|Analytics|Testing)"
    r"(?:,?\s+(?:LLC|Inc\.?|Ltd\.?|GmbH|s\.r\.o\.))?)")
_CZ_LAB = re.compile(r"\S.*laborato[rř]\S*\s+\S.*", re.IGNORECASE)
_ACCREDITATION = re.compile(r"(ISO/?\s?IEC\s?17025(?::\d{4})?|ORELAP\s*#?\s*\d+|A2LA[^,;]{0,20}|ČIA[^,;]{0,30})")
_DATE = re.compile(r"\d{1,4}[./-]\s?\d{1,2}[./-]\s?\d{2,4}|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4}|"
                   r"[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}")
_ID = re.compile(r"^[#:.\s]*([A-Za-z0-9][\w./-]*[\w])")


@dataclass(slots=True)
class Metadata:
    """The header fields of a certificate."""

    lab: Lab
    vendor: str | None
    product: str | None
    batch: str | None
    sample_id: str | None
    report_number: str | None
    dates: Dates


def read_metadata(pages: list[Page]) -> Metadata:
    """Header fields from the first pages (labels win in reading order)."""
    lines = [line for page in pages[:2] for line in page.lines]
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        for field, value in _labelled(line, lines[i + 1] if i + 1 < len(lines) else None):
            found.setdefault(field, value)
    day_first = _day_first(lines)
    dates = Dates(*(to_iso(found.get(k), day_first, last=k != "received") for k in ("received", "tested", "reported")))
    return Metadata(
        lab=Lab(_lab_name(lines), _accreditation(lines)),
        vendor=_clean(found.get("vendor")),
        product=_clean(found.get("product")),
        batch=_identifier(found.get("batch")),
        sample_id=_identifier(found.get("sample_id")),
        report_number=_report(found.get("report_number")),
        dates=dates,
    )


def _labelled(line: Line, below: Line | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    cells = line.cells
    for k, cell in enumerate(cells):
        for field, rest in _cell_labels(cell.text):
            value = rest or (cells[k + 1].text if k + 1 < len(cells) and not _cell_labels(cells[k + 1].text) else "")
            if not value and below is not None:
                value = _text_below(below, cell.x0, cell.x1)
            if value:
                out.append((field, value))
                if field == "product" and below is not None:
                    out.extend(_batch_below(below, cell.x1))
    return out


def _cell_labels(text: str) -> list[tuple[str, str]]:
    """(field, value) for each ``Label: value`` in a cell (several may share a cell)."""
    label, sep, value = _split_label(text)
    field = _field_for(label) if sep else None
    if field is not None:
        return [(field, value.strip()), *_cell_labels_inner(value)]
    return _cell_labels_inner(text)


def _cell_labels_inner(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    parts = re.split(r"(?<=\S)\s*(?=(?:[A-Z][\w ./#]{1,40})\s*[:#])", text)
    for part in parts:
        label, sep, value = _split_label(part)
        if not sep:
            continue
        field = _field_for(label)
        if field is not None:
            out.append((field, value.strip()))
    return out


def _split_label(part: str) -> tuple[str, str, str]:
    m = re.match(r"^\s*([^:#]{1,45}?)\s*(:|#\s*:?|No\.\s*:?)\s*(.*)$", part)
    if m is None:
        return part, "", ""
    return m[1], m[2], m[3]


def _field_for(label: str) -> str | None:
    f = fold(label)
    for field, names in LABELS.items():
        if f in names or any(len(n) > 7 and f.endswith(" " + n) for n in names):
            return field
    return None


def _text_below(below: Line, x0: float, x1: float) -> str:
    for cell in below.cells:
        if cell.x0 < x1 + 5 and cell.x1 > x0 - 5 and not _cell_labels(cell.text):
            return cell.text
    return ""


def _batch_below(below: Line, x: float) -> list[tuple[str, str]]:
    """An unlabelled code printed under a product name (``L08202504``) is the batch."""
    text = below.text.strip()
    m = re.fullmatch(r"(?:č\.\s?š\.\s*)?([A-Z]{0,4}\d[\w./-]{4,})", text)
    if m is None or below.x0 > x + 200:
        return []
    return [("batch", m[1])]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip(" ,;:")
    return value or None


def _identifier(value: str | None) -> str | None:
    if value is None:
        return None
    m = _ID.match(value)
    return m[1] if m else _clean(value)


def _report(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip(" #:")
    return _clean(value.split("(")[0])


def _day_first(lines: list[Line]) -> bool:
    text = " ".join(line.text for line in lines[:80])
    return len(re.findall(r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b", text)) > 0


def to_iso(text: str | None, day_first: bool = False, last: bool = False) -> str | None:
    """The date in ``text`` (``16.1.2026``, ``09/08/2023 12:15``, ``5 November 2021``) as ISO."""
    if not text:
        return None
    found = _DATE.findall(text)
    if not found:
        return None
    raw = (found[-1] if last else found[0]).replace(" ", "") if "." in found[0] else (found[-1] if last else found[0])
    try:
        parsed = dateparser.parse(raw, dayfirst=day_first or "." in raw, default=None)
    except (ValueError, OverflowError):
        return None
    return parsed.date().isoformat() if isinstance(parsed.date(), date) else None


def _lab_name(lines: list[Line]) -> str | None:
    for line in lines[:40]:
        m = _LAB_WORDS.search(line.text)
        if m is not None and "certificate" not in m[1].lower():
            return m[1].strip()
    for line in lines[:10]:
        if _CZ_LAB.fullmatch(line.text) and len(line.text) < 80:
            return line.text.strip()
    return None


def _accreditation(lines: list[Line]) -> str | None:
    for line in lines[:60]:
        m = _ACCREDITATION.search(line.text)
        if m is not None:
            return m[1].strip()
    return None
