"""Certificate metadata: lab, vendor, product, batch, sample id, report number, dates.

General mechanisms, no lab-specific rules:

* **Label vocabulary** (:data:`LABELS`): each field has label phrases in English, Czech
  and German, each with a rank (``Product Name`` beats ``Strain``; ``Report No.`` beats
  ``Order #``). Labels are compared in folded form with ``#``, ``No.``, ``Nr.`` and
  ``Number`` removed, so ``Batch No.:``, ``Batch #`` and ``BATCH NUMBER`` are one label;
  a longer label that is not in the vocabulary (``Batch Date``, ``Lab Batch #``) is not
  mistaken for a shorter one.
* **Key/value geometry**: ``Label: value`` in one cell (several per cell, split on ``;``
  and ``|`` and at the next label); a label cell followed by its value in the next cell
  of the same visual row (words compared by position, so OCR lines that drift still
  pair up); a label with its value in the cell(s) below, where words below are given to
  the nearest label above them (a row of column headers over a row of values, multi-line
  values joined); ``COLLECTED, RECEIVED`` over ``11/02/2021, 11/03/2021`` pairs the lists.
* **Address blocks**: a name line directly above a street / ``City, ST 12345`` line (or
  contact lines) is a party of the certificate; the first such block at the top of the
  first page that is not the lab is the vendor when no label names one.
* **Lab name**: a labelled ``Laboratory:`` / ``Analyzed by:`` value, else the phrase
  ending in *Laboratories / Labs / Analytics / Testing* (or starting with *Laboratoř*,
  *Labor*) that the document repeats most (headers, footers, "not be reproduced without
  the approval of X"), widened to its whole address-block name line, else the name of the
  lab's web address.
* **Product without a label**: the title line(s) printed above the sample's matrix
  (``Matrix: Edible``, ``Plant, Flower - Cured``) in the same column.
* **Dates** in every common format (:func:`to_iso`): ISO, ``01/17/2024`` (month first
  unless the day is over 12 or the document writes day-first dates), ``17.01.2024``,
  ``17-Jan-2024``, ``January 17, 2024``, ``5 November 2021``, ``06-12 November 2021``
  (a range: the last day for tested/reported), English, German and Czech month names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from parsers.document import Dates, Lab
from parsers.layout_text import Page, Word
from parsers.vocab import fold

#: field -> {normalised label: rank}; lower ranks win, then reading order.
LABELS: dict[str, dict[str, int]] = {
    "vendor": {
        **dict.fromkeys(("client", "client name", "customer", "customer name", "prepared for",
                         "report prepared for", "client information", "client info", "customer information",
                         "submitted by", "requested by", "ordered by", "zakaznik", "objednatel", "auftraggeber",
                         "kunde", "company", "company name", "client details", "bill to", "vendor", "vendor name",
                         "sponsor", "submitter", "account", "account name", "client customer", "customer client",
                         "submitted for", "issued to", "report to", "odberatel", "kunde name", "cliente",
                         "solicitante", "donneur d ordre", "zadavatel", "objednavatel",
                         "peticionario", "auftraggeber name", "client name and address"), 0),
        **dict.fromkeys(("manufacturer", "manufacturer info", "manufacturer information", "distributor",
                         "distributor info", "distributor information", "licensee", "brand", "vyrobce",
                         "hersteller", "cultivator manufacturer", "distributor manufacturer", "supplier",
                         "retailer", "dodavatel", "lieferant", "manufactured by", "distributed by", "produced by",
                         "packed by", "marketed by", "manufacturer name", "fabricante", "fabricant"), 1),
        **dict.fromkeys(("producer", "cultivator", "cultivator info", "cultivator information"), 2),
    },
    "lab": dict.fromkeys(("laboratory", "testing laboratory", "testing lab", "laborator", "zkusebni laborator",
                          "labor", "prufstelle", "prueflabor", "laboratory name", "performing laboratory",
                          "laboratorio", "laboratoire", "laboratorio de ensayo", "zkusebna", "lab"), 0),
    "product": {
        **dict.fromkeys(("product name", "sample name", "product", "product description", "sample description",
                         "item name", "item", "product sample", "oznaceni vzorku zakaznikem", "oznaceni vzorku",
                         "nazev vzorku", "nazev produktu", "probenbezeichnung", "produkt", "bezeichnung",
                         "name of sample", "sample identification", "product identity", "product sample name",
                         "sample product name", "item description", "commodity", "sample description name",
                         "popis vzorku", "nazev", "artikel", "product title", "producto", "nombre del producto",
                         "descripcion de la muestra", "produit", "designation", "nom du produit"), 0),
        **dict.fromkeys(("strain", "cultivar", "cultivars", "description", "order name"), 2),
    },
    "batch": dict.fromkeys(("batch", "batch id", "lot", "lot id", "batch lot", "lot batch", "harvest lot id",
                            "harvest lot", "retail batch", "production lot", "production batch", "client batch",
                            "customer lot", "customer batch", "c s", "cislo sarze", "sarze", "charge",
                            "chargennummer", "charge nr", "los", "lot code", "batch code", "lote", "numero de lote",
                            "lot de fabrication"), 0),
    "sample_id": {
        **dict.fromkeys(("sample id", "sample", "sample code", "lab id", "laboratory id", "lab sample id",
                         "lab sample", "sample ref", "lab ref", "cislo vzorku", "probennummer", "probe", "lab no",
                         "laboratory sample id", "test id", "lab number", "laboratory number", "lab sample no",
                         "accession", "lims id", "lab code", "laborcode", "labornummer", "evidencni cislo",
                         "muestra", "echantillon", "numero de muestra", "numero d echantillon", "codigo de muestra",
                         "referencia de muestra", "id de muestra", "codigo de laboratorio", "laboratorni cislo vzorku",
                         "laboratorni cislo", "proben", "probennr", "labornr", "laborcode nr", "code echantillon",
                         "reference echantillon", "identificacion de la muestra"), 0),
    },
    "report_number": {
        **dict.fromkeys(("report", "report id", "certificate", "certificate id", "coa", "coa id",
                         "protokol o zkouskach", "protokol o zkouskach ml", "protokol", "cislo protokolu",
                         "prufbericht", "pruefbericht", "final report", "test report", "analysis report",
                         "analytical report", "report code", "informe", "numero de informe", "rapport",
                         "numero de rapport", "bericht", "berichtsnummer", "protocolo"), 0),
        **dict.fromkeys(("project", "work order", "job", "job id", "project id", "submission",
                         "certificate of analysis", "coa report", "test report id"), 1),
        **dict.fromkeys(("order", "order id"), 2),
    },
    "received": dict.fromkeys(("date received", "received date", "received", "sample received", "receipt date",
                               "date of receipt", "intake date", "date of intake", "arrival date", "received on",
                               "datum prijmu vzorku laboratori", "datum prijmu vzorku", "datum prijmu",
                               "eingangsdatum", "probeneingang", "eingang", "sample receipt",
                               "date sample received", "received at lab"), 0),
    "tested": dict.fromkeys(("date tested", "tested", "test date", "analysis date", "date analyzed", "analyzed",
                             "analysed", "date of analysis", "tested on", "analyzed on", "date analysed",
                             "datum provedeni zkousek", "prufdatum", "pruefdatum", "analysendatum",
                             "testing date", "analysis completed", "prufzeitraum", "pruefzeitraum",
                             "analysenzeitraum", "testing period", "analysis period", "test period",
                             "doba provedeni zkousek"), 0),
    "reported": {
        **dict.fromkeys(("report date", "date reported", "reported", "date of report", "issued", "issue date",
                         "date issued", "date of issue", "report created", "report issued", "vystaveno",
                         "datum vystaveni", "vystaven v praze dne", "ausstellungsdatum", "berichtsdatum",
                         "reported on", "issued on", "date of report issue", "fecha de informe", "fecha del informe",
                         "date du rapport", "datum vydani", "datum vydani protokolu"), 0),
        **dict.fromkeys(("completion date", "completed", "complete", "date completed", "finalized", "released",
                         "approved", "approval date", "date approved", "signed on", "finalized on"), 1),
        **dict.fromkeys(("date", "datum", "fecha", "dne"), 2),  # a lone "Datum:" in a header dates the report
    },
}


def _field_index() -> dict[str, list[tuple[str, int]]]:
    index: dict[str, list[tuple[str, int]]] = {}
    for name, labels in LABELS.items():
        for label, rank in labels.items():
            index.setdefault(label, []).append((name, rank))
    return index


_FIELD_OF = _field_index()

DATE_FIELDS = ("received", "tested", "reported")
ID_FIELDS = ("batch", "sample_id", "report_number")
#: Values that mean "not given".
_EMPTY = {"", "na", "n a", "none", "not applicable", "not provided", "unknown", "tbd", "pending", "see below"}
_LAB_WORDS = {"laboratories", "laboratory", "labs", "lab", "analytics", "analytical", "testing", "laboratorium",
              "laboratorio", "laboratoire", "labor", "prueflabor", "pruflabor", "laboratoriet", "analytik"}
_LAB_HEADS = {"laborator", "laboratory", "laboratorium", "laboratoire", "laboratorio", "labor", "analytik"}
_GENERIC = {"compliance", "regulatory", "analytical", "quality", "testing", "certified", "accredited", "cannabis",
            "hemp", "independent", "third", "party", "the", "this", "a", "an", "our", "your", "certificate",
            "analysis", "of", "and", "by", "from", "lab", "labs", "laboratory", "laboratories", "microbiology",
            "chemistry", "reference", "state", "licensed", "iso", "iec", "approved", "approval", "written",
            "director", "manager", "test", "results", "sample", "report", "final"}
_FORMS = (r"LLC|L\.L\.C\.|Inc\.?|Ltd\.?|GmbH|(?:spol\.\s)?s\.\s?r\.\s?o\.|a\.\s?s\.|Corp\.?|Co\.|LLP|PLLC|AG|KG|"
          r"S\.\s?L\.(?:U\.)?|S\.\s?A\.|S\.\s?r\.\s?l\.|SARL|SAS|B\.\s?V\.")
_COMPANY = re.compile(r"^,?\s*(?:" + _FORMS + r")(?!\w)|^\s*\([A-Z]{2,3}\)")
_COMPANY_TAIL = re.compile(r"(?:,?\s*(?:" + _FORMS + r")(?!\w)|\s*\([A-Z]{2,3}\))+$")
_ACCREDITATION = re.compile(r"(ISO/?\s?IEC\s?:?\s?17025(?::\d{4})?|ORELAP\s*#?:?\s*\d+|A2LA[^,;]{0,20}|"
                            r"ČIA[^,;]{0,30}|DAkkS\s[\w-]+)")
_STREET = re.compile(r"^\d+[A-Za-z]?(?:-\d+)?\s+(?:[\w.'-]+\s+){0,5}(?:St|Street|Rd|Road|Ave|Avenue|Blvd|Boulevard|"
                     r"Dr|Drive|Way|Lane|Ln|Ct|Court|Pkwy|Parkway|Hwy|Highway|Suite|Ste|Place|Pl|Circle|Cir|"
                     r"Terrace|Trail|Pike|Park|Plaza|Square|Sq|Loop|Row|Center|Centre|Alley|Route|Rte|"
                     r"North|South|East|West|[NSEW])\b", re.IGNORECASE)
_EU_STREET = re.compile(r"^[A-ZÀ-Ž][\w.' -]{2,40}?\s\d{1,5}/\d{1,5}[a-z]?\b|^[A-ZÀ-Ž][\w.' -]{0,30}"
                        r"(?:straße|strasse|str\.|gasse|weg|platz|allee|ring|ulice|nám\.|náměstí|třída|via|rue|"
                        r"calle)\s\d{1,5}[a-z]?\b", re.IGNORECASE)
_CITY = re.compile(r"(?:,\s*[A-Z]{2}\b,?\s+\d{5}(?:-?\d{4})?|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b\d{3}\s?\d{2}\s+[A-ZÀ-Ž]"
                   r"|\b\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+|,\s*[A-Z][a-z]+,?\s+\d{5}\b)")
_CONTACT = re.compile(r"@|https?://|www\.|\(\d{3}\)\s?\d{3}|\b\d{3}[.\- ]\d{3}[.\- ]\d{4}\b|\+\d[\d ]{7,}|"
                      r"^\d{10}$|^(?:tel|phone|fax|e-?mail|lic|license|licence|contact)\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?://)?w{2,4}\.([a-z0-9-]{3,40})\.(?:com|net|org|us|ca|co|cz|de|eu|io|lab|labs)\b",
                  re.IGNORECASE)
_MATRIX_WORDS = {"flower", "plant", "edible", "edibles", "concentrate", "ingestible", "tincture", "derivative",
                 "cured", "oil", "topical", "powder", "capsule", "capsules", "gummy", "gummies", "extract",
                 "vape", "cartridge", "infused", "pre", "roll", "preroll", "beverage", "liquid", "solid", "leaf",
                 "light", "deprivation", "inhalable", "ingestion", "inhalation",
                 "heated", "resin", "rosin", "wax", "shatter", "budder", "distillate",
                 "trim", "biomass", "isolate", "food", "candy", "chocolate", "drink", "dried", "raw", "fresh"}
_MATRIX_LABELS = {"matrix", "sample matrix", "matrix type", "sample type", "product type", "type", "category",
                  "product category", "matrice", "matrix category"}


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


@dataclass(slots=True)
class _Cell:
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
    labels: list[tuple[str, str, int]] = field(default_factory=list)  # (field, value, rank) read inside the cell
    only: list[str] = field(default_factory=list)  # fields of a cell that is nothing but a label

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


@dataclass(order=True, slots=True)
class _Candidate:
    rank: int
    order: int
    value: str = field(compare=False)
    ocr: bool = field(default=False, compare=False)


# --- entry point -------------------------------------------------------------------


def read_metadata(pages: list[Page]) -> Metadata:
    """Header fields of a certificate (first pages first; labels, then geometry)."""
    cells = _cells(pages[:3])
    by_line = _lines_of(cells)
    found: dict[str, list[_Candidate]] = {}

    def add(name: str, value: str | None, rank: int, order: int, ocr: bool) -> None:
        if value is not None and _clean(value) is not None and fold(value) not in _EMPTY:
            found.setdefault(name, []).append(_Candidate(rank, order, value, ocr))

    order = 0
    for k, cell in enumerate(cells):
        order += 1
        page_rank = (cell.page - 1) * 10
        for name, value, rank in cell.labels:
            if name in ("product", "vendor"):
                value += _continuation(cell, by_line)
            add(name, value, rank * 100 + page_rank, order * 10, cell.ocr)
        if cell.only and not cell.labels:
            value_cell = _value_for(cell, cells, by_line)
            if value_cell is not None:
                below = 5 if value_cell.top > cell.bottom - 1 else 0  # a guess from geometry: after printed pairs
                for name, value in _zip_fields(cell, value_cell):
                    add(name, value, _bare_rank(name, cell) * 100 + page_rank + below, order * 10 + 1, cell.ocr)
        if k + 1 == len(cells) or (cells[k + 1].page, cells[k + 1].line) != (cell.page, cell.line):
            for name, value, rank in _split_pairs(by_line[(cell.page, cell.line)]):
                add(name, value, rank * 100 + (cell.page - 1) * 10, order * 10 + 2, cell.ocr)
    day_first = _day_first(cells)
    dates = {name: _first_date(found.get(name, []), day_first, last=name != "received") for name in DATE_FIELDS}
    vendor = _best_name(found.get("vendor", []))
    lab_name = _lab_name(found.get("lab", []), cells, by_line, vendor)
    if vendor is None:
        vendor = _block_vendor(cells, by_line, lab_name) or _titled_block_vendor(cells, by_line, lab_name)
    product = _best_name(found.get("product", []), skip_rank=2)
    if product is None:
        product = _matrix_title(cells, by_line, {lab_name, vendor})
    if product is None:
        product = _best_name(found.get("product", []))
    sample_id = _best_id(found.get("sample_id", []), keep_names=True)
    if product is None and sample_id is not None and _looks_like_name(sample_id):
        product = sample_id
    batch = _best_id(found.get("batch", [])) or _batch_under_product(cells, by_line, found.get("product", []))
    return Metadata(
        lab=Lab(lab_name, _accreditation(cells)),
        vendor=vendor,
        product=product,
        batch=batch,
        sample_id=sample_id,
        report_number=_best_id(found.get("report_number", []), report=True),
        dates=Dates(dates["received"], dates["tested"], dates["reported"]),
    )


# --- cells and labels ------------------------------------------------------------------


def _cells(pages: list[Page]) -> list[_Cell]:
    out: list[_Cell] = []
    for page in pages:
        for index, line in enumerate(page.lines):
            for part in line.cells:
                cell = _Cell(part.text, list(part.words), page.number, index, line.ocr)
                _read_labels(cell)
                out.append(cell)
    return out


def _lines_of(cells: list[_Cell]) -> dict[tuple[int, int], list[_Cell]]:
    by_line: dict[tuple[int, int], list[_Cell]] = {}
    for cell in cells:
        by_line.setdefault((cell.page, cell.line), []).append(cell)
    return by_line


@lru_cache(maxsize=16384)
def normalise_label(text: str) -> str:
    """``Batch No.:`` -> ``batch``; ``Sample ID #`` -> ``sample id``; ``Datum příjmu`` -> ``datum prijmu``."""
    text = re.sub(r"^[\W_]+", "", text)
    text = re.sub(r"(?i)\b(?:no|nr|num|number|čís|#)\b\.?|#|№", " ", text)
    words = fold(text).split()
    while words and words[-1] in ("no", "nr", "number", "num", "n", "c", "cislo"):
        words.pop()
    if len(words) > 2 and words[0] in _NUMBER_WORDS and words[1] in ("de", "of", "del", "du", "d"):
        words = words[2:]  # "Nº de lote", "Número de informe", "Number of sample"
    return " ".join(words)


_NUMBER_WORDS = {"no", "n", "nr", "num", "number", "numero", "cislo"}


@lru_cache(maxsize=16384)
def fields_of_label(text: str, loose: bool = True) -> tuple[tuple[str, int], ...]:
    """The (field, rank) pairs a label names (empty for unknown labels).

    Labels outside the vocabulary are read by their words: a date label names its event
    (``Lab Received Date``, ``Date/Time Analyzed``, ``Completed Date``; ``Order Date`` and
    ``Expiration Date`` name none), and ``Customer Lot`` or ``Product Batch`` is the batch
    unless it is the lab's own (``Lab Batch``, ``Analytical Batch``).
    """
    key = normalise_label(text)
    found = tuple(_FIELD_OF.get(key) or (_fields_by_words(key) if loose else ()))
    if found and all(name == "lab" for name, _rank in found) and _NUMBERED.search(text):
        return (("sample_id", 1),)  # "Labor-Nr.", "Nº de laboratorio": the lab's number of the sample
    return found


_NUMBERED = re.compile(r"(?i)(?:\b(?:no|nr|num|number|numero|número|čís|číslo|cislo)\b\.?|#|№|nº|n°)")


#: Date-label word stems -> (field, rank), tried in this order.
_DATE_STEMS = (("report", "reported", 0), ("issu", "reported", 0), ("receiv", "received", 0),
               ("receipt", "received", 0), ("intake", "received", 0), ("arriv", "received", 0),
               ("prijm", "received", 0), ("prijet", "received", 0), ("eingang", "received", 0),
               ("recep", "received", 0), ("emis", "reported", 0),
               ("rapport", "reported", 0), ("vystav", "reported", 0), ("ausstell", "reported", 0), ("complet", "reported", 1),
               ("approv", "reported", 1), ("releas", "reported", 1), ("finali", "reported", 1),
               ("bericht", "reported", 0), ("ausgabe", "reported", 0), ("freigabe", "reported", 0),
               ("erstell", "reported", 0), ("vydan", "reported", 0), ("vydani", "reported", 0),
               ("test", "tested", 0), ("analy", "tested", 0), ("anali", "tested", 0), ("assay", "tested", 0), ("zkous", "tested", 0),
               ("untersuch", "tested", 0), ("pruf", "tested", 0), ("pruef", "tested", 0), ("ensay", "tested", 0))
_DATE_WORDS = {"date", "datum", "time", "dt", "on", "dne", "fecha", "period", "zeitraum"}
#: German compounds end in their date word (``Analysedatum``, ``Prüfzeitraum``): split before looking up stems.
_DATE_COMPOUND = re.compile(r"^(\w{3,}?)s?(datum|zeitraum)$")
_NOT_PRODUCT_BATCH = {"lab", "laboratory", "analytical", "analysis", "qc", "prep", "preparation", "extraction",
                      "instrument", "method", "test", "testing", "sequence", "run", "date", "size", "weight",
                      "reviewed", "volume", "wgt", "total", "number", "units", "count"}


def _split_compound(word: str) -> tuple[str, ...]:
    m = _DATE_COMPOUND.match(word)
    return (m[1], m[2]) if m is not None else (word,)


def _fields_by_words(key: str) -> list[tuple[str, int]]:
    words = key.split()
    if not words or len(words) > 5 or re.search(r"\d", key):
        return []
    words = [part for w in words for part in _split_compound(w)]
    if any(w in _DATE_WORDS for w in words):
        for stem, name, rank in _DATE_STEMS:
            if any(w.startswith(stem) for w in words):
                return [(name, rank)]
        return []
    tail = words[-2] if len(words) > 1 and words[-1] in ("id", "code") else words[-1]
    if tail in ("batch", "lot") and len(words) > 1 and not any(w in _NOT_PRODUCT_BATCH for w in words):
        return [("batch", 1)]
    return []


_SEP = re.compile(r"\s*(?::|#\s*:?|\b(?:No|Nr|ID)\.?\s*:|\bNo\.|\s\.{3,}|…+)\s*")


def _read_labels(cell: _Cell) -> None:
    """Fill ``cell.labels`` (``Label: value`` pairs) and ``cell.only`` (a bare label)."""
    text = cell.text.strip()
    bare = re.sub(r"\s*(?::|#|No\.?|Nr\.?)\s*$", "", text)
    if bare != text or ":" not in text:
        names = _label_fields(bare)
        if names:
            cell.only = names
            return
    for part in re.split(r"\s*[;|]\s*", text):
        cell.labels.extend(_pairs(part))
    if not cell.labels:
        cell.labels.extend(_bare_prefix(text))


def _split_pairs(row: list[_Cell]) -> list[tuple[str, str, int]]:
    """``Label: value`` pairs whose label the line's cells cut apart (``SAMPLE | ID: 267805``)."""
    if len(row) < 2:
        return []
    text = ""
    bounds: list[int] = []
    for cell in row:
        text += ("" if not text else " ") + cell.text
        bounds.append(len(text))
    out: list[tuple[str, str, int]] = []
    for part_start, part in _pieces(text):
        for m in _SEP.finditer(part):
            start = _label_start(part, m.start())
            if start is None:
                continue
            a, b = part_start + start, part_start + m.start() + len(m.group().rstrip())
            if _cell_index(bounds, a) == _cell_index(bounds, max(a, b - 1)) or len(text[a:b].split()) > 3:
                continue
            names = fields_of_label(part[start:m.start()])
            rest = part[m.end():]
            nxt = next((n for n in _SEP.finditer(rest) if _label_start(rest, n.start()) is not None), None)
            value = rest[:_label_start(rest, nxt.start()) if nxt is not None else len(rest)]
            out.extend((name, value.strip(" ,;"), rank) for name, rank in names)
    return out


def _pieces(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    for piece in re.split(r"([;|])", text):
        if piece not in (";", "|"):
            out.append((pos, piece))
        pos += len(piece)
    return out


def _cell_index(bounds: list[int], pos: int) -> int:
    return next((k for k, end in enumerate(bounds) if pos < end), len(bounds))


def _continuation(cell: _Cell, by_line: dict[tuple[int, int], list[_Cell]]) -> str:
    """A name wrapped onto the next line under its label (``Order Name: Cresco Budder 1g - Buddha's`` / ``Hand``)."""
    for other in by_line.get((cell.page, cell.line + 1), []):
        if abs(other.x0 - cell.x0) <= 3 and other.top - cell.bottom <= 0.6 * cell.size \
                and not (other.only or other.labels or _labelish(other.text)) \
                and re.fullmatch(r"[^\W\d][\w'’.&-]*(?: [^\W\d][\w'’.&-]*){0,2}", other.text):
            return " " + other.text
    return ""


def _label_fields(label: str) -> list[str]:
    """Fields of a label, including ``COLLECTED, RECEIVED`` lists (one field per item)."""
    direct = [name for name, _rank in fields_of_label(label)]
    if direct:
        return direct
    if "," in label:
        parts = [fields_of_label(p) for p in label.split(",")]
        if any(parts) and len(parts) <= 4:
            return [",".join(name for name, _ in p) or "-" for p in parts]
    return []


def _pairs(part: str) -> list[tuple[str, str, int]]:
    """``Label: value`` pairs of one piece of text (a later label ends the value before it)."""
    marks: list[tuple[int, int, tuple[tuple[str, int], ...]]] = []  # (label start, value start, fields)
    for m in _SEP.finditer(part):
        start = _label_start(part, m.start())
        if start is None:
            continue
        label = part[start:m.start()]
        names = fields_of_label(label)
        if not names and "," in label:
            continue
        marks.append((start, m.end(), names))
    out: list[tuple[str, str, int]] = []
    for k, (start, value_start, names) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(part)
        value = part[value_start:end].strip(" ,;")
        aside = 1 if part[:start].strip() and part[start].islower() else 0  # "... by the client: see below"
        out.extend((name, value, rank + aside) for name, rank in names)
    return out


def _label_start(text: str, sep: int) -> int | None:
    """Where the label that ends at ``sep`` starts: the longest known label, else capitalised words."""
    head = text[:sep]
    words = list(re.finditer(r"\S+", head))
    if not words:
        return None
    for n in range(min(6, len(words)), 0, -1):
        start = words[-n].start()
        if fields_of_label(head[start:], loose=False):
            if n == len(words) or not _continues_label(words[-n - 1].group()):
                return start
    first: int | None = None
    for w in reversed(words[-4:]):
        token = w.group()
        if not re.match(r"^[A-ZÀ-Ž(][\w()/.'-]*$", token) or re.search(r"\d", token):
            break
        first = w.start()
    return first


def _continues_label(word: str) -> bool:
    """True when ``word`` before a label belongs to it (``Lab`` in ``Lab Batch #``)."""
    return bool(re.match(r"^[A-ZÀ-Ž][\w/'-]*$", word)) and not word.endswith((",", ";", ":"))


def _bare_prefix(text: str) -> list[tuple[str, str, int]]:
    """``REPORT DATE 1/15/2025``, ``LAB ID 55005529``: a multi-word or upper-case label, a value with a digit."""
    words = text.split()
    for n in range(min(5, len(words) - 1), 0, -1):
        label = " ".join(words[:n])
        names = fields_of_label(label)
        rest = " ".join(words[n:])
        if names and (n > 1 or label.isupper()) and re.search(r"\d", rest) and not label.islower():
            if n == 1 and not label.isupper():
                continue
            return [(name, rest, rank) for name, rank in names]
    return []


def _bare_rank(name: str, cell: _Cell) -> int:
    """The rank of ``name`` in a bare label cell (each item of a ``COLLECTED, RECEIVED`` list)."""
    ranks = [r for part in [cell.text, *cell.text.split(",")] for f, r in fields_of_label(part) if f == name]
    return min(ranks) if ranks else 0


# --- values of bare labels: right, below ------------------------------------------------


def _value_for(label: _Cell, cells: list[_Cell], by_line: dict[tuple[int, int], list[_Cell]]) -> _Cell | None:
    """The value of a bare label: the next cell on its visual row, else the words below it."""
    right = _right_of(label, cells)
    below = _below(label, cells, by_line)
    if right is not None and (below is None or right.x0 - label.x1 <= 3 * label.size
                              or below.top - label.bottom > 1.2 * label.size
                              or label.ocr and right.line == label.line and label.text.rstrip().endswith(":")
                              and all(_fits(name, right.text) for name in label.only)):
        return right
    if below is not None:
        return below
    return right


def _fits(name: str, text: str) -> bool:
    """True when ``text`` has the shape of field ``name``: a date, a code with a digit, a name with letters."""
    if name in DATE_FIELDS:
        return bool(_find_dates(text, False))
    if name in ID_FIELDS:
        return bool(re.search(r"\d", text))
    return bool(re.search(r"[^\W\d_]{3}", text)) and sum(ch.isdigit() for ch in text) * 2 < len(text)


def _right_of(label: _Cell, cells: list[_Cell]) -> _Cell | None:
    best: _Cell | None = None
    limit = min(160.0, 16 * label.size)
    tolerance = 0.5 * max(label.bottom - label.top, label.size)
    for cell in cells:
        if cell.page != label.page or cell is label or cell.x0 < label.x1 - 1:
            continue
        if abs(cell.mid_y - label.mid_y) > tolerance or cell.x0 - label.x1 > limit:
            continue
        if best is None or cell.x0 < best.x0:
            best = cell
    if best is None or best.only or best.labels or _labelish(best.text):
        return None
    if not _has_separator(label.text) and any(c.only and not _has_separator(c.text) and c is not label
                                              and c.page == label.page and c.line == label.line for c in cells):
        return None  # a row of column headers ("Batch | Matrix | Date Tested") takes its values from below
    return best


def _below(label: _Cell, cells: list[_Cell], by_line: dict[tuple[int, int], list[_Cell]]) -> _Cell | None:
    """Words under ``label`` that sit nearer to it than to any other bare label (a column of values)."""
    rivals = [c for c in cells if c.page == label.page and c.only and c is not label
              and abs(c.mid_y - label.mid_y) < 3 * label.size]
    lines = sorted({(c.page, c.line) for c in cells if c.page == label.page and c.top > label.mid_y},
                   key=lambda k: min(c.top for c in by_line[k]))
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
            if label not in owners:
                continue
            if cell.only or cell.labels or _labelish(cell.text):
                stop = True
                break
            if all(o is label or o is None for o in owners):
                mine.extend(w for k, w in enumerate(cell.words) if owners[k] is label or k > owners.index(label))
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
    cell = _Cell(_join_rows([" ".join(w.text for w in row) for row in taken], label.only), words,
                 label.page, label.line, label.ocr)
    return cell


def _owner(w: Word, label: _Cell, rivals: list[_Cell]) -> _Cell | None:
    """The bare label nearest (horizontally) to a word below it; None when none is near."""
    mid = (w.x0 + w.x1) / 2
    best: _Cell | None = None
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
        elif any(n in DATE_FIELDS for n in ",".join(names).split(",")) and _find_dates(out, False) == []:
            out += " " + row
        elif re.search(r"(?:^|\s)\d{3,6}$", out) and re.fullmatch(r"\d{3,6}(?:\s\d{3,6})*", row):
            out += " " + row  # "8474 5221 8191" / "0310"
        else:
            break
    return out


def _zip_fields(label: _Cell, value: _Cell) -> list[tuple[str, str]]:
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


# --- choosing values -------------------------------------------------------------------


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip(" ,;:|_")
    return value or None


def _best_name(cands: list[_Candidate], skip_rank: int | None = None) -> str | None:
    for cand in sorted(cands):
        if skip_rank is not None and cand.rank // 100 >= skip_rank:
            continue
        value = _name_value(_ocr_name(cand.value) if cand.ocr else cand.value)
        if value is not None:
            return value
    return None


def _name_value(value: str) -> str | None:
    """A name as printed: without a leading date, phone or e-mail fragments."""
    parts = [p for p in re.split(r"\s+\|\s+|\s{3,}", value) if p.strip()]
    parts = [p for p in parts if not _find_dates(p, False) or re.search(r"[A-Za-z]{4,}", _strip_dates(p))]
    if not parts:
        return None
    text = _clean(_strip_dates(parts[0]) if _find_dates(parts[0], False) else parts[0])
    if text is not None:
        text = re.sub(r"\b((?:Inc|LLC|Corp|Ltd|Co)\.?)\s+[A-Z]{2}$", r"\1", text)  # "Regalabs, Inc FL"
    if text is None or fold(text) in _EMPTY or not re.search(r"[^\W\d_]", text):
        return None
    return text


def _strip_dates(text: str) -> str:
    for pattern in _DATE_PATTERNS:
        text = pattern.sub(" ", text)
    return text


_ID = re.compile(r"[A-Za-z0-9][\w./:#-]*[\w]|[A-Za-z0-9]")


def _best_id(cands: list[_Candidate], keep_names: bool = False, report: bool = False) -> str | None:
    for cand in sorted(cands):
        value = _id_value(_ocr_digits(cand.value) if cand.ocr else cand.value, keep_names, report)
        if value is not None:
            return value
    return None


def _id_value(value: str, keep_names: bool = False, report: bool = False) -> str | None:
    """An identifier as printed: its first token, digit groups kept together (``8474 5221 8191``)."""
    value = re.split(r"\s*[;|]\s*|\s{3,}", value.strip())[0].strip(" #:.,")
    if report:
        value = value.split("(")[0].strip()
    if not value or fold(value) in _EMPTY:
        return None
    if keep_names and _looks_like_name(value):
        return _clean(value)
    tokens = value.split()
    m = _ID.match(tokens[0])
    if m is None:
        return None
    out = m.group()
    k = 1
    if re.fullmatch(r"[A-Za-z]{1,4}", out) and re.search(r"[A-Z]", out) and k < len(tokens) \
            and re.match(r"\d", tokens[k]):
        out += " " + tokens[k]  # a letter prefix apart from its number: "ML 63/26"
        k += 1
    while k < len(tokens) and re.fullmatch(r"\d{3,6}", tokens[k]) and re.fullmatch(r"\d{3,6}", tokens[k - 1]):
        out += " " + tokens[k]  # digit groups: "8474 5221 8191 0310"
        k += 1
    if not re.search(r"\d", out) or re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", out):
        return None  # no digit, or a time of day
    if any(pos == 0 for pos, _d in _find_dates(out, False)) and re.fullmatch(r"[\d./-]+", out):
        return None  # a date, not a code
    return out


def _ocr_digits(value: str) -> str:
    """OCR's letters for digits inside codes: ``AAFTOI6`` -> ``AAFT016`` (O, I, l next to digits)."""
    def fix(m: re.Match[str]) -> str:
        token = m.group()
        for _ in range(3):
            token = re.sub(r"(?<=\d)[OoIl]|[OoIl](?=\d)", lambda c: "0" if c.group() in "Oo" else "1", token)
        return token

    value = re.sub(r"(?<![\w$§])[$§](?=\d)", "S", value)
    return re.sub(r"\S*\d\S*", fix, value)


_ABBREVIATIONS = {"inc", "co", "ltd", "corp", "st", "dr", "mr", "mrs", "ms", "jr", "sr", "no", "mt", "ft", "llc"}


def _ocr_name(value: str) -> str:
    """Speckle that OCR reads as punctuation inside a name: ``White Borneo. Kratom``, ``Red ‘Horn``."""
    value = re.sub(r"[‘’“”`´]", "", value)

    def dot(m: re.Match[str]) -> str:
        return m.group(1) if m.group(1).lower() not in _ABBREVIATIONS else m.group()

    value = re.sub(r"\b([^\W\d_]{2,})[.,](?=\s+[^\W\d_])", dot, value)
    value = re.sub(r"(?<=[^\W\d_]{3})[.:;,'](?=[A-Z][a-z]{2}|\d)", " ", value)  # "Green.Malay", "Capsules'500"
    value = re.sub(r"(?<=\d)\.(?=[a-z]{1,2}\b)", " ", value)  # "500.mg"
    value = re.sub(r"(?<=\s)[-–—.,:;'](?=[A-Z][a-z])", "", value)  # "Emerald -Mitra"
    return re.sub(r"\b([^\W\d_]{3,})[.:;,]$", dot, value)  # "Kratom Powder." (not "Co.")


def _looks_like_name(value: str) -> bool:
    """``Tincture 1000 mg``: words of letters, not a code."""
    words = value.split()
    return len(words) >= 2 and sum(1 for w in words if re.fullmatch(r"[^\W\d_][^\W\d_'.-]+", w)) >= 1 \
        and not re.search(r"\d{5,}", value)


# --- lab -----------------------------------------------------------------------------------


#: ``Laboratory Director`` read as ``Laboratory: Director``: a person's title is no lab's name.
_JOB_TITLES = {"director", "manager", "supervisor", "analyst", "chemist", "technician", "officer", "reviewer",
               "signatory", "head", "leiter", "leiterin", "vedouci", "reditel", "jefe", "directora", "responsable"}


def _lab_name(labelled: list[_Candidate], cells: list[_Cell], by_line: dict[tuple[int, int], list[_Cell]],
              vendor: str | None) -> str | None:
    value = _best_name([c for c in labelled if not set(fold(c.value).split()) & _JOB_TITLES])
    if value is not None and fold(value) != fold(vendor or ""):
        return value
    phrases = _lab_phrases(cells)
    vendor_key = fold(vendor or "")
    scored: dict[str, list[tuple[int, str, _Cell]]] = {}
    for k, (phrase, cell) in enumerate(phrases):
        key = fold(_COMPANY_TAIL.sub("", phrase))
        if vendor_key and (key in vendor_key or vendor_key in key):
            continue
        scored.setdefault(key, []).append((k, phrase, cell))
    if scored:
        def score(item: tuple[str, list[tuple[int, str, _Cell]]]) -> tuple[float, int]:
            hits = item[1]
            first = hits[0][2]
            top = 1.0 if first.page == 1 and first.top < 150 else 0.0
            return (len(hits) + top + 0.5 * any(_is_block_name(h[2], by_line) for h in hits), -hits[0][0])

        _key, hits = max(scored.items(), key=score)
        for _k, phrase, cell in hits:
            if _is_block_name(cell, by_line) and fold(cell.text).startswith(fold(phrase)):
                return _clean(cell.text)
        return max(hits, key=lambda h: (len(h[1]), -h[0]))[1]
    for cell in cells[:60]:
        text = cell.text
        if re.search(r"laborato[rř]", text, re.IGNORECASE) and len(text) < 80 and not cell.labels and \
                re.match(r"^[A-ZÀ-Ž]", text):
            return text.strip()
    return _url_name(cells, vendor)


def _lab_phrases(cells: list[_Cell]) -> list[tuple[str, _Cell]]:
    """Lab-like names in the text: ``Badger Labs``, ``ACT Laboratories (FL)``, ``Laboratoř Botanica Praha s.r.o.``."""
    out: list[tuple[str, _Cell]] = []
    for cell in cells:
        tokens = cell.text.split()
        i = 0
        while i < len(tokens):
            j = i
            while j < len(tokens) and _name_token(tokens[j], j == i):
                j += 1
            if j > i:
                phrase = _phrase_in(tokens[i:j], tokens[j:])
                if phrase is not None:
                    out.append((phrase, cell))
                i = j
            else:
                i += 1
    return out


def _name_token(token: str, first: bool) -> bool:
    if token.lower() in ("&", "and", "of", "a", "und", "für", "de") and not first:
        return True
    return bool(re.match(r"^[A-ZÀ-Ž][\w&.'’-]*,?$", token)) and not re.search(r"\d", token)


def _lab_word(word: str) -> bool:
    """``Labs``, ``Laboratories``, ``Analytics`` and compounds such as ``BioAnalytics``, ``Biolab``."""
    return word in _LAB_WORDS or word.endswith(("analytics", "labs", "laboratories", "laboratory")) \
        or (word.endswith("lab") and len(word) > 5)


def _lab_compound(word: str) -> bool:
    """A name word built on *lab* (``Phytolab``, ``Biolab``, ``LabTech``), not the word *Lab* itself."""
    low = fold(word)
    return (low.endswith("lab") and len(low) > 5) or (low.endswith("labs") and len(low) > 6) \
        or bool(re.match(r"^Lab[A-Z][a-z]{2,}$", word))


_LAB_TAILS = {"services", "group", "solutions", "sciences", "institute", "center", "centre", "corporation",
              "company", "international", "usa", "us"}


def _phrase_in(run: list[str], after: list[str]) -> str | None:
    words = [t.rstrip(",;:") if fold(t) not in _ABBREVIATIONS else t for t in run]
    words = [w.rstrip(".") if _lab_word(fold(w)) else w for w in words]
    low = [fold(w) for w in words]
    heads = [k for k, w in enumerate(low) if w in _LAB_HEADS]
    ends = [k for k, w in enumerate(low) if _lab_word(w)]
    while ends and ends[-1] + 1 < len(low) and low[ends[-1] + 1] in _LAB_TAILS:
        ends.append(ends[-1] + 1)  # "Northstar Analytical Services"
    if heads and heads[0] == 0 and len(words) > 1 and not any(_lab_word(w) and w not in _LAB_HEADS for w in low[1:]):
        phrase = " ".join(words)
        tail = " ".join(after)
    elif _lab_compound(words[0]) and not any(_lab_word(w) for w in low[1:]) and (
            _COMPANY_TAIL.search(" ".join(words)) or _COMPANY.match(" ".join(after))):
        phrase = " ".join(words)  # "Phytolab Süd GmbH", "LabTech Olomouc s.r.o.": a company named by its lab word
        tail = " ".join(after)
        if _COMPANY_TAIL.search(phrase):
            return phrase.strip(" ,")
    elif ends:
        end = ends[-1]
        start = 0
        while start < end and low[start] in ("the", "this", "a", "an", "by", "from", "at", "certificate"):
            start += 1
        core = low[start:end]
        if not core or all(w in _GENERIC for w in core) and not (end + 2 < len(low) and low[end + 1] in ("of", "de")):
            return None
        stop = end + 1
        if stop + 1 < len(words) and low[stop] in ("of", "de") and low[stop + 1] not in _GENERIC:
            stop = len(words)  # "Quality Labs of Texas"
            core = core + low[end + 1:]
            if all(w in _GENERIC for w in core):
                return None
        phrase = " ".join(words[start:stop])
        tail = " ".join(run[stop:] + after)
        if run[stop - 1].endswith(","):
            tail = ", " + tail
    else:
        return None
    m = _COMPANY.match(tail)
    if m is not None:
        sep = "" if m.group().startswith(",") else " "
        phrase += sep + m.group().strip() if not m.group().startswith(",") else m.group().rstrip()
    return phrase.strip(" ,")


def _url_name(cells: list[_Cell], vendor: str | None) -> str | None:
    """The lab named by its web address (``www.cannalysis.com`` -> ``Cannalysis``, ``acslab`` -> ``ACS Lab``)."""
    skip = {fold(p) for p in (vendor or "").split()}
    for cell in cells:
        for m in _URL.finditer(cell.text):
            name = m.group(1).lower()
            if "@" in cell.text[max(0, m.start() - 1):m.start() + 1] or fold(name) in skip:
                continue
            words = re.fullmatch(r"([a-z]{2,}?)-?(laboratories|laboratory|labs|lab|analytics|testing)", name)
            if words is None:
                return name.replace("-", " ").title()
            head = words[1].upper() if len(words[1]) <= 4 else words[1].title()
            return f"{head} {words[2].title()}"
    return None


def _accreditation(cells: list[_Cell]) -> str | None:
    for cell in cells[:200]:
        m = _ACCREDITATION.search(cell.text)
        if m is not None:
            return m[1].strip()
    return None


# --- address blocks, vendor, product -------------------------------------------------


def _is_address(text: str) -> bool:
    return bool(_STREET.search(text) or _CITY.search(text) or _EU_STREET.match(text))


def _has_separator(text: str) -> bool:
    return bool(re.search(r"(?::|#|\bNo\.?|\bNr\.?)\s*$", text.strip()))


def _labelish(text: str) -> bool:
    """``Total Qty.: 0``, ``Sampling Notes:``: some label of a key/value pair, known or not."""
    return bool(re.match(r"^[^\W\d][^:]{0,30}:(?:\s|$)", text))


def _is_contact(text: str) -> bool:
    return bool(_CONTACT.search(text))


def _column_above(cell: _Cell, by_line: dict[tuple[int, int], list[_Cell]], reach: int = 6) -> list[_Cell]:
    """Cells above ``cell`` in its column (left or right edge aligned), nearest first."""
    out: list[_Cell] = []
    for line in range(cell.line - 1, max(-1, cell.line - 1 - reach), -1):
        for other in by_line.get((cell.page, line), []):
            if abs(other.x0 - cell.x0) <= 6 or abs(other.x1 - cell.x1) <= 3:
                out.append(other)
                break
    return out


def _is_value(cell: _Cell, by_line: dict[tuple[int, int], list[_Cell]]) -> bool:
    """True when the cell to the left on its line is a label (``Contact Info: | Darren``)."""
    row = by_line.get((cell.page, cell.line), [])
    left = [c for c in row if c.x1 <= cell.x0 + 1]
    return bool(left) and (bool(left[-1].only) or _has_separator(left[-1].text))


def _is_block_name(cell: _Cell, by_line: dict[tuple[int, int], list[_Cell]]) -> bool:
    """True when an address or contact line follows ``cell`` in its column."""
    for line in range(cell.line + 1, cell.line + 4):
        for other in by_line.get((cell.page, line), []):
            if abs(other.x0 - cell.x0) <= 6 or abs(other.x1 - cell.x1) <= 3:
                if other.top - cell.bottom > 3 * cell.size:
                    return False
                if _is_address(other.text):
                    return True
                if not (other.labels or other.only or _is_contact(other.text)):
                    return False
    return False


def _block_vendor(cells: list[_Cell], by_line: dict[tuple[int, int], list[_Cell]], lab: str | None) -> str | None:
    """The name line of the first address block near the top of page 1 that is not the lab's."""
    lab_key = fold(lab or "")
    for cell in cells:
        if cell.page != 1 or cell.top > 400 or not _is_address(cell.text) or cell.labels:
            continue
        name = None
        for above in _column_above(cell, by_line):
            if above.top < cell.top - 6 * cell.size:
                break
            if above.only or above.labels or _is_contact(above.text) or _is_address(above.text):
                continue
            name = above
            break
        if name is None:
            continue
        text = _name_value(name.text)
        if text is None or (lab_key and (fold(text) in lab_key or lab_key in fold(text))):
            continue
        if any(w in _LAB_WORDS for w in fold(text).split()) and lab is None:
            continue
        if len(text) > 60 or re.search(r"certificate|analysis|report", text, re.IGNORECASE):
            continue
        return text
    return None


_HEADING_WORDS = {"information", "info", "details", "summary", "sample", "samples", "results", "result", "certificate",
                  "analysis", "report", "order", "client", "customer", "batch", "product", "test", "tests",
                  "testing", "compliance", "laboratory", "lab", "page", "data", "overview", "profile", "panel",
                  "potency", "safety", "contact", "address", "approved", "signature", "notes", "comments"}


def _titled_block_vendor(cells: list[_Cell], by_line: dict[tuple[int, int], list[_Cell]],
                         lab: str | None) -> str | None:
    """A short name heading a block of ``Label: value`` lines near the top of page 1 (``One Plant`` /
    ``Order #: 70897`` / ``Retail Batch #: ...``), when no label or address names the client."""
    lab_key = fold(lab or "")
    for cell in cells:
        if cell.page != 1 or cell.top > 250:
            continue
        if cell.only or cell.labels or _labelish(cell.text) or _is_contact(cell.text) or _is_address(cell.text):
            continue
        words = fold(cell.text).split()
        if not 1 <= len(words) <= 5 or re.search(r"\d|:", cell.text) or any(w in _HEADING_WORDS for w in words):
            continue
        if lab_key and (fold(cell.text) in lab_key or lab_key in fold(cell.text)):
            continue
        below = [o for line in (cell.line + 1, cell.line + 2) for o in by_line.get((cell.page, line), [])
                 if abs(o.x0 - cell.x0) <= 3 and o.top - cell.bottom <= 1.5 * cell.size]
        if below and (below[0].labels or (below[0].only and _has_separator(below[0].text))):
            return _name_value(cell.text)
    return None


def _is_matrix(cell: _Cell) -> bool:
    if cell.only and any(n == "matrix" for n in cell.only):
        return True
    head = normalise_label(cell.text.split(":")[0])
    if ":" in cell.text and (head in _MATRIX_LABELS or head.endswith(" matrix")):
        return True
    words = [w for w in fold(cell.text).split() if w]
    return bool(words) and not cell.labels and all(w in _MATRIX_WORDS for w in words) and len(words) <= 6 \
        and not re.search(r"\d", cell.text)


def _matrix_title(cells: list[_Cell], by_line: dict[tuple[int, int], list[_Cell]],
                  known: set[str | None]) -> str | None:
    """The unlabelled title printed above the sample's matrix line, in the same column."""
    skip = {fold(k) for k in known if k}
    for cell in cells:
        if cell.page != 1 or cell.top > 350 or not _is_matrix(cell):
            continue
        title: _Cell | None = None
        prev = cell
        for above in _column_above(cell, by_line, reach=4):
            if prev.top - above.top > 2.0 * prev.size + 0.5:
                break
            if above.only or above.labels or _labelish(above.text) or _is_contact(above.text) \
                    or _is_address(above.text) or _is_value(above, by_line) \
                    or _is_matrix(above) or fold(above.text) in skip:
                break
            title = prev = above
        if title is not None:
            text = _name_value(title.text)
            if text is not None and not re.search(r"certificate of analysis", text, re.IGNORECASE):
                return text
    return None


def _batch_under_product(cells: list[_Cell], by_line: dict[tuple[int, int], list[_Cell]],
                         products: list[_Candidate]) -> str | None:
    """An unlabelled code printed under a labelled product name (``L08202504``) is the batch."""
    for cell in cells:
        if not any(name == "product" for name, _v, _r in cell.labels) and "product" not in cell.only:
            continue
        for line in (cell.line + 1, cell.line + 2):
            for other in by_line.get((cell.page, line), []):
                m = re.fullmatch(r"(?:č\.\s?š\.\s*)?([A-Z]{0,4}\d[\w./-]{4,})", other.text.strip())
                if m is not None and other.x0 <= cell.x1 + 200 and other.top - cell.bottom < 3 * cell.size:
                    return m[1]
    return None


# --- dates -----------------------------------------------------------------------------------

_MONTH_NAMES = (
    "january jan januar janvier enero leden ledna janner jaenner janv ene",
    "february feb februar fevrier febrero unor unora feber fevr",
    "march mar marz maerz mars marzo brezen brezna mrz",
    "april apr avril abril duben dubna avr abr",
    "may mai mayo kveten kvetna",
    "june jun juni juin junio cerven cervna",
    "july jul juli juillet julio cervenec cervence juil",
    "august aug aout agosto srpen srpna ago",
    "september sep sept septembre septiembre setiembre zari",
    "october oct oktober octobre octubre okt rijen rijna",
    "november nov novembre noviembre listopad listopadu",
    "december dec dezember decembre diciembre dez prosinec prosince dic")
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
_MONTH = r"([A-Za-zÀ-ž]{3,10})\.?"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),  # ISO
    re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?![\d])"),  # 16.1.2026
    re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])"),  # 01/17/2024
    re.compile(r"(?<![\d-])(\d{1,2})-(\d{1,2})-(\d{4})(?![\d])"),  # 17-01-2024
    re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er)?(?:[\s.-]+|\s+de\s+)" + _MONTH
               + r"(?:[\s,.-]+|\s+del?\s+)(\d{4}|\d{2})(?![\d])"),  # 5 Nov 2021, 17 de enero de 2024
    re.compile(_MONTH + r"[\s.,]*\s(\d{1,2})(?!\d)(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)"),  # January 17, 2024
    re.compile(_MONTH + r"[\s.,]*(\d{1,2})(?!\d)(?:st|nd|rd|th)?[\s,.;:]+(\d{4})(?!\d)"),  # OCR: April 14,2023
)


def _year(text: str) -> int:
    y = int(text)
    return y + (2000 if y < 70 else 1900) if y < 100 else y


def _find_dates(text: str, day_first: bool) -> list[tuple[int, date]]:
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
    found = _find_dates(text, day_first)
    if not found:
        return None
    return (found[-1] if last else found[0])[1].isoformat()


def _first_date(cands: list[_Candidate], day_first: bool, last: bool) -> str | None:
    for cand in sorted(cands):
        iso = to_iso(cand.value, day_first, last)
        if iso is not None:
            return iso
    return None


def _day_first(cells: Iterable[_Cell]) -> bool:
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

