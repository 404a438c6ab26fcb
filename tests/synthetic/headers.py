"""Four families whose *headers* differ from everything the parser was tuned on (written
without reading ``parsers/metadata.py``, to measure how its metadata reading generalises).

The results tables are plain ruled grids (:func:`tests.synthetic.draw.grid_table`): these
families test the certificate's header, not its tables.

``kvgrid``
    a key/value grid with two label/value pairs per line, labels in bold *without colons*
    (told apart from values only by font weight), values far to the right of their labels
    (right-aligned at the end of each half), ``Client Address`` on the line after the
    client, a footnote mark after a label (``Lot Number +``), neighbours that are not
    fields (Matrix, Phone, Condition); the lab named only in the header or only in the
    footer with its web domain.
``formbox``
    a ruled form: each box has a small label on top and its value *below*; long labels
    are split over two lines (``Date Sample`` / ``Received``); a ``LABORATORY`` heading
    box; the signature block names the ``Laboratory Director``.
``parties``
    party blocks side by side: a heading (``DISTRIBUTOR``, ``Client Info``, ``CUSTOMER``)
    over generic sub-labels (``Business Name``, ``Address``, ``License #``) or over an
    unlabelled name-and-address block; the lab's own block under ``LABORATORY``; the
    report number only inside the title (``Test Report No. TR-24-0001``); product and lot
    in one value (``Sample: Red Vein Powder (Batch RV/24/101)``); a prefixed lab sample
    id (``TRACK Sample ID:``) beside the customer's own (``Customer Sample ID:``); verbs
    in date labels (``Report Submitted:``); a method note ``* Analyzed by Plating``.
``bilingual``
    German/English, Spanish/English or French/English labels (``Kunde / Customer:``),
    local dates, a lab name with no "lab" word printed in the header and again in the
    footer with its mail domain and an accreditation number.
``sidebar``
    written after the parser was changed for the four above, to measure it afresh: metadata
    in a left sidebar (small capitals over values, long values wrapped), a customer's own
    reference, the lab named only in the signature block ("For and on behalf of X").
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, timedelta

from tests.synthetic import draw, wild
from tests.synthetic.draw import FONT, Pen
from tests.synthetic.model import Sample
from tests.synthetic.wild import _put, _width

#: Issuers; several carry no "lab" word at all.
LABS = (
    ("Northwind Scientific", "ISO/IEC 17025:2017 Accreditation #104512"),
    ("Alder & Finch Analytical", None),
    ("Quillmark Sciences Inc.", "A2LA Cert. No. 7781.01"),
    ("Tidewater Testing Services", "PJLA Accreditation #L24-301"),
    ("Copperline Labs LLC", None),
    ("Granite Peak Assay Co.", "ANAB AT-2290"),
)
BILINGUAL_LABS = {
    "de": (
        ("Hanseatic Scientific GmbH", "DAkkS D-PL-21877-01-00"),
        ("Alpenblick Qualitätsprüfung AG", None),
    ),
    "es": (("Ensayos Costa Verde S.L.", "ENAC 1402/LE2711"),),
    "fr": (("Analyses Bretagne Nord SAS", "COFRAC 1-6612"),),
}
VENDORS = (
    "Sapphire Leaf Trading LLC",
    "Mekong Botanicals Inc.",
    "Indigo Vein Supply Co.",
    "Riverstone Herbals LLC",
    "Palm Coast Kratom Company",
    "Black Orchid Wellness LLC",
)
BILINGUAL_VENDORS = {
    "de": ("Kräutergarten Süd GmbH", "Blattwerk Handel KG"),
    "es": ("Herbolario Levante S.L.",),
    "fr": ("Herboristerie du Port SARL",),
}
PRODUCTS = (
    "Red Vein Powder",
    "Green Maeng Da Capsules",
    "White Borneo Crushed Leaf",
    "Gold Bali Powder 250 g",
    "Red Thai Tablets",
    "Super Green Malay Powder",
)
STREETS = ("1180 Commerce Dr", "77 Harbor Way, Unit 3", "4021 Old Mill Rd", "9 Lakeside Pkwy")
CITIES = ("Tampa, FL 33602", "Austin, TX 78701", "Boise, ID 83702", "Asheville, NC 28801")

#: Labels of the English families: no colons (the drawing adds one where a family uses them).
LABELS = {
    "vendor": (
        "Client",
        "Customer",
        "Client Name",
        "Customer Name",
        "Submitted By",
        "Requested By",
    ),
    "product": ("Product", "Sample Name", "Product Description", "Item", "Sample Description"),
    "batch": ("Batch", "Lot Number", "Lot #", "Batch ID", "Production Lot", "Batch/Lot"),
    "sample_id": ("Sample ID", "Lab Sample ID", "Laboratory No.", "Accession #", "Lab ID"),
    "report_number": ("Report No.", "Report ID", "Certificate No.", "COA Number", "Report Number"),
    "received": (
        "Sample Received",
        "Date Received",
        "Received Date",
        "Arrival Date",
        "Date Sample Received",
    ),
    "tested": (
        "Date Tested",
        "Analysis Date",
        "Tested On",
        "Analysis Completed",
        "Date of Analysis",
    ),
    "reported": (
        "Report Date",
        "Date Reported",
        "Report Submitted",
        "Issued",
        "Date of Issue",
        "Report Generated",
    ),
}
#: (local / English) label pairs of the bilingual family.
BILINGUAL = {
    "de": {
        "vendor": ("Kunde / Customer", "Auftraggeber / Client"),
        "product": ("Probenbezeichnung / Sample description", "Produkt / Product"),
        "batch": ("Charge / Batch", "Chargennummer / Lot number"),
        "sample_id": ("Labornummer / Lab No.", "Proben-Nr. / Sample No."),
        "report_number": ("Berichtsnummer / Report No.", "Prüfbericht-Nr. / Test report no."),
        "received": ("Probeneingang / Date received", "Eingangsdatum / Receipt date"),
        "tested": ("Prüfdatum / Date of analysis", "Analysedatum / Analysis date"),
        "reported": ("Ausstellungsdatum / Date of issue", "Berichtsdatum / Report date"),
    },
    "es": {
        "vendor": ("Cliente / Customer",),
        "product": ("Producto / Product", "Muestra / Sample"),
        "batch": ("Lote / Lot",),
        "sample_id": ("Nº de muestra / Sample No.",),
        "report_number": ("Informe Nº / Report No.",),
        "received": ("Fecha de recepción / Date received",),
        "tested": ("Fecha de análisis / Date of analysis",),
        "reported": ("Fecha de emisión / Date of issue",),
    },
    "fr": {
        "vendor": ("Client / Customer", "Demandeur / Applicant"),
        "product": ("Produit / Product", "Désignation / Description"),
        "batch": ("Lot / Batch", "N° de lot / Lot No."),
        "sample_id": ("N° échantillon / Sample No.",),
        "report_number": ("Rapport N° / Report No.",),
        "received": ("Date de réception / Date received",),
        "tested": ("Date d'analyse / Date of analysis",),
        "reported": ("Date d'émission / Date of issue",),
    },
}
FIELDS = (
    "vendor",
    "product",
    "batch",
    "sample_id",
    "report_number",
    "received",
    "tested",
    "reported",
)
DATES = ("received", "tested", "reported")


def _identifiers(rng: random.Random, received: date) -> tuple[str, str | None, str]:
    yy = received.strftime("%y")
    batch = rng.choice(
        (
            f"RV/{yy}/{rng.randint(100, 999)}",
            f"{rng.choice('GRW')}{rng.randint(1000, 9999)}-{yy}",
            f"LT{received.strftime('%y%m')}{rng.choice('ABC')}",
            f"{rng.randint(24000, 99999)}B",
        )
    )
    sample_id = rng.choice(
        (
            f"{yy}-{rng.randint(10000, 99999)}",
            f"NW{received.strftime('%m%d')}{rng.randint(10, 99)}",
            f"ACC-{rng.randint(100000, 999999)}",
            None,
        )
    )
    report = rng.choice(
        (
            f"TR-{yy}-{rng.randint(1, 9999):04d}",
            f"{received.year}-{rng.randint(1000, 99999)}",
            f"CA{rng.randint(100000, 999999)}",
        )
    )
    return batch, sample_id, report


def _dates(rng: random.Random) -> dict[str, date]:
    received = date(2023, 3, 1) + timedelta(days=rng.randint(0, 900))
    tested = received + timedelta(days=rng.randint(1, 5))
    return {
        "received": received,
        "tested": tested,
        "reported": tested + timedelta(days=rng.randint(0, 6)),
    }


def header_sample(
    family: str, choose: Callable[[random.Random], str] | None = None
) -> Callable[[random.Random], Sample]:
    """A builder of samples with this module's labs, vendors, identifiers and labels
    (``choose`` draws the label language: English when not given)."""

    def build(rng: random.Random) -> Sample:
        language = choose(rng) if choose else "en"
        sample = wild.new_sample(rng, family, "de" if language == "de" else "en")
        dates = _dates(rng)
        batch, sample_id, report = _identifiers(rng, dates["received"])
        if language == "en":
            lab, vendor = rng.choice(LABS), rng.choice(VENDORS)
            labels = {k: rng.choice(v) for k, v in LABELS.items()}
            date_format = rng.choice(("%m/%d/%Y", "%d-%b-%Y", "%B %d, %Y", "%Y-%m-%d", "%b %d, %Y"))
        else:
            lab, vendor = (
                rng.choice(BILINGUAL_LABS[language]),
                rng.choice(BILINGUAL_VENDORS[language]),
            )
            labels = {k: rng.choice(v) for k, v in BILINGUAL[language].items()}
            date_format = rng.choice(("%d.%m.%Y", "%d/%m/%Y")) if language != "de" else "%d.%m.%Y"
        sample.language = language if language != "fr" and language != "es" else "en"
        sample.lab, sample.vendor, sample.product = lab, vendor, rng.choice(PRODUCTS)
        sample.batch, sample.sample_id, sample.report_number = batch, sample_id, report
        sample.dates, sample.date_format, sample.labels = dates, date_format, labels
        wild.build_panels(sample, rng)
        return sample

    return build


def _fields(sample: Sample) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        "vendor": sample.vendor,
        "product": sample.product,
        "batch": sample.batch,
        "sample_id": sample.sample_id,
        "report_number": sample.report_number,
    }
    values.update({k: sample.date_text(k) for k in DATES})
    return values


def _domain(sample: Sample) -> str:
    words = [w for w in sample.lab[0].replace("&", " ").replace(",", " ").split() if w[0].isalpha()]
    return "".join(w.lower() for w in words[:2]).replace("ä", "ae").replace("é", "e") + ".com"


def _results(pen: Pen, sample: Sample, y: float) -> None:
    pen.y = y
    draw.grid_table(pen, sample.panels, ("Analyte", "Result", "Unit", "LOQ", "Status"))


def _page_footer(pen: Pen, text: str) -> None:
    pen.c.setFont(pen.font, 6.5)
    pen.c.drawString(40, 26, draw.printable(text) if pen.font == FONT else text)


# --- kvgrid ---------------------------------------------------------------------------


def kvgrid(sample: Sample, rng: random.Random) -> bytes:
    """Two label/value pairs per line, bold labels without colons, values far right."""
    out = io.BytesIO()
    footer_line = (
        f"{sample.lab[0]}  |  {rng.choice(STREETS)}, {rng.choice(CITIES)}  |  "
        f"www.{_domain(sample)}  |  Page 1 of 1"
    )
    named_in_header = rng.random() < 0.6
    pen = Pen(
        sample, out, font=wild._font(rng, sample), footer=lambda p: _page_footer(p, footer_line)
    )
    top = pen.height - 44
    if named_in_header:
        _put(pen, 40, top, sample.lab[0], 15, bold=True)
        _put(
            pen,
            40,
            top - 12,
            f"{rng.choice(STREETS)}  ·  Tel (555) 555-0{rng.randint(100, 199)}",
            7.5,
        )
    else:
        _put(pen, 40, top, "ANALYTICAL SERVICES", 11, bold=True)
    if sample.lab[1]:
        _put(pen, pen.width - 40, top, sample.lab[1], 7, align="right")
    _put(
        pen,
        pen.width / 2,
        top - 36,
        rng.choice(("CERTIFICATE OF ANALYSIS", "Certificate of Analysis")),
        13,
        bold=True,
        align="center",
    )
    values = _fields(sample)
    mark = rng.choice(("", "+", "*", "†"))
    marked = rng.choice(("batch", "product", "vendor"))
    extras = [
        ("Matrix", rng.choice(("Plant Material", "Dried Leaf", "Powder"))),
        ("Phone", f"(555) 555-0{rng.randint(100, 999)}"),
        ("Condition", rng.choice(("Acceptable", "Sealed"))),
    ]
    pairs: list[tuple[str, str]] = []
    for key in FIELDS:
        value = values[key]
        if value is None:
            continue
        label = sample.labels[key] + (f" {mark}" if mark and key == marked else "")
        pairs.append((label, value))
        if key == "vendor":
            pairs.append(("Client Address", f"{rng.choice(STREETS)}, {rng.choice(CITIES)}"))
    for extra in extras:
        pairs.insert(rng.randint(2, len(pairs)), extra)
    colon = rng.random() < 0.25
    size = rng.choice((8.0, 8.5))
    half = (pen.width - 80) / 2
    y = top - 64
    for i in range(0, len(pairs), 2):
        for j, (label, value) in enumerate(pairs[i : i + 2]):
            x = 40 + j * (half + 10)
            _put(pen, x, y, f"{label}:" if colon else label, size, bold=True)
            _put(pen, x + half - 14, y, value, size, align="right")
        y -= size + 6
    if mark:
        _put(pen, 40, y - 2, f"{mark} As provided by the client.", 6.5)
        y -= 10
    _results(pen, sample, y - 20)
    pen.finish()
    return out.getvalue()


# --- formbox --------------------------------------------------------------------------

_SPLITS = {
    "Sample Received": ("Sample", "Received"),
    "Date Sample Received": ("Date Sample", "Received"),
    "Production Lot": ("Production", "Lot"),
    "Analysis Completed": ("Analysis", "Completed"),
    "Product Description": ("Product", "Description"),
    "Sample Description": ("Sample", "Description"),
    "Report Submitted": ("Report", "Submitted"),
    "Date of Analysis": ("Date of", "Analysis"),
}


def formbox(sample: Sample, rng: random.Random) -> bytes:
    """A ruled form: small labels above their values, long labels split over two lines."""
    out = io.BytesIO()
    pen = Pen(sample, out, font=wild._font(rng, sample))
    top = pen.height - 40
    _put(
        pen,
        pen.width - 40,
        top - 4,
        rng.choice(("Certificate of Analysis", "TEST REPORT")),
        14,
        bold=True,
        align="right",
    )
    # the LABORATORY box: heading, name, address, accreditation
    box_w = 230
    pen.c.setLineWidth(0.6)
    pen.c.rect(40, top - 62, box_w, 62)
    _put(pen, 44, top - 10, "LABORATORY", 7, bold=True)
    _put(pen, 44, top - 24, sample.lab[0], 10.5, bold=True)
    _put(pen, 44, top - 36, f"{rng.choice(STREETS)}, {rng.choice(CITIES)}", 7.5)
    _put(pen, 44, top - 47, f"Lab Phone: (555) 555-0{rng.randint(100, 999)}", 7.5)
    if sample.lab[1]:
        _put(pen, 44, top - 57, sample.lab[1], 6.5)
    values = _fields(sample)
    cells = [(sample.labels[k], values[k]) for k in FIELDS if values[k] is not None]
    cells.insert(
        rng.randint(1, len(cells)), ("Sample Type", rng.choice(("Botanical", "Powder", "Capsule")))
    )
    per_row = 4
    col_w = (pen.width - 80) / per_row
    row_h = 30
    y = top - 84
    split = rng.random() < 0.7
    for i in range(0, len(cells), per_row):
        for j, (label, value) in enumerate(cells[i : i + per_row]):
            x = 40 + j * col_w
            pen.c.setLineWidth(0.4)
            pen.c.rect(x, y - row_h, col_w, row_h)
            parts = _SPLITS.get(label) if split else None
            size = 8.5 if _width(pen, value, 8.5) < col_w - 8 else 7.0
            if parts:
                _put(pen, x + 3, y - 7, parts[0], 6)
                _put(pen, x + 3, y - 13.5, parts[1], 6)
                _put(pen, x + 3, y - 25, value, size)
            else:
                _put(pen, x + 3, y - 8, label, 6)
                _put(pen, x + 3, y - 22, value, size)
        y -= row_h
    _results(pen, sample, y - 26)
    pen.need(40)
    _put(pen, 40, pen.y - 10, "Reviewed and approved by:", 8)
    _put(
        pen,
        40,
        pen.y - 22,
        f"{rng.choice(('Dana Whitcomb', 'R. Okafor', 'M. Lindqvist'))}, Laboratory Director",
        8,
        bold=True,
    )
    pen.finish()
    return out.getvalue()


# --- parties --------------------------------------------------------------------------


def parties(sample: Sample, rng: random.Random) -> bytes:
    """Party blocks under headings, product and lot in one value, the report number in the title."""
    out = io.BytesIO()
    pen = Pen(sample, out, font=wild._font(rng, sample))
    s = sample
    top = pen.height - 40
    _put(pen, 40, top, s.lab[0].upper() if rng.random() < 0.3 else s.lab[0], 14, bold=True)
    title_numbered = rng.random() < 0.6
    title = f"Test Report No. {s.report_number}" if title_numbered else "Certificate of Analysis"
    _put(pen, pen.width - 40, top, title, 12, bold=True, align="right")
    y = top - 30
    col = (pen.width - 80) / 2
    # the lab's own party block
    _put(pen, 40, y, "LABORATORY", 8, bold=True)
    lab_lines = [
        s.lab[0],
        rng.choice(STREETS),
        rng.choice(CITIES),
        f"Phone: (555) 555-0{rng.randint(100, 999)}",
    ]
    for n, line in enumerate(lab_lines):
        _put(pen, 40, y - 12 - 10 * n, line, 8)
    # the client's party block
    heading = rng.choice(
        ("DISTRIBUTOR", "Client Info", "CUSTOMER", "Client Information", "SUBMITTED BY")
    )
    x = 40 + col
    _put(pen, x, y, heading, 8, bold=True)
    if rng.random() < 0.5:
        rows = [
            ("Business Name", s.vendor),
            ("Address", f"{rng.choice(STREETS)}, {rng.choice(CITIES)}"),
            ("License #", f"MMTC-{rng.randint(1000, 9999)}"),
            ("Phone", f"(555) 555-0{rng.randint(100, 999)}"),
        ]
        for n, (label, value) in enumerate(rows):
            _put(pen, x, y - 12 - 10 * n, f"{label}:", 8)
            _put(pen, x + 70, y - 12 - 10 * n, value, 8)
    else:
        for n, line in enumerate((s.vendor, rng.choice(STREETS), rng.choice(CITIES))):
            _put(pen, x, y - 12 - 10 * n, line, 8)
    y -= 62
    pen.c.setLineWidth(0.6)
    pen.c.line(40, y + 8, pen.width - 40, y + 8)
    _put(pen, 40, y - 4, "SAMPLE INFORMATION", 8, bold=True)
    y -= 18
    lines: list[tuple[str, str]] = []
    if rng.random() < 0.6:
        word = rng.choice(("Batch", "Lot", "Lot #"))
        lines.append((rng.choice(("Sample", "Product")), f"{s.product} ({word} {s.batch})"))
    else:
        lines += [(s.labels["product"], s.product), (s.labels["batch"], s.batch)]
    if s.sample_id:
        lines.append(
            (
                rng.choice(
                    ("TRACK Sample ID", "LIMS Sample ID", "METRC Sample ID", "Lab Sample ID")
                ),
                s.sample_id,
            )
        )
    if rng.random() < 0.7:
        lines.append(("Customer Sample ID", f"CS-{rng.randint(100, 999)}"))
    if not title_numbered:
        lines.append((s.labels["report_number"], s.report_number))
    date_labels = {
        "received": rng.choice(("Date Received", "Sample Received", "Received On")),
        "tested": rng.choice(("Analysis Completed", "Date Tested", "Tested On")),
        "reported": rng.choice(("Report Submitted", "Reported On", "Report Issued")),
    }
    lines += [(date_labels[k], s.date_text(k)) for k in DATES]
    offset = max(_width(pen, f"{label}:", 8.5) for label, _ in lines) + 12
    for n, (label, value) in enumerate(lines):
        yy = y - 12 * (n // 2)
        xx = 40 + (n % 2) * col
        _put(pen, xx, yy, f"{label}:", 8.5)
        _put(pen, xx + offset, yy, value, 8.5)
    y -= 12 * ((len(lines) + 1) // 2) + 14
    _results(pen, s, y)
    pen.need(50)
    _put(
        pen,
        40,
        pen.y - 8,
        "* Analyzed by Plating. Results relate only to the sample as received.",
        7,
    )
    if s.lab[1]:
        _put(pen, 40, pen.y - 18, s.lab[1], 7)
    _put(pen, pen.width - 40, pen.y - 30, "Laboratory Director", 8, bold=True, align="right")
    pen.finish()
    return out.getvalue()


# --- bilingual ------------------------------------------------------------------------


def bilingual_language(rng: random.Random) -> str:
    return rng.choice(("de", "de", "es", "fr"))


def bilingual(sample: Sample, rng: random.Random) -> bytes:
    """``Kunde / Customer:`` labels, local dates, the issuer named again in the footer with its mail."""
    out = io.BytesIO()
    s = sample
    footer_line = f"{s.lab[0]}  ·  info@{_domain(s)}  ·  " + (s.lab[1] or "Tel. +49 40 555 0190")
    pen = Pen(s, out, font=(FONT, draw.BOLD), footer=lambda p: _page_footer(p, footer_line))
    top = pen.height - 44
    _put(pen, 40, top, s.lab[0], 14, bold=True)
    titles = {
        "de": "Prüfbericht / Test Report",
        "es": "Informe de ensayo / Test Report",
        "fr": "Rapport d'essai / Test Report",
    }
    language = next(k for k, v in BILINGUAL.items() if s.labels["vendor"] in v["vendor"])
    _put(pen, pen.width / 2, top - 34, titles[language], 13, bold=True, align="center")
    values = _fields(s)
    pairs = [(s.labels[k], values[k]) for k in FIELDS if values[k] is not None]
    offset = max(_width(pen, f"{label}:", 8.5, True) for label, _ in pairs) + 10
    y = top - 62
    for label, value in pairs:
        _put(pen, 40, y, f"{label}:", 8.5)
        _put(pen, 40 + offset, y, value, 8.5)
        y -= 12.5
    _results(pen, s, y - 18)
    pen.finish()
    return out.getvalue()


# --- sidebar (written after the parser changes for the four above, to measure them afresh) --

SIDEBAR_LABELS = {
    "vendor": ("CLIENT", "CUSTOMER", "SUBMITTED BY"),
    "product": ("PRODUCT", "SAMPLE DESCRIPTION"),
    "batch": ("LOT / BATCH", "BATCH NO.", "LOT CODE"),
    "sample_id": ("LAB SAMPLE NO.", "LAB REF."),
    "report_number": ("CERTIFICATE NO.", "REPORT REF."),
    "received": ("RECEIVED", "DATE RECEIVED"),
    "tested": ("ANALYSED", "TESTING PERIOD"),
    "reported": ("ISSUED", "DATE OF ISSUE"),
}


def sidebar(sample: Sample, rng: random.Random) -> bytes:
    """Metadata in a left sidebar (small capitals over values, long values wrapped), a
    customer's own reference beside the lab's, results in the main column, the lab named only
    in the signature block and an accreditation line that reads like a lab's name."""
    out = io.BytesIO()
    pen = Pen(sample, out, font=wild._font(rng, sample))
    s = sample
    labels = {k: rng.choice(v) for k, v in SIDEBAR_LABELS.items()}
    top = pen.height - 50
    _put(
        pen,
        190,
        top,
        rng.choice(("Certificate of Analysis", "Analytical Certificate")),
        16,
        bold=True,
    )
    _put(
        pen, 190, top - 16, rng.choice(("Botanical testing", "Contaminant and potency testing")), 8
    )
    values = _fields(s)
    y = top
    entries = [(labels[k], values[k]) for k in FIELDS if values[k] is not None]
    entries.insert(rng.randint(2, len(entries)), ("CUSTOMER REF.", f"PO-{rng.randint(1000, 9999)}"))
    for label, value in entries:
        _put(pen, 36, y, label, 6.5)
        y -= 10
        words, line = (value or "").split(), ""
        for word in words:  # wrap at the sidebar's width
            if line and _width(pen, f"{line} {word}", 8.5) > 135:
                _put(pen, 36, y, line, 8.5)
                y -= 10
                line = word
            else:
                line = f"{line} {word}".strip()
        _put(pen, 36, y, line, 8.5)
        y -= 16
    pen.c.setLineWidth(0.5)
    pen.c.line(180, pen.height - 40, 180, 60)
    x0, width = 190.0, pen.width - 190 - 36
    y2 = top - 40
    for panel in s.panels:
        _put(pen, x0, y2, panel.title, 9.5, bold=True)
        y2 -= 5
        rows: list[tuple[str, ...]] = [("Analyte", "Result", "Units", "LOQ")]
        for cell in panel.cells:
            cell.page = 1
            rows.append((cell.label, cell.text, cell.unit or "-", cell.loq_text or "-"))
        y2 = (
            wild._table_rows(
                pen, x0, y2, [width * f for f in (0.42, 0.22, 0.18, 0.18)], rows, 13.0, 7.5, "lrlr"
            )
            - 16
        )
    y2 = min(y2, 130)
    _put(pen, x0, y2, f"For and on behalf of {s.lab[0]}", 8.5, bold=True)
    _put(
        pen,
        x0,
        y2 - 12,
        f"{rng.choice(('A. Okonkwo', 'H. Lindgren', 'P. Marsh'))}, Authorised Signatory",
        8,
    )
    _put(
        pen,
        x0,
        y2 - 30,
        f"Accredited testing laboratory No. {rng.randint(1000, 9999)}. "
        "Results relate only to the items tested.",
        7,
    )
    pen.c.showPage()
    pen.c.save()
    return out.getvalue()
