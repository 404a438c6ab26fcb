"""Two more families, written before the parser was changed for them (issue 8, results tables).

They are scored on first sight (``bench/first_sight.csv``) and exercise table mechanisms
in layouts the parser was never tuned on:

``limitcol``
    one ruled-less table per panel whose limit column (``Action Level``, ``Specification``,
    ``Max``, ``Max. Limit``) is printed *beside* the result, before or after it, often
    with its own unit (``20.0 ppb``), while many results read ``ND``, ``<LOD``, ``Absent``
    or (on counts) ``ND`` in ``CFU/g``. Around the tables: a criterion sentence under the
    alkaloids (``Criterion for 7-OH: ≤ 2 % of total alkaloids``), a cannabinoid serving
    panel whose unit is ``MG`` or ``mg/unit`` (no result of ours), a foreign-matter panel
    with a ``Mold (visible)`` row (not the mould count), then an inline
    ``Moisture: 8.4 %`` line.
``horizontal``
    analytes as column titles with one row of values below and no row title
    (``TPC  yeasts  moulds  E.coli  g. Salmonella`` over ``2,4.10^4  <50  <50  <10
    negative``); abbreviations defined only in a footnote (``TPC – total plate count``,
    ``CPM – colony count of aerobic mesophiles``); genus marks (``g.``, ``r.``); metals
    the same way under a heading with the unit; an index table (test / method / page /
    outcome) on the first lines that is not a result; a criterion sentence.

The truth is built as for the other families: every printed cell carries its meaning.
"""

from __future__ import annotations

import io
import math
import random
from typing import Any

from tests.synthetic.draw import Pen
from tests.synthetic.model import Panel, Sample, pick
from tests.synthetic.values import (
    ALKALOIDS,
    METALS,
    MICROBES,
    MYCOTOXINS,
    PHYSICAL,
    SPLIT_FUNGI,
    Analyte,
    Cell,
    Style,
    count_text,
    measure,
    significant,
)
from tests.synthetic.wild import _font, _pairs, _put, _title, _width, build_panels, new_sample

LIMIT_WORDS = ("Action Level", "Specification", "Max", "Max. Limit", "Limit", "Acceptance Criteria")


# --- limitcol ------------------------------------------------------------------------


def _nd_heavy(cell: Cell, style: Style, rng: random.Random) -> None:
    """Print many results as ND / <LOD / Absent (the meaning goes into the truth)."""
    a = cell.analyte
    if a.presence or cell.truth["qualifier"] != "=" or a.code in ("mitragynine", "total_alkaloids"):
        return
    if a.category == "physical" or rng.random() > 0.45:
        return
    canon = a.canonical_unit
    if a.category == "microbial":  # a count read as ND stays a censored count
        cell.text, cell.truth = (
            "ND",
            {
                "value": None,
                "unit": "CFU/g",
                "qualifier": "nd",
                "lab_status": cell.truth["lab_status"],
            },
        )
        return
    word = rng.choice((style.nd, "ND", "<LOD", "< LOD"))
    if "LOD" in word:
        cell.text = word
        cell.truth = {
            "value": None,
            "unit": canon,
            "qualifier": "<",
            "lab_status": cell.truth["lab_status"],
        }
    else:
        cell.text = word
        cell.truth = {
            "value": None,
            "unit": canon,
            "qualifier": "nd",
            "lab_status": cell.truth["lab_status"],
        }
    if cell.truth["lab_status"] == "fail":
        cell.truth["lab_status"], cell.status = "pass", "Pass"


def _limit_text(cell: Cell, rng: random.Random) -> str:
    """A limit as such columns print it, often with its own unit."""
    a = cell.analyte
    if a.presence:
        return rng.choice(("Absent in 25 g", "Negative/25g", "Not Detected"))
    if a.category == "alkaloid":
        return (
            "≤ 2.0 %"
            if a.code == "7_hydroxymitragynine"
            else rng.choice(("Report", "0.5 - 2.0 %", "N/A"))
        )
    if a.limit is None:
        return rng.choice(("N/A", "--", "Report"))
    if a.category == "microbial":
        return rng.choice(
            (f"{int(a.limit):,} CFU/g", f"10^{len(str(int(a.limit))) - 1}", f"{int(a.limit):,}")
        )
    factor = (
        {"ppb": 1000.0, "µg/kg": 1000.0}.get(cell.unit, 1.0)
        if a.category == "heavy_metal"
        else {"ppm": 0.001, "mg/kg": 0.001}.get(cell.unit, 1.0)
    )
    value = f"{a.limit * factor:g}"
    return rng.choice((f"{value} {cell.unit}", value, f"≤ {value}", f"NMT {value} {cell.unit}"))


def limitcol_sample(rng: random.Random) -> Sample:
    sample = new_sample(rng, "limitcol")
    build_panels(sample, rng, per_row_units=True)
    for panel in sample.panels:
        for cell in panel.cells:
            _nd_heavy(cell, sample.style, rng)
    return sample


def limitcol(sample: Sample, rng: random.Random) -> bytes:
    """(17) Limit columns beside ND results, a serving panel in MG, foreign matter, inline moisture."""
    out = io.BytesIO()
    pen = Pen(sample, out, font=_font(rng, sample))
    s = sample
    y = pen.height - 44
    _put(pen, 42, y, s.lab[0], 14, bold=True)
    _put(pen, pen.width - 42, y, _title(s, rng), 11, bold=True, align="right")
    y -= 12
    _put(pen, 42, y, "88 Research Park Dr, Gainesville, FL 32606", 7.5)
    y -= 22
    label_w = max(_width(pen, k, 8.5, True) for k, _v in _pairs(s)) + 8
    for key, value in _pairs(s):
        _put(pen, 42, y, key, 8.5, bold=True)
        _put(pen, 42 + label_w, y, value, 8.5)
        y -= 11.5
    y -= 14
    limit_word = rng.choice(LIMIT_WORDS)
    limit_first = rng.random() < 0.5
    size = rng.choice((8.0, 8.5))
    xs = (42.0, 210.0, 320.0, 420.0, 490.0) if limit_first else (42.0, 210.0, 290.0, 400.0, 490.0)
    heads = (
        ("Analyte", limit_word, "Result", "Units", "Status")
        if limit_first
        else ("Analyte", "Result", "Units", limit_word, "Status")
    )
    physical = [p for p in s.panels if p.category == "physical"]
    for panel in [p for p in s.panels if p.category != "physical"]:
        if y - 14 * (len(panel.cells) + 3) < 70:
            pen.c.showPage()
            pen.page += 1
            y = pen.height - 50
        _put(pen, 42, y, panel.title.upper(), 9.5, bold=True)
        y -= 14
        for x, head in zip(xs, heads, strict=True):
            _put(pen, x, y, head, size, bold=True)
        pen.c.setLineWidth(0.5)
        pen.c.line(42, y - 3, pen.width - 42, y - 3)
        y -= 13
        for cell in panel.cells:
            cell.page = pen.page
            limit = _limit_text(cell, rng)
            row = (
                (cell.label, limit, cell.text, cell.unit, cell.status)
                if limit_first
                else (cell.label, cell.text, cell.unit, limit, cell.status)
            )
            for x, text in zip(xs, row, strict=True):
                _put(pen, x, y, text, size)
            y -= 12
        if panel.category == "alkaloid":
            y -= 4
            _put(
                pen,
                42,
                y,
                rng.choice(
                    (
                        "Criterion for 7-OH: ≤ 2 % of total alkaloids",
                        "Acceptance criterion for 7-OH-MG: not more than 2 % of total alkaloids",
                        "Criterion for mitragynine: 0.5 - 2.0 % (w/w)",
                    )
                ),
                7.5,
            )
            y -= 12
        y -= 12
    y = _serving_panel(pen, y, rng, size)
    y = _foreign_panel(pen, y, rng, size)
    for panel in physical:
        for cell in panel.cells:
            cell.page = pen.page
            _put(pen, 42, y, f"{cell.label}: {cell.text} {cell.unit}".strip(), 9)
            y -= 13
    _put(
        pen,
        42,
        max(y - 10, 50),
        "Results relate only to the sample tested. Approved: R. Castillo, QA",
        7.5,
    )
    pen.c.showPage()
    pen.c.save()
    return out.getvalue()


def _serving_panel(pen: Pen, y: float, rng: random.Random, size: float) -> float:
    """Cannabinoids per serving: ``CBD  25.23 MG`` and ``mg/unit`` rows that are no result of ours."""
    if y < 160:
        pen.c.showPage()
        pen.page += 1
        y = pen.height - 50
    _put(
        pen,
        42,
        y,
        rng.choice(("CANNABINOIDS (PER SERVING)", "POTENCY PER UNIT", "Cannabinoid Profile")),
        9.5,
        bold=True,
    )
    y -= 14
    mg_word = rng.choice(("MG", "mg/unit", "mg/serving"))
    for x, head in zip((42.0, 210.0, 320.0), ("Cannabinoid", "Amount", "Units"), strict=True):
        _put(pen, x, y, head, size, bold=True)
    y -= 13
    for name in ("CBD", "CBG", "Total THC", "Total Cannabinoids"):
        _put(pen, 42, y, name, size)
        _put(pen, 210, y, f"{rng.uniform(0.2, 30):.2f}", size)
        _put(pen, 320, y, mg_word, size)
        y -= 12
    return y - 12


def _foreign_panel(pen: Pen, y: float, rng: random.Random, size: float) -> float:
    """Foreign matter: a ``Mold (visible)`` row that is not the mould count."""
    _put(pen, 42, y, rng.choice(("FOREIGN MATTER", "Filth and Foreign Material")), 9.5, bold=True)
    y -= 14
    for x, head in zip((42.0, 210.0, 320.0), ("Test", "Result", "Limit"), strict=True):
        _put(pen, x, y, head, size, bold=True)
    y -= 13
    for name, value, limit in (
        ("Mold (visible)", rng.choice(("Absent", "None seen", "Present")), "Absent"),
        ("Insects / Hair", "None observed", "None"),
        ("Stems > 5 mm", f"{rng.uniform(0.1, 3):.1f} %", "5 %"),
    ):
        for x, text in zip((42.0, 210.0, 320.0), (name, value, limit), strict=True):
            _put(pen, x, y, text, size)
        y -= 12
    return y - 12


# --- horizontal ----------------------------------------------------------------------

_A = {a.code: a for a in MICROBES + METALS + PHYSICAL + ALKALOIDS + MYCOTOXINS}
#: (printed header, footnote definition) for the total aerobic count.
TOTAL_COUNT_ABBR = (
    ("TPC", "TPC – total plate count at 30 °C"),
    ("CPM", "CPM – colony count of aerobic mesophilic microorganisms"),
    ("TAMC", "TAMC = total aerobic microbial count"),
    ("TVC", "TVC: total viable count (aerobic plate count)"),
)
FUNGI_ABBR = (("TYMC", "TYMC = total yeast and mould count"), ("YM", "YM – yeasts and moulds"))


def _count_cell(analyte: Analyte, style: Style, rng: random.Random, label: str) -> Cell:
    """A count (also for E. coli and Enterobacteriaceae): a number, ``<n`` or ``ND``."""
    roll = rng.random()
    if roll < 0.35 and analyte.code != "total_aerobic_count":
        loq = rng.choice((10, 50, 100))
        text = f"<{loq}"
        truth: dict[str, Any] = {"value": float(loq), "unit": "CFU/g", "qualifier": "<"}
    elif roll < 0.45 and analyte.code != "total_aerobic_count":
        text, truth = "ND", {"value": None, "unit": "CFU/g", "qualifier": "nd"}
    else:
        low, high = (analyte.low or 10, analyte.high or 1e3)
        count = significant(10 ** rng.uniform(math.log10(low), math.log10(high)))
        text = count_text(count, style)
        truth = {"value": count, "unit": "CFU/g", "qualifier": "="}
    truth["lab_status"] = None
    return Cell(analyte, label, text, "CFU/g", "", "", truth)


def _presence_cell(analyte: Analyte, rng: random.Random, label: str) -> Cell:
    detected = rng.random() < 0.08
    text = (
        rng.choice(("positive", "detected in 25 g"))
        if detected
        else rng.choice(("negative", "not detected in 25 g", "absent/25 g", "neg."))
    )
    truth = {
        "value": None,
        "unit": None,
        "qualifier": "detected" if detected else "not_detected",
        "lab_status": None,
    }
    return Cell(analyte, label, text, "", "", "", truth)


def horizontal_sample(rng: random.Random) -> Sample:
    sample = new_sample(rng, "horizontal")
    comma = rng.random() < 0.6
    sample.style = Style(
        decimal_comma=comma,
        thousands=False,
        sci="dot10" if comma else rng.choice(("E", "x10")),
        nd="ND",
        lt_loq="<LOQ",
        absent="negative",
        present="positive",
    )
    style = sample.style
    total_abbr = rng.choice(TOTAL_COUNT_ABBR)
    split = rng.random() < 0.6
    micro: list[Cell] = [_count_cell(_A["total_aerobic_count"], style, rng, total_abbr[0])]
    notes = [total_abbr[1]]
    if split:
        fungi = [
            ("yeasts", rng.choice(("yeasts", "Yeasts"))),
            ("molds", rng.choice(("moulds", "Moulds", "molds"))),
        ]
        micro += [_count_cell(_fungus(code), style, rng, label) for code, label in fungi]
    else:
        abbr = rng.choice(FUNGI_ABBR)
        micro.append(_count_cell(_A["yeast_and_mold"], style, rng, abbr[0]))
        notes.append(abbr[1])
    mark = rng.choice(("g.", "r."))
    micro.append(_count_cell(_A["e_coli"], style, rng, rng.choice(("E.coli", "E. coli"))))
    if rng.random() < 0.6:
        micro.append(
            _count_cell(
                _A["enterobacteriaceae"], style, rng, rng.choice(("Enterobacteriaceae", "EB"))
            )
        )
        if micro[-1].label == "EB":
            notes.append("EB – Enterobacteriaceae")
    micro.append(_presence_cell(_A["salmonella"], rng, f"{mark} Salmonella"))
    sample.panels.append(Panel("microbial", "Microbiological examination", micro))
    metals = [measure(a, "mg/kg", style, rng) for a in pick(rng, METALS, 3)]
    for cell in metals:
        cell.label = {
            "lead": "Pb",
            "arsenic": "As",
            "cadmium": "Cd",
            "mercury": "Hg",
            "nickel": "Ni",
            "chromium": "Cr",
        }[cell.analyte.code]
        cell.unit = "mg/kg"
        cell.status, cell.truth["lab_status"] = "", None
    sample.panels.append(Panel("heavy_metal", "Heavy metals (mg/kg)", metals, "mg/kg"))
    alkaloids = [measure(a, "%", style, rng) for a in pick(rng, ALKALOIDS[:5], 2)]
    for cell in alkaloids:
        cell.label = rng.choice(cell.analyte.en)
        cell.status, cell.truth["lab_status"] = "", None
    sample.panels.append(Panel("alkaloid", "Alkaloids (HPLC-DAD)", alkaloids))
    sample.labels = {**sample.labels, "_notes": " ; ".join(notes)}
    return sample


def _fungus(code: str) -> Analyte:
    return next(a for a in SPLIT_FUNGI if a.code == code)


def horizontal(sample: Sample, rng: random.Random) -> bytes:
    """(18) Index table, horizontal micro and metal tables without row titles, footnoted abbreviations."""
    out = io.BytesIO()
    pen = Pen(sample, out, font=_font(rng, sample))
    s = sample
    y = pen.height - 44
    _put(pen, pen.width / 2, y, s.lab[0], 14, bold=True, align="center")
    y -= 20
    _put(pen, pen.width / 2, y, _title(s, rng), 12, bold=True, align="center")
    y -= 24
    label_w = max(_width(pen, k, 8.5, True) for k, _v in _pairs(s)) + 8
    for key, value in _pairs(s):
        _put(pen, 42, y, key, 8.5, bold=True)
        _put(pen, 42 + label_w, y, value, 8.5)
        y -= 11.5
    y -= 12
    y = _index_table(pen, y, s, rng)
    size = rng.choice((8.0, 8.5))
    micro, metals, alkaloids = s.panels
    # alkaloids: a plain vertical table with a criterion sentence below
    _put(pen, 42, y, alkaloids.title, 10, bold=True)
    y -= 14
    for x, head in zip((42.0, 260.0, 340.0), ("Parameter", "Result", "Unit"), strict=True):
        _put(pen, x, y, head, size, bold=True)
    y -= 13
    for cell in alkaloids.cells:
        cell.page = pen.page
        for x, text in zip((42.0, 260.0, 340.0), (cell.label, cell.text, cell.unit), strict=True):
            _put(pen, x, y, text, size)
        y -= 12
    y -= 4
    _put(
        pen,
        42,
        y,
        "Criterion for 7-OH: ≤ 2 % of total alkaloids; mitragynine is reported for information.",
        7.5,
    )
    y -= 22
    y = _across(pen, y, micro, rng, size, units_line=rng.random() < 0.5)
    y = _across(pen, y, metals, rng, size, units_line=False)
    _put(pen, 42, y, "Abbreviations: " + s.labels["_notes"] + ".", 7)
    y -= 10
    _put(
        pen,
        42,
        y,
        f"Counts in CFU/g; {s.panels[0].cells[-1].label.split()[0]} = genus; presence tests in 25 g.",
        7,
    )
    y -= 10
    _put(pen, 42, y - 10, "Protocol approved by: Ing. P. Dvořák, head of laboratory", 8)
    pen.c.showPage()
    pen.c.save()
    return out.getvalue()


def _index_table(pen: Pen, y: float, s: Sample, rng: random.Random) -> float:
    """Test / method / page / outcome: an index of the report, not its results."""
    _put(pen, 42, y, "Summary of tests", 10, bold=True)
    y -= 14
    xs = (42.0, 230.0, 380.0, 440.0)
    for x, head in zip(xs, ("Test", "Method", "Page", "Outcome"), strict=True):
        _put(pen, x, y, head, 8, bold=True)
    y -= 12
    salmonella = s.panels[0].cells[-1].label.split()[-1]
    rows = (
        ("Mitragynine", "HPLC-DAD SOP 12", "1", "complies"),
        ("Lead, cadmium, mercury", "ICP-MS EN 15763", "1", "complies"),
        (salmonella, "ISO 6579-1", "1", rng.choice(("complies", "see results"))),
        ("Aerobic count", "ISO 4833-1", "1", "complies"),
    )
    for row in rows:
        for x, text in zip(xs, row, strict=True):
            _put(pen, x, y, text, 8)
        y -= 11
    return y - 16


def _across(
    pen: Pen, y: float, panel: Panel, rng: random.Random, size: float, units_line: bool
) -> float:
    """Analytes as column titles, one row of values below, no row title."""
    _put(pen, 42, y, panel.title, 10, bold=True)
    y -= 16
    n = len(panel.cells)
    width = (pen.width - 84) / n
    for k, cell in enumerate(panel.cells):
        _put(pen, 42 + width * (k + 0.5), y, cell.label, size, bold=True, align="center")
    y -= 12
    if units_line:
        for k, cell in enumerate(panel.cells):
            _put(
                pen,
                42 + width * (k + 0.5),
                y,
                f"({cell.unit})" if cell.unit else "(in 25 g)",
                7,
                align="center",
            )
        y -= 11
    pen.c.setLineWidth(0.5)
    pen.c.line(42, y + 8, pen.width - 42, y + 8)
    for k, cell in enumerate(panel.cells):
        cell.page = pen.page
        _put(pen, 42 + width * (k + 0.5), y - 2, cell.text, size, align="center")
    return y - 26


# --- stacked -------------------------------------------------------------------------


def stacked_sample(rng: random.Random) -> Sample:
    """Metals, alkaloids (with mg/serving), a horizontal micro panel, mycotoxins, moisture."""
    sample = new_sample(rng, "stacked")
    style = sample.style
    metals = [measure(a, rng.choice(("ppm", "mg/kg")), style, rng) for a in pick(rng, METALS, 3)]
    alkaloids = [measure(a, "%", style, rng) for a in pick(rng, ALKALOIDS[:5], 2)]
    micro_codes = ("total_aerobic_count", "yeast_and_mold", "total_coliforms")
    total_abbr, fungi_abbr = rng.choice(TOTAL_COUNT_ABBR), rng.choice(FUNGI_ABBR)
    labels = {
        "total_aerobic_count": total_abbr[0],
        "yeast_and_mold": fungi_abbr[0],
        "total_coliforms": rng.choice(("Coliforms", "Total coliforms")),
    }
    micro = [_count_cell(_A[code], style, rng, labels[code]) for code in micro_codes]
    micro.append(_presence_cell(_A["salmonella"], rng, rng.choice(("Salmonella", "g. Salmonella"))))
    micro.append(_presence_cell(_A["e_coli"], rng, rng.choice(("E. coli", "E.coli"))))
    for cells in (metals, alkaloids):
        for cell in cells:
            cell.label = rng.choice(cell.analyte.en)
            _nd_heavy(cell, style, rng)
    moisture = measure(_A["moisture"], "%", style, rng)
    moisture.label = rng.choice(("Moisture", "Moisture content", "Loss on drying"))
    if moisture.label == "Loss on drying":
        moisture.label = "Moisture"
    sample.panels += [
        Panel("heavy_metal", "Heavy Metals", metals),
        Panel("alkaloid", "Alkaloids", alkaloids),
        Panel("microbial", "Microbiology (CFU/g)", micro),
        Panel("physical", "Physical", [moisture]),
    ]
    sample.labels = {**sample.labels, "_notes": f"{total_abbr[1]}; {fungi_abbr[1]}"}
    return sample


def stacked(sample: Sample, rng: random.Random) -> bytes:
    """(19) Landscape, two stacks whose rows do not line up: left metals (spec before result),
    terpenes and foreign matter (out of scope) then an inline moisture line; right alkaloids
    with a per-serving column and a criterion, and a horizontal micro panel whose
    abbreviations are defined under it."""
    from reportlab.lib.pagesizes import LETTER, landscape

    out = io.BytesIO()
    pen = Pen(sample, out, size=landscape(LETTER), font=_font(rng, sample))
    s = sample
    metals, alkaloids, micro, physical = s.panels
    top = pen.height - 36
    _put(pen, 36, top, s.lab[0], 15, bold=True)
    _put(pen, pen.width - 36, top, _title(s, rng), 11, bold=True, align="right")
    y = top - 24
    pairs = _pairs(s)
    half = (len(pairs) + 1) // 2
    for n, (key, value) in enumerate(pairs):
        x = 36 if n < half else 400
        row = n if n < half else n - half
        _put(pen, x, y - 11 * row, key, 8, bold=True)
        _put(pen, x + 110, y - 11 * row, value, 8)
    start = y - 11 * half - 22
    size = 7.5
    # left stack
    y = start
    _put(pen, 36, y, "HEAVY METALS", 9, bold=True)
    y -= 13
    spec = rng.choice(("Specification", "Spec. Limit", "Max"))
    xs = (36.0, 150.0, 230.0, 290.0)
    for x, head in zip(xs, ("Analyte", spec, "Result", "Units"), strict=True):
        _put(pen, x, y, head, size, bold=True)
    y -= 12
    for cell in metals.cells:
        cell.page = 1
        for x, text in zip(
            xs, (cell.label, _limit_text(cell, rng), cell.text, cell.unit), strict=True
        ):
            _put(pen, x, y, text, size)
        y -= 12.5
    y -= 10
    _put(pen, 36, y, rng.choice(("TERPENES", "Terpene Profile")), 9, bold=True)
    y -= 13
    for name in ("beta-Myrcene", "Limonene", "beta-Caryophyllene"):
        _put(pen, 36, y, name, size)
        _put(pen, 230, y, f"{rng.uniform(0.05, 0.9):.2f}", size)
        _put(pen, 290, y, "%", size)
        y -= 12.5
    y -= 10
    _put(pen, 36, y, rng.choice(("FOREIGN MATTER", "Filth / Foreign Material")), 9, bold=True)
    y -= 13
    for name, value in (
        ("Mould (visible)", rng.choice(("Absent", "Present"))),
        ("Insects", "None"),
    ):
        _put(pen, 36, y, name, size)
        _put(pen, 230, y, value, size)
        y -= 12.5
    y -= 6
    for cell in physical.cells:
        cell.page = 1
        _put(pen, 36, y, f"{cell.label}: {cell.text} {cell.unit}", 8.5)
        y -= 13
    # right stack (rows of another height, starting a little lower)
    x0 = 420.0
    y = start - rng.uniform(5, 12)
    _put(pen, x0, y, "ALKALOIDS (HPLC)", 9, bold=True)
    y -= 14
    grams = rng.choice((1.0, 2.0))
    xs = (x0, x0 + 130, x0 + 190, x0 + 250)
    for x, head in zip(xs, ("Compound", "Result (%)", "mg/g", "mg/serving"), strict=True):
        _put(pen, x, y, head, size, bold=True)
    y -= 14
    for cell in alkaloids.cells:
        cell.page = 1
        if cell.truth["qualifier"] == "=":
            value = float(cell.text)
            extra = (f"{value * 10:.2f}", f"{value * 10 * grams:.1f}")
        else:
            extra = (cell.text, cell.text)
        for x, text in zip(xs, (cell.label, cell.text, *extra), strict=True):
            _put(pen, x, y, text, size)
        y -= 14
    _put(pen, x0, y, f"Serving size {grams:g} g. Criterion for 7-OH: ≤ 2 % of total alkaloids.", 7)
    y -= 24
    _put(pen, x0, y, micro.title, 9, bold=True)
    y -= 15
    width = (pen.width - 36 - x0) / len(micro.cells)
    for k, cell in enumerate(micro.cells):
        _put(pen, x0 + width * (k + 0.5), y, cell.label, size, bold=True, align="center")
    y -= 13
    for k, cell in enumerate(micro.cells):
        cell.page = 1
        _put(pen, x0 + width * (k + 0.5), y, cell.text, size, align="center")
    y -= 14
    _put(pen, x0, y, s.labels["_notes"], 6.5)
    _put(pen, 36, 30, "Results relate only to the sample tested.  Reviewed by: A. Moreau, QA", 7)
    pen.c.showPage()
    pen.c.save()
    return out.getvalue()
