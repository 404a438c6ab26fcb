"""Five more families, written (issue 8, second first-sight round) before the parser was
changed for them, modelled on layouts of labs nobody here has seen:

``badges``
    a summary page of pass/fail badges (one per panel, an overall badge, sometimes a
    headline alkaloid value repeated) under a metadata *card*: labels in grey small
    capitals with the value in bold below, the client's and the manufacturer's names and
    addresses both (the vendor is the client: the COA is issued to it); detail pages
    whose tables put ``Pass/Fail`` and ``Limit`` columns *before* the result, with an
    LOQ column and ``Not Detected`` / ``<LOQ`` results, tables continuing across a page
    break under ``Heavy Metals (continued)`` with the header row repeated.
``wrapname``
    one long table with a narrow analyte column: long names wrap onto two lines and the
    value sits on the second line (or between the two, vertically centred); a Method
    column; units mixed in one table (mg/kg, µg/kg, ppm and ppb side by side); panel
    titles as spanning rows; metadata in a ruled two-column box.
``twoup``
    panels two-up on one page, each side with its own column order: metals in ppm with
    the unit only in the header band (``Result (ppm)`` or ``Result`` over ``(mg/kg)``)
    beside mycotoxins in ppb (LOQ and limit before the result), microbiology with counts
    as ``12,000``, ``1.2E+04``, ``1.2 x 10^4`` or ``1.2 × 10⁴`` beside the alkaloids; the
    rows of the two sides do not line up; metadata as a two-column card.
``rotated``
    a landscape table on a portrait page turned by ``/Rotate`` (90 or 270): the text is
    upright on screen but vertical in the PDF's own coordinates; either every page is
    turned or only the results page after a portrait cover.
``cards``
    recorded after the parser was changed for the four above: one card per analyte, two a
    row, the name in bold over labelled values (``Result: 0.12 ppm   LOQ: 0.05 ppm   Limit:
    ≤ 1.0   Status: PASS``) in the lab's own order.

The truth is built as for the other families (:func:`tests.synthetic.wild.build_panels`,
:func:`tests.synthetic.values.measure`): only the printed text is re-dressed, never the meaning.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from tests.synthetic import wild
from tests.synthetic.draw import FONT, Pen
from tests.synthetic.model import Panel, Sample
from tests.synthetic.values import Cell
from tests.synthetic.wild import METHODS, _factor, _put, _spec, _width

LABS = (
    ("Bluestem Analytical", "ISO/IEC 17025:2017 PJLA Accreditation No. 93011"),
    ("Harrow & Vale Laboratories", None),
    ("Kettle Ridge Bioanalytics Inc.", "A2LA Certificate #6633.01"),
    ("Sable Creek Testing Co.", "ANAB Cert. L2401"),
    ("Oriel Scientific Services", None),
    ("Lumen Assay Partners", "ISO/IEC 17025 accredited, PJLA #L22-077"),
)
VENDORS = (
    "Amber Trail Botanicals LLC",
    "Nine Rivers Kratom Co.",
    "Lantern Leaf Supply Inc.",
    "Cobalt Coast Herbals LLC",
    "Willowmere Naturals",
    "Silver Fern Trading Company",
)
MANUFACTURERS = (
    "PT Kapuas Hijau Export",
    "CV Borneo Herba Nusantara",
    "Sumatra Agro Botanicals Ltd.",
    "Mekar Leaf Processing Sdn. Bhd.",
)
MANUFACTURER_PLACES = (
    "Pontianak, West Kalimantan, Indonesia",
    "Jl. Gajah Mada 18, Putussibau, Indonesia",
    "Kuching, Sarawak, Malaysia",
)
PRODUCTS = (
    "Red Bentuangie Powder 250 g",
    "Green Maeng Da Kratom Capsules (150 ct)",
    "White Kali Fine Powder",
    "Yellow Sunda Kratom Powder 1 kg",
    "Red Thai Crushed Leaf",
    "Gold Reserve Extract Tablets",
)
STREETS = (
    "2250 Lakeshore Blvd, Suite 110",
    "18 Foundry Lane",
    "640 W Industrial Ave",
    "3 Cedar Point Rd",
)
CITIES = ("Orlando, FL 32808", "Denver, CO 80216", "Grand Rapids, MI 49503", "Reno, NV 89502")

#: Each family's labels (no colons; the drawing adds what the family prints).
LABELS = {
    "vendor": ("Client", "Customer", "Client Name", "Submitted By", "Account"),
    "product": ("Product", "Product Name", "Sample Name", "Sample Description"),
    "batch": ("Lot Number", "Batch Number", "Lot", "Batch / Lot", "Manufacturer Lot"),
    "sample_id": ("Lab Sample ID", "Sample ID", "Laboratory ID", "Lab No."),
    "report_number": ("Report Number", "Certificate Number", "Report ID", "COA No."),
    "received": ("Date Received", "Received", "Receipt Date"),
    "tested": ("Date Tested", "Analysis Date", "Testing Completed"),
    "reported": ("Date Reported", "Report Date", "Date Issued", "Released"),
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

#: Long names real labs print (each still names one analyte of ours).
LONG_NAMES = {
    "total_aerobic_count": ("Total Aerobic Microbial Count (TAMC)", "Aerobic Plate Count (APC)"),
    "yeast_and_mold": (
        "Total Combined Yeasts and Molds Count (TYMC)",
        "Total Yeast and Mold Count",
    ),
    "total_coliforms": ("Total Coliform Bacteria",),
    "enterobacteriaceae": ("Bile-tolerant Gram-negative Bacteria",),
    "salmonella": ("Salmonella species", "Salmonella spp. (detection)"),
    "e_coli": ("Escherichia coli (E. coli)",),
    "staphylococcus_aureus": (
        "Staphylococcus aureus (coagulase positive)",
        "Staphylococcus aureus",
    ),
    "7_hydroxymitragynine": ("7-Hydroxymitragynine (7-OH-MG)",),
    "total_alkaloids": ("Total Indole Alkaloids (sum of 5)", "Total Alkaloid Content"),
    "total_aflatoxins": ("Total Aflatoxins (B1 + B2 + G1 + G2)",),
    "ochratoxin_a": ("Ochratoxin A (OTA)",),
    "mercury": ("Mercury (Hg), total", "Total Mercury (Hg)"),
    "moisture": ("Moisture (loss on drying)", "Moisture Content"),
    "mitragynine": ("Mitragynine (MG)", "Mitragynine"),
    "speciociliatine": ("Speciociliatine (SC)",),
    "paynantheine": ("Paynantheine (PAY)",),
}


def _identifiers(rng: random.Random, received: date) -> tuple[str, str | None, str]:
    yy, mmdd = received.strftime("%y"), received.strftime("%m%d")
    batch = rng.choice(
        (
            f"KB-{mmdd}-{rng.randint(10, 99)}",
            f"{yy}J{rng.randint(100, 999)}",
            f"RB{rng.randint(1000, 9999)}-{rng.choice('ABC')}",
            f"{rng.randint(100000, 999999)}",
        )
    )
    sample_id = rng.choice(
        (
            f"{yy}{mmdd}KRT{rng.randint(1, 999):04d}",
            f"SC-{yy}-{rng.randint(1000, 99999):05d}",
            f"L{rng.randint(1000000, 9999999)}",
            None,
        )
    )
    report = rng.choice(
        (
            f"CoA-{rng.randint(100000, 999999)}",
            f"R{yy}-{rng.randint(1, 99999):05d}-1",
            f"{received.year}{mmdd}.{rng.randint(10, 99)}",
        )
    )
    return batch, sample_id, report


def _dates(rng: random.Random) -> dict[str, date]:
    received = date(2023, 9, 1) + timedelta(days=rng.randint(0, 800))
    tested = received + timedelta(days=rng.randint(1, 6))
    return {
        "received": received,
        "tested": tested,
        "reported": tested + timedelta(days=rng.randint(0, 5)),
    }


def fresh_sample(family: str, *, per_row_units: bool = False, long_names: bool = False):  # noqa: ANN201
    """A builder of this module's samples: new labs, vendors, identifiers and labels."""

    def build(rng: random.Random) -> Sample:
        sample = wild.new_sample(rng, family, "en")
        dates = _dates(rng)
        sample.batch, sample.sample_id, sample.report_number = _identifiers(rng, dates["received"])
        sample.dates = dates
        sample.date_format = rng.choice(
            ("%m/%d/%Y", "%B %d, %Y", "%d-%b-%Y", "%Y-%m-%d", "%b %d, %Y")
        )
        sample.lab, sample.vendor, sample.product = (
            rng.choice(LABS),
            rng.choice(VENDORS),
            rng.choice(PRODUCTS),
        )
        sample.labels = {k: rng.choice(v) for k, v in LABELS.items()}
        wild.build_panels(sample, rng, per_row_units=per_row_units)
        if long_names:
            for cell in (c for p in sample.panels for c in p.cells):
                names = LONG_NAMES.get(cell.analyte.code)
                if names and rng.random() < 0.8:
                    cell.label = rng.choice(names)
        return sample

    return build


def _values(sample: Sample) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        "vendor": sample.vendor,
        "product": sample.product,
        "batch": sample.batch,
        "sample_id": sample.sample_id,
        "report_number": sample.report_number,
    }
    values.update({k: sample.date_text(k) for k in DATES})
    return values


def _font(rng: random.Random, sample: Sample) -> tuple[str, str]:
    """A proportional font (narrow columns: Courier would spill over its cell)."""
    return rng.choice(wild.FONT_CHOICES[:3])


def _table_rows(
    pen: Pen,
    x0: float,
    y: float,
    widths: list[float],
    rows: list[tuple[str, ...]],
    row_h: float,
    size: float,
    aligns: str,
) -> float:
    """:func:`tests.synthetic.wild._table_rows`, but a cell too wide for its column is printed
    smaller (as a lab's template shrinks it to fit) instead of running over its neighbour."""
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    for n, row in enumerate(rows):
        pen.c.setLineWidth(0.4)
        pen.c.line(xs[0], y, xs[-1], y)
        for x in xs:
            pen.c.line(x, y, x, y - row_h)
        for i, text in enumerate(row):
            align = aligns[i] if i < len(aligns) else "l"
            fit = size
            while fit > 5 and _width(pen, text, fit, bold=n == 0) > widths[i] - 6:
                fit -= 0.5
            if align == "r":
                _put(pen, xs[i + 1] - 3, y - row_h + 4, text, fit, bold=n == 0, align="right")
            elif align == "c":
                _put(
                    pen,
                    (xs[i] + xs[i + 1]) / 2,
                    y - row_h + 4,
                    text,
                    fit,
                    bold=n == 0,
                    align="center",
                )
            else:
                _put(pen, xs[i] + 3, y - row_h + 4, text, fit, bold=n == 0)
        y -= row_h
    pen.c.line(xs[0], y, xs[-1], y)
    return y


def _grey(pen: Pen, level: float) -> None:
    pen.c.setFillGray(level)


def _card(pen: Pen, x: float, y: float, label: str, lines: list[str], width: float) -> float:
    """A grey small-capitals label with its value in bold below (then plain address lines);
    returns the y below the card."""
    _grey(pen, 0.45)
    _put(pen, x, y, label.upper(), 6.2)
    _grey(pen, 0)
    y -= 11
    for n, line in enumerate(lines):
        size = 9.0 if n == 0 else 7.5
        while _width(pen, line, size, bold=n == 0) > width and size > 6:
            size -= 0.5
        _put(pen, x, y, line, size, bold=n == 0)
        y -= 10 if n == 0 else 9
    return y - 8


def _signature(pen: Pen, y: float, rng: random.Random) -> None:
    _put(
        pen,
        40,
        y,
        f"{rng.choice(('Marisol Petrakis', 'Owen Tallis', 'Dr. Ines Varga'))}",
        8.5,
        bold=True,
    )
    _put(
        pen,
        40,
        y - 11,
        rng.choice(("Quality Assurance Manager", "Technical Director", "Laboratory Manager")),
        7.5,
    )


def _footer(pen: Pen, sample: Sample, total: int | None) -> None:
    pen.c.setFont(pen.font, 6.5)
    pen.c.drawString(
        40,
        26,
        f"{sample.lab[0]}  |  {STREETS[0]}, {CITIES[0]}  |  "
        f"{sample.lab[1] or 'Results relate only to the sample tested.'}",
    )
    pen.c.drawRightString(
        pen.width - 40, 26, f"Page {pen.page} of {total}" if total else f"Page {pen.page}"
    )


# --- badges -------------------------------------------------------------------------

_SECTION = {
    "alkaloid": "Alkaloid Profile",
    "heavy_metal": "Heavy Metals",
    "microbial": "Microbiology",
    "mycotoxin": "Mycotoxins",
    "physical": "Moisture & Water Activity",
}


def _verdict(panel: Panel, sample: Sample) -> str:
    if panel.category == "alkaloid":
        return "TESTED"
    return "FAIL" if any(c.truth.get("lab_status") == "fail" for c in panel.cells) else "PASS"


def badges(sample: Sample, rng: random.Random) -> bytes:
    """A summary page of badges under a metadata card; detail pages with Pass/Fail and Limit
    columns before the result, tables continued across page breaks."""
    s = sample
    font = _font(rng, s)
    manufacturer = (rng.choice(MANUFACTURERS), rng.choice(MANUFACTURER_PLACES))
    client_address = (rng.choice(STREETS), rng.choice(CITIES))
    headline = rng.random() < 0.5
    heads = rng.choice(
        (
            ("Analyte", "Pass/Fail", "Limit", "Result", "Unit", "LOQ"),
            ("Test", "Status", "Specification", "LOQ", "Result", "Units"),
        )
    )
    fractions = (0.34, 0.11, 0.16, 0.15, 0.12, 0.12)
    intro_lines = rng.randint(2, len(INTRO))
    photo_h = rng.choice((120.0, 200.0, 260.0))
    row_h, size = rng.choice(((15.0, 8.0), (16.0, 8.5)))
    limits = {id(c): _spec(c, _factor(c), s, rng) for p in s.panels for c in p.cells}

    def render(total: int | None) -> tuple[bytes, int]:
        out = io.BytesIO()
        pen = Pen(s, out, font=font, footer=lambda p: _footer(p, s, total))
        top = pen.height - 46
        _put(pen, 40, top, s.lab[0], 16, bold=True)
        _put(pen, 40, top - 12, f"{rng_street} · {rng_city} · (555) 555-0{rng_phone}", 7.5)
        _put(pen, pen.width - 40, top, "Certificate of Analysis", 13, bold=True, align="right")
        _put(pen, pen.width - 40, top - 12, "Summary of Results", 8, align="right")
        y = top - 40
        col = (pen.width - 80) / 2
        left = [
            (s.labels["vendor"], [s.vendor, *client_address]),
            ("Manufacturer", [manufacturer[0], manufacturer[1]]),
        ]
        values = _values(s)
        right = [
            (s.labels[k], [values[k] or ""])
            for k in FIELDS
            if k not in ("vendor", "product") and values[k]
        ]
        yl = y
        for label, lines in left:
            yl = _card(pen, 40, yl, label, lines, col - 20)
        yr = _card(pen, 40 + col, y, s.labels["product"], [s.product], col - 10) + 6
        half = (col - 10) / 2
        for n, (label, lines) in enumerate(right):  # two sub-columns of cards on the right
            x = 40 + col + (n % 2) * half
            _card(pen, x, yr, label, lines, half - 8)
            if n % 2:
                yr -= 30
        if len(right) % 2:
            yr -= 30
        y = min(yl, yr) - 10
        pen.c.setLineWidth(0.8)
        pen.c.line(40, y, pen.width - 40, y)
        y -= 24
        badge_panels = [p for p in s.panels]
        bw, bh, gap = 98.0, 46.0, 8.0
        x = 40.0
        items = [(_SECTION[p.category], _verdict(p, s)) for p in badge_panels]
        if headline:
            cell = next(
                c
                for p in s.panels
                for c in p.cells
                if c.analyte.code in ("mitragynine", "total_alkaloids") or p.category == "alkaloid"
            )
            items.insert(0, (cell.label, f"{cell.text} {cell.unit}".strip()))
        overall = "FAIL" if any(v == "FAIL" for _k, v in items) else "PASS"
        items.append(("Overall", overall))
        for label, word in items:
            if x + bw > pen.width - 40:
                x, y = 40.0, y - bh - gap
            pen.c.setLineWidth(1)
            pen.c.setStrokeGray(0.3)
            pen.c.roundRect(x, y - bh, bw, bh, 6)
            _grey(pen, 0.45)
            _put(
                pen,
                x + bw / 2,
                y - 13,
                label.upper() if len(label) < 20 else label,
                6.5,
                align="center",
            )
            _grey(pen, 0)
            _put(
                pen,
                x + bw / 2,
                y - 33,
                word,
                13 if len(word) < 8 else 10,
                bold=True,
                align="center",
            )
            x += bw + gap
        y -= bh + 26
        _put(pen, 40, y, "Detailed results, limits and methods follow on the next pages.", 8)
        _signature(pen, y - 30, rng)
        # detail pages
        pen.new_page()
        y = pen.height - 50
        _put(pen, 40, y, f"{s.lab[0]} - Detailed Results", 11, bold=True)
        _put(
            pen,
            pen.width - 40,
            y,
            f"{s.labels['report_number']}: {s.report_number}",
            8,
            align="right",
        )
        y -= 20
        for n in range(intro_lines):
            _put(pen, 40, y, INTRO[n], 7.5)
            y -= 10
        y -= 8
        pen.c.setLineWidth(0.5)
        pen.c.rect(40, y - photo_h, 150, photo_h)
        _put(pen, 115, y - photo_h / 2, "Sample photograph", 7, align="center")
        _put(pen, 200, y - 10, f"{s.labels['product']}: {s.product}", 8)
        _put(pen, 200, y - 21, f"{s.labels['batch']}: {s.batch}", 8)
        y -= photo_h + 18
        width = pen.width - 80
        widths = [width * f for f in fractions]
        for panel in s.panels:
            title = _SECTION[panel.category]
            rows: list[tuple[str, ...]] = []
            for cell in panel.cells:
                status = cell.status or "N/A"
                limit = limits[id(cell)]
                by_head = {
                    "Analyte": cell.label,
                    "Test": cell.label,
                    "Pass/Fail": status,
                    "Status": status,
                    "Limit": limit,
                    "Specification": limit,
                    "Result": cell.text,
                    "Unit": cell.unit or "-",
                    "Units": cell.unit or "-",
                    "LOQ": cell.loq_text or "-",
                }
                rows.append(tuple(by_head[h] for h in heads))
            first = True
            pending = list(zip(panel.cells, rows, strict=True))
            while pending:
                room = int((y - 70 - 2 * row_h - 8) // row_h)
                if room < 1:
                    pen.new_page()
                    y = pen.height - 50
                    continue
                chunk, pending = pending[:room], pending[room:]
                _put(pen, 40, y, title if first else f"{title} (continued)", 9.5, bold=True)
                y -= 5
                for cell, _row in chunk:
                    cell.page = pen.page
                y = (
                    _table_rows(
                        pen,
                        40,
                        y,
                        widths,
                        [heads, *[r for _c, r in chunk]],
                        row_h,
                        size,
                        "lcllrl" if heads[1] == "Pass/Fail" else "lclrrl",
                    )
                    - 18
                )
                first = False
                if pending:
                    pen.new_page()
                    y = pen.height - 50
        pen.finish()
        return out.getvalue(), pen.page

    rng_street, rng_city, rng_phone = rng.choice(STREETS), rng.choice(CITIES), rng.randint(100, 999)
    _data, pages = render(None)
    data, _pages = render(pages)
    return data


INTRO = (
    "Samples were received sealed and in acceptable condition and were analysed as received.",
    "Heavy metals: microwave digestion, ICP-MS. Mycotoxins: LC-MS/MS after immunoaffinity clean-up.",
    "Microbiology: plate counts per USP <2021>; pathogen detection by PCR with culture confirmation.",
    "Alkaloids: UHPLC-DAD against certified reference standards; results on an as-received basis.",
    "Limits are those requested by the client or, where none, the laboratory's default specification.",
    "LOQ: limit of quantitation. ND / Not Detected: below the limit of detection.",
    "Pass/Fail statements do not take measurement uncertainty into account unless stated.",
    "This report shall not be reproduced except in full without the written approval of the laboratory.",
)


# --- wrapname -----------------------------------------------------------------------


def _wrap(pen: Pen, text: str, size: float, width: float) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and _width(pen, f"{line} {word}", size) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def wrapname(sample: Sample, rng: random.Random) -> bytes:
    """One long table whose narrow analyte column wraps names; the value on the last line
    of the name or vertically centred; units mixed in the Unit column."""
    s = sample
    out = io.BytesIO()
    pen = Pen(s, out, font=_font(rng, s), footer=lambda p: _footer(p, s, None))
    valign = rng.choice(("bottom", "bottom", "middle"))
    size = rng.choice((7.5, 8.0))
    line_h = size + 2.2
    top = pen.height - 44
    _put(pen, pen.width / 2, top, s.lab[0], 14, bold=True, align="center")
    _put(
        pen,
        pen.width / 2,
        top - 12,
        f"{rng.choice(STREETS)}, {rng.choice(CITIES)}",
        7.5,
        align="center",
    )
    if s.lab[1]:
        _put(pen, pen.width / 2, top - 21, s.lab[1], 6.5, align="center")
    _put(pen, pen.width / 2, top - 42, "CERTIFICATE OF ANALYSIS", 12, bold=True, align="center")
    values = _values(s)
    pairs = [(f"{s.labels[k]}:", values[k] or "") for k in FIELDS if values[k]]
    y = wild._kv_box(pen, 40, top - 56, pen.width - 80, pairs, 7.5, columns=2, row_h=13) - 18
    heads = ("Analyte", "Method", "LOQ", "Result", "Unit", "Status")
    name_w = rng.choice((78.0, 86.0, 92.0))
    width = pen.width - 80
    rest = (width - name_w) / 5.6
    xs = [40.0, 40 + name_w]
    for n in range(5):
        xs.append(xs[-1] + rest * (1.6 if n == 0 else 1))
    pen.c.setLineWidth(0.8)
    pen.c.line(40, y + 2, pen.width - 40, y + 2)
    for i, h in enumerate(heads):
        _put(pen, xs[i] + 2, y - 9, h, size, bold=True)
    y -= 14
    pen.c.line(40, y, pen.width - 40, y)
    y -= 4
    for panel in s.panels:
        if y < 110:
            pen.new_page()
            y = pen.height - 50
        _grey(pen, 0.9)
        pen.c.rect(40, y - line_h - 2, width, line_h + 2, stroke=0, fill=1)
        _grey(pen, 0)
        _put(pen, 43, y - line_h + 1, wild.SECTION["en"][panel.category].upper(), size, bold=True)
        y -= line_h + 5
        for cell in panel.cells:
            lines = _wrap(pen, cell.label, size, name_w - 6)
            height = len(lines) * line_h
            if y - height < 70:
                pen.new_page()
                y = pen.height - 50
            cell.page = pen.page
            for n, line in enumerate(lines):
                _put(pen, xs[0] + 2, y - size - n * line_h, line, size)
            if valign == "bottom":
                vy = y - size - (len(lines) - 1) * line_h
            else:
                vy = y - size - (len(lines) - 1) * line_h / 2
            category = "presence" if cell.analyte.presence else cell.analyte.category
            method = rng.choice(METHODS[category])
            for i, text in enumerate(
                (method, cell.loq_text or "-", cell.text, cell.unit or "-", cell.status or "-")
            ):
                _put(pen, xs[i + 1] + 2, vy, text, size)
            y -= height + 3
            pen.c.setLineWidth(0.25)
            pen.c.setStrokeGray(0.6)
            pen.c.line(40, y + 1, pen.width - 40, y + 1)
            pen.c.setStrokeGray(0)
        y -= 4
    _signature(pen, max(min(y - 20, 120), 60), rng)
    pen.finish()
    return out.getvalue()


# --- twoup --------------------------------------------------------------------------


def _count_dress(cell: Cell, rng: random.Random, font: str) -> None:
    """Counts as ``12,000``, ``1.2E+04``, ``1.2 x 10^4`` or, with a font that has them, ``1.2 × 10⁴``."""
    if (
        cell.analyte.category != "microbial"
        or cell.analyte.presence
        or cell.truth["qualifier"] != "="
    ):
        return
    value = cell.truth["value"]
    if value is None or value < 1000 or cell.unit != "CFU/g":
        return
    exponent = len(str(int(value))) - 1
    mantissa = value / 10**exponent
    if abs(mantissa - round(mantissa, 1)) > 1e-9:
        return
    supers = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    choices = [
        f"{int(value):,}",
        f"{mantissa:.1f}E+{exponent:02d}",
        f"{mantissa:.1f} x 10^{exponent}",
    ]
    if font == FONT:
        choices.append(f"{mantissa:.1f} × 10{str(exponent).translate(supers)}")
    cell.text = rng.choice(choices)


def twoup_sample(rng: random.Random) -> Sample:
    sample = fresh_sample("twoup")(rng)
    return sample


def _side(
    pen: Pen,
    x0: float,
    y: float,
    width: float,
    panel: Panel,
    heads: tuple[str, ...],
    fractions: tuple[float, ...],
    row_h: float,
    size: float,
    cells_of,
) -> float:  # noqa: ANN001
    _put(pen, x0, y, panel.title, 9.5, bold=True)
    y -= 5
    rows = [heads, *[cells_of(c) for c in panel.cells]]
    for cell in panel.cells:
        cell.page = pen.page
    widths = [width * f for f in fractions]
    # the plain drawing (a long name may run on into the next cell), as recorded on first sight
    return wild._table_rows(pen, x0, y, widths, rows, row_h, size, "l" + "r" * (len(heads) - 1))


def twoup(sample: Sample, rng: random.Random) -> bytes:
    """Panels two-up with their own column orders, units in the header band, counts with
    thousands separators and scientific notation, metadata as a two-column card."""
    s = sample
    out = io.BytesIO()
    font = _font(rng, s)
    pen = Pen(s, out, font=font, footer=lambda p: _footer(p, s, 1))
    for panel in s.panels:
        for cell in panel.cells:
            _count_dress(cell, rng, font[0])
    top = pen.height - 44
    _put(pen, 40, top, s.lab[0], 13, bold=True)
    if s.lab[1]:
        _put(pen, 40, top - 11, s.lab[1], 6.5)
    _put(
        pen,
        pen.width - 40,
        top,
        rng.choice(("Certificate of Analysis", "Botanical Test Report")),
        12,
        bold=True,
        align="right",
    )
    values = _values(s)
    entries = [(s.labels[k], values[k] or "") for k in FIELDS if values[k]]
    y = top - 34
    col = (pen.width - 80) / 2
    per = (len(entries) + 1) // 2
    for n, (label, value) in enumerate(entries):
        c, r = divmod(n, per)
        _card(pen, 40 + c * col, y - r * 27, label, [value], col - 16)
    y -= per * 27 + 10
    by_cat = {p.category: p for p in s.panels}
    gap = 14.0
    half = (pen.width - 80 - gap) / 2
    xl, xr = 40.0, 40 + half + gap

    def unit_of(panel: Panel) -> str:
        return next((c.unit for c in panel.cells if c.unit), "")

    def metals(panel: Panel) -> tuple[float, tuple[str, ...], tuple[float, ...], object]:
        u = unit_of(panel)
        head = (rng.choice(("Element", "Metal", "Analyte")), f"Result ({u})", f"LOQ ({u})", "Limit")
        limits = {id(c): _spec(c, _factor(c), s, rng).replace("≤ ", "") for c in panel.cells}
        return (
            0,
            head,
            (0.34, 0.24, 0.2, 0.22),
            lambda c: (c.label, c.text, c.loq_text or "-", limits[id(c)]),
        )

    def mycotoxins(panel: Panel) -> tuple[float, tuple[str, ...], tuple[float, ...], object]:
        u = unit_of(panel)
        head = ("Mycotoxin", "LOQ", "Limit", f"Result ({u})")
        limits = {id(c): _spec(c, _factor(c), s, rng) for c in panel.cells}
        return (
            0,
            head,
            (0.4, 0.16, 0.2, 0.24),
            lambda c: (c.label, c.loq_text or "-", limits[id(c)], c.text),
        )

    def micro(panel: Panel) -> tuple[float, tuple[str, ...], tuple[float, ...], object]:
        head = ("Test", "Result", "Units", "Status")
        return (
            0,
            head,
            (0.42, 0.26, 0.16, 0.16),
            lambda c: (c.label, c.text, c.unit or "-", c.status or "-"),
        )

    def alkaloids(panel: Panel) -> tuple[float, tuple[str, ...], tuple[float, ...], object]:
        u = unit_of(panel)
        head = ("Compound", f"Result ({u})", "LOQ")
        return 0, head, (0.5, 0.28, 0.22), lambda c: (c.label, c.text, c.loq_text or "-")

    def physical(panel: Panel) -> tuple[float, tuple[str, ...], tuple[float, ...], object]:
        head = ("Parameter", "Result", "Units", "Limit")
        limits = {id(c): _spec(c, 1.0, s, rng) for c in panel.cells}
        return 0, head, (0.42, 0.2, 0.16, 0.22), lambda c: (c.label, c.text, c.unit, limits[id(c)])

    drawers = {
        "heavy_metal": metals,
        "mycotoxin": mycotoxins,
        "microbial": micro,
        "alkaloid": alkaloids,
        "physical": physical,
    }
    order = [("heavy_metal", "mycotoxin"), ("microbial", "alkaloid")]
    if rng.random() < 0.5:
        order = [("alkaloid", "heavy_metal"), ("microbial", "mycotoxin")]
    leftover = [c for c in by_cat if all(c not in pair for pair in order)]
    rows_h = {"left": rng.choice((13.0, 14.0)), "right": rng.choice((15.5, 17.0))}
    size = rng.choice((7.0, 7.5))
    for left, right in order:
        bottom = y
        for side, cat in (("left", left), ("right", right)):
            panel = by_cat.get(cat)
            if panel is None:
                continue
            _z, head, fr, fn = drawers[cat](panel)
            x0 = xl if side == "left" else xr
            bottom = min(bottom, _side(pen, x0, y, half, panel, head, fr, rows_h[side], size, fn))
        y = bottom - 22
    for cat in leftover:
        panel = by_cat[cat]
        _z, head, fr, fn = drawers[cat](panel)
        y = _side(pen, xl, y, half, panel, head, fr, rows_h["left"], size, fn) - 22
    _signature(pen, max(y - 6, 60), rng)
    pen.finish()
    return out.getvalue()


# --- rotated ------------------------------------------------------------------------


def rotated(sample: Sample, rng: random.Random) -> bytes:
    """A landscape results table on portrait pages turned by ``/Rotate``."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen.canvas import Canvas

    from tests.synthetic.draw import fonts

    fonts()
    s = sample
    out = io.BytesIO()
    font, bold = _font(rng, s)
    pw, ph = LETTER  # portrait media box
    lw, lh = ph, pw  # the landscape page as it shows
    angle = rng.choice((90, 270))
    cover = rng.random() < 0.4
    c = Canvas(out, pagesize=(pw, ph), invariant=True, pageCompression=1)
    # reportlab writes a turned page's media box from its *displayed* size: landscape here,
    # so the media box stays portrait (612 x 792) and the drawing is turned into it
    c.setTitle(f"{s.lab[0]} - {s.report_number}")

    class _Pen:  # just enough of Pen for wild._put / _table_rows
        def __init__(self) -> None:
            self.c, self.font, self.bold_font, self.width, self.height, self.page = (
                c,
                font,
                bold,
                lw,
                lh,
                1,
            )

        def text(
            self,
            x: float,
            text: str,
            size: float = 9,
            bold: bool = False,
            align: str = "left",
            y: float | None = None,
        ) -> None:
            from tests.synthetic.draw import printable

            c.setFont(self.bold_font if bold else self.font, size)
            text = printable(text) if self.font == FONT else text
            {"right": c.drawRightString, "center": c.drawCentredString}.get(align, c.drawString)(
                x, y or 0, text
            )

    pen = _Pen()

    def turn() -> None:
        c.setPageSize((lw, lh))
        c.setPageRotation(angle)
        if angle == 90:
            c.transform(0, 1, -1, 0, pw, 0)
        else:
            c.transform(0, -1, 1, 0, 0, ph)

    values = _values(s)
    pairs = [(f"{s.labels[k]}:", values[k] or "") for k in FIELDS if values[k]]
    if cover:  # a portrait cover page with the metadata
        pen.width, pen.height = pw, ph
        _put(pen, 40, ph - 50, s.lab[0], 15, bold=True)
        if s.lab[1]:
            _put(pen, 40, ph - 62, s.lab[1], 7)
        _put(pen, 40, ph - 96, "Certificate of Analysis", 14, bold=True)
        y = ph - 124
        for label, value in pairs:
            _put(pen, 40, y, label, 9, bold=True)
            _put(pen, 190, y, value, 9)
            y -= 14
        _put(pen, 40, y - 20, "Results: see the following page (landscape).", 8.5)
        c.showPage()
        pen.page = 2
    pen.width, pen.height = lw, lh
    turn()
    top = lh - 36
    if not cover:
        _put(pen, 36, top, s.lab[0], 13, bold=True)
        _put(pen, lw - 36, top, "Certificate of Analysis", 12, bold=True, align="right")
        if s.lab[1]:
            _put(pen, lw - 36, top - 11, s.lab[1], 6.5, align="right")
        y = top - 28
        third = (lw - 72) / 3
        per = (len(pairs) + 2) // 3
        label_w = max(_width(pen, k, 7.5, True) for k, _ in pairs) + 6
        for n, (label, value) in enumerate(pairs):
            col, row = divmod(n, per)
            _put(pen, 36 + col * third, y - row * 11, label, 7.5, bold=True)
            _put(pen, 36 + col * third + label_w, y - row * 11, value, 7.5)
        y -= per * 11 + 12
    else:
        _put(pen, 36, top, f"{s.lab[0]} - Results", 11, bold=True)
        _put(pen, lw - 36, top, f"{s.labels['report_number']}: {s.report_number}", 8, align="right")
        y = top - 20
    heads = ("Category", "Analyte", "Method", "LOQ", "Limit", "Result", "Units", "Status")
    fractions = (0.12, 0.22, 0.13, 0.09, 0.13, 0.11, 0.09, 0.11)
    widths = [(lw - 72) * f for f in fractions]
    row_h, size = 12.5, 7.5
    rows: list[tuple[str, ...]] = [heads]
    for panel in s.panels:
        for n, cell in enumerate(panel.cells):
            cell.page = pen.page
            category = "presence" if cell.analyte.presence else cell.analyte.category
            rows.append(
                (
                    wild.SECTION["en"][panel.category] if n == 0 else "",
                    cell.label,
                    rng.choice(METHODS[category]),
                    cell.loq_text or "-",
                    _spec(cell, _factor(cell), s, rng),
                    cell.text,
                    cell.unit or "-",
                    cell.status or "-",
                )
            )
    room = int((y - 40) // row_h)
    if len(rows) > room:  # a second turned page, header repeated
        first, rest = rows[:room], rows[room:]
        _table_rows(pen, 36, y, widths, first, row_h, size, "llllrrll")
        moved = {r[1] for r in rest}
        c.showPage()
        pen.page += 1
        for panel in s.panels:
            for cell in panel.cells:
                if cell.label in moved and cell.page == pen.page - 1:
                    cell.page = pen.page
        turn()
        y = lh - 40
        rows = [heads, *rest]
    _table_rows(pen, 36, y, widths, rows, row_h, size, "llllrrll")
    c.showPage()
    c.save()
    return out.getvalue()


# --- cards (recorded after the parser was changed for the four above, to measure it afresh) --


def cards(sample: Sample, rng: random.Random) -> bytes:
    """One card per analyte, two cards a row: the name in bold, below it labelled values
    (``Result: 0.12 ppm   LOQ: 0.05 ppm   Limit: ≤ 1.0   Status: PASS``) in an order of the
    lab's own, the limit sometimes before the result; a Method line on some cards."""
    s = sample
    out = io.BytesIO()
    pen = Pen(s, out, font=_font(rng, s), footer=lambda p: _footer(p, s, None))
    top = pen.height - 46
    _put(pen, 40, top, s.lab[0], 15, bold=True)
    _put(pen, 40, top - 12, f"{rng.choice(STREETS)}, {rng.choice(CITIES)}", 7.5)
    if s.lab[1]:
        _put(pen, 40, top - 21, s.lab[1], 6.5)
    _put(
        pen,
        pen.width - 40,
        top,
        rng.choice(("Certificate of Analysis", "Test Results")),
        13,
        bold=True,
        align="right",
    )
    values = _values(s)
    pairs = [(f"{s.labels[k]}:", values[k] or "") for k in FIELDS if values[k]]
    y = top - 44
    col = (pen.width - 80) / 2
    per = (len(pairs) + 1) // 2
    label_w = max(_width(pen, k, 8.5, True) for k, _ in pairs) + 6
    for n, (label, value) in enumerate(pairs):
        c, r = divmod(n, per)
        _put(pen, 40 + c * col, y - r * 12, label, 8.5, bold=True)
        _put(pen, 40 + c * col + label_w, y - r * 12, value, 8.5)
    y -= per * 12 + 16
    order = rng.choice(
        (
            ("Result", "LOQ", "Limit", "Status"),
            ("Limit", "Result", "Status"),
            ("Result", "Limit", "LOQ", "Status"),
        )
    )
    with_method = rng.random() < 0.5
    card_h = 34.0 if with_method else 25.0
    for panel in s.panels:
        if y < 120:
            pen.new_page()
            y = pen.height - 50
        _grey(pen, 0.88)
        pen.c.rect(40, y - 4, pen.width - 80, 14, stroke=0, fill=1)
        _grey(pen, 0)
        _put(pen, 44, y, wild.SECTION["en"][panel.category], 9, bold=True)
        y -= 20
        for n, cell in enumerate(panel.cells):
            x = 40 + (n % 2) * col
            if n % 2 == 0 and y - card_h < 60:
                pen.new_page()
                y = pen.height - 50
            cell.page = pen.page
            _put(pen, x, y, cell.label, 9, bold=True)
            unit = f" {cell.unit}" if cell.unit else ""
            loq = f"{cell.loq_text}{unit}" if cell.loq_text else "-"
            words = {
                "Result": f"{cell.text}{unit}"
                if cell.truth["qualifier"] in ("=", "<")
                else cell.text,
                "LOQ": loq,
                "Limit": _spec(cell, _factor(cell), s, rng),
                "Status": cell.status or "-",
            }
            xx = x + 10
            for key in order:
                text = f"{key}: {words[key]}"
                _put(pen, xx, y - 11, text, 7.5)
                xx += _width(pen, text, 7.5) + 14
            if with_method:
                category = "presence" if cell.analyte.presence else cell.analyte.category
                _put(pen, x + 10, y - 20, f"Method: {rng.choice(METHODS[category])}", 6.5)
            if n % 2 == 1 or n == len(panel.cells) - 1:
                y -= card_h
        y -= 8
    _signature(pen, max(y - 16, 60), rng)
    pen.finish()
    return out.getvalue()
