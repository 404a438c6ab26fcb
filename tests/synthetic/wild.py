"""Six more families, drawn to measure how the parser generalises (written without reading it).

Each differs from the first ten in ways real labs differ:

``speclimit``
    one ruled table per panel, the unit only in the result column's header
    (``Result (mg/kg)``, ``CFU/g``), a Method column full of numbers (``AOAC 2013.06``,
    ``USP <233>``), a Specification column (``≤ 1.0``, ``1.0 - 2.0``, ``NMT 10^5``)
    printed *before* the result, and a Pass/Fail column; metadata in a ruled key/value
    box at the top right.
``leaders``
    no table at all: ``Lead (Pb)¹ ........ 0.12 ppm  PASS`` lines with dotted leaders,
    footnote markers on names and values (``Lead¹``, ``ND*``, ``0.12 a``, raised or
    inline) and a footnote legend that mentions analytes and numbers.
``landscape``
    a landscape page with two stacked ruled tables side by side whose rows do not line
    up, LOD and LOQ columns before the result, a page footer with telephone and licence
    numbers.
``paged``
    one long grid spanning two pages (header row repeated, a panel split across the page
    break), Method and Instrument columns, a Date Analyzed column, colony counts as
    ``1.2 x 10^3``, ``1.2×10`` with a raised exponent, ``<1.0E+01``, ``< 10``, presence as
    ``Not Detected in 1g``, ``Absent/25g``; footer ``Page 1 of 2``, phone, licence, CLIA.
``intl``
    Spanish, German or Czech labels (``Plomo``, ``Blei``, ``Olovo``), decimal comma,
    the value and unit in one cell (``0,45 mg/kg``), a limit column, local dates
    (``17.01.2024``, ``17/01/2024``, ``17. 1. 2024``), ``UFC/g``; Spanish counts may use a
    dot as thousands separator (``12.000``).
``boxed``
    a summary box at the top repeating headline results, metadata in a two-column
    ruled box, a table with Result, ± uncertainty, Units, LOD, LOQ and a Limit column
    with ranges; labels ``Manufactured by:``, ``Distributor:``, ``Lot Number``.

Fonts vary per document (DejaVu, Helvetica, Times, Courier; DejaVu for Czech) and so
do positions, row heights and sizes. The truth is built exactly as for the first ten
families (:func:`tests.synthetic.values.measure`); only the printed text is re-dressed,
never the meaning.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, timedelta

from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.pdfbase import pdfmetrics

from tests.synthetic import draw
from tests.synthetic.draw import BOLD, FONT, Pen
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
    measure,
)

A = Analyte
EXTRA_METALS = (
    A("copper", "heavy_metal", ("Copper", "Copper (Cu)", "Cu"), "měď", "Kupfer", 2.0, 15.0, 0.1),
    A(
        "antimony",
        "heavy_metal",
        ("Antimony", "Antimony (Sb)", "Sb"),
        "antimon",
        "Antimon",
        0.01,
        0.2,
        0.01,
    ),
)
EXTRA_MICROBES = (
    A(
        "listeria",
        "microbial",
        ("Listeria monocytogenes", "Listeria"),
        "Listeria monocytogenes",
        "Listeria monocytogenes",
        0,
        0,
        0,
        presence=True,
    ),
    A(
        "aspergillus_flavus",
        "microbial",
        ("Aspergillus flavus", "A. flavus"),
        "Aspergillus flavus",
        "Aspergillus flavus",
        0,
        0,
        0,
        presence=True,
    ),
)

#: Spanish labels (Czech and German come from the analyte table, capitalised or with a symbol).
ES = {
    "mitragynine": "Mitraginina",
    "7_hydroxymitragynine": "7-Hidroximitraginina",
    "speciogynine": "Especioginina",
    "speciociliatine": "Especiociliatina",
    "paynantheine": "Painanteína",
    "total_alkaloids": "Alcaloides totales",
    "lead": "Plomo",
    "arsenic": "Arsénico",
    "cadmium": "Cadmio",
    "mercury": "Mercurio",
    "nickel": "Níquel",
    "chromium": "Cromo",
    "copper": "Cobre",
    "antimony": "Antimonio",
    "total_aerobic_count": "Recuento de aerobios mesófilos",
    "yeast_and_mold": "Mohos y levaduras",
    "total_coliforms": "Coliformes totales",
    "enterobacteriaceae": "Enterobacterias",
    "salmonella": "Salmonella spp.",
    "e_coli": "Escherichia coli",
    "staphylococcus_aureus": "Staphylococcus aureus",
    "yeasts": "Levaduras",
    "molds": "Mohos",
    "aflatoxin_b1": "Aflatoxina B1",
    "aflatoxin_b2": "Aflatoxina B2",
    "aflatoxin_g1": "Aflatoxina G1",
    "aflatoxin_g2": "Aflatoxina G2",
    "total_aflatoxins": "Aflatoxinas totales",
    "ochratoxin_a": "Ocratoxina A",
    "moisture": "Humedad",
    "water_activity": "Actividad de agua",
}
SYMBOLS = {
    "lead": "Pb",
    "arsenic": "As",
    "cadmium": "Cd",
    "mercury": "Hg",
    "nickel": "Ni",
    "chromium": "Cr",
    "copper": "Cu",
    "antimony": "Sb",
}

LABS = (
    ("Northstar Analytical Services", None),
    ("Blue Ridge Phytochemistry Lab", "A2LA #6120.02"),
    ("Kestrel Labs, Inc.", "ISO/IEC 17025:2017 PJLA #L21-118"),
    ("Summit BioAnalytics", None),
    ("Harbor Point Testing LLC", "ANAB L2417"),
)
INTL_LABS = {
    "es": (
        ("Laboratorio Analítico Iberia S.L.", "ENAC 1187/LE2290"),
        ("Laboratorios Botánicos del Sur S.A.", None),
    ),
    "de": (("Phytolab Süd GmbH", "DAkkS D-PL-20411-01-00"), ("Labor Dr. Hartmann GmbH", None)),
    "cz": (("LabTech Olomouc s.r.o.", "ČIA 1521"), ("Fytolab Morava s.r.o.", None)),
}
VENDORS = (
    "Lotus Leaf Imports LLC",
    "Mitra Botanica Distributors",
    "Tropical Kratom Traders",
    "Coastal Herbals, Inc.",
    "Kapuas River Supply Co.",
    "Blue Lotus Wellness LLC",
)
INTL_VENDORS = {
    "es": ("Hierbas del Sur S.L.", "Botánica Mediterránea S.A."),
    "de": ("Naturwaren Becker KG", "Grünblatt Handels GmbH"),
    "cz": ("Kratomárna s.r.o.", "Bylinky Jih s.r.o."),
}
PRODUCTS = {
    "en": (
        "Red Vein Kali Capsules",
        "Green Horn Kratom Tea Cut",
        "White Kapuas Powder 250 g",
        "Yellow Vietnam Kratom Powder",
        "Maeng Da Extract Tablets",
    ),
    "es": ("Kratom Rojo Bali en polvo", "Kratom Verde Malayo 100 g"),
    "de": ("Kratom Pulver Grün Malay", "Kratom Kapseln Rot Borneo"),
    "cz": ("Kratom Red Bali prášek 100 g", "Kratom Green Malay kapsle"),
}
LABELS = {
    "en": {
        "vendor": ("Customer:", "Distributor:", "Manufactured by:", "Client Name:", "Company:"),
        "product": ("Product:", "Sample Description:", "Product Name:", "Item:"),
        "batch": ("Batch #", "Lot No.", "Lot Number", "Batch Number:", "Lot/Batch:"),
        "sample_id": ("Sample ID:", "Lab Sample #", "Laboratory ID:"),
        "report_number": ("Report #", "Certificate No.", "Report Number:", "CoA Number:"),
        "received": ("Date Received:", "Received On:", "Receipt Date:"),
        "tested": ("Date Tested:", "Analysis Date:", "Test Date:"),
        "reported": ("Date Reported:", "Issue Date:", "Report Date:"),
    },
    "es": {
        "vendor": ("Cliente:", "Solicitante:"),
        "product": ("Producto:", "Descripción de la muestra:"),
        "batch": ("Lote:", "Nº de lote:"),
        "sample_id": ("Nº de muestra:", "Código de muestra:"),
        "report_number": ("Informe Nº:", "Nº de informe:"),
        "received": ("Fecha de recepción:",),
        "tested": ("Fecha de análisis:",),
        "reported": ("Fecha de emisión:", "Fecha del informe:"),
    },
    "de": {
        "vendor": ("Auftraggeber:", "Kunde:"),
        "product": ("Produkt:", "Probenbezeichnung:"),
        "batch": ("Chargennummer:", "Los-Nr.:", "Charge:"),
        "sample_id": ("Proben-Nr.:", "Labornummer:"),
        "report_number": ("Berichtsnummer:", "Prüfbericht-Nr.:"),
        "received": ("Probeneingang:", "Eingangsdatum:"),
        "tested": ("Prüfzeitraum:", "Analysedatum:"),
        "reported": ("Berichtsdatum:", "Datum:"),
    },
    "cz": {
        "vendor": ("Zadavatel:", "Zákazník:"),
        "product": ("Název vzorku:", "Popis vzorku:"),
        "batch": ("Šarže:", "Číslo šarže:"),
        "sample_id": ("Laboratorní číslo vzorku:",),
        "report_number": ("Číslo protokolu:",),
        "received": ("Datum přijetí vzorku:",),
        "tested": ("Datum analýzy:",),
        "reported": ("Datum vydání:",),
    },
}
TITLES = {
    "en": (
        "Certificate of Analysis",
        "CERTIFICATE OF ANALYSIS",
        "Analytical Report",
        "Test Report",
    ),
    "es": ("CERTIFICADO DE ANÁLISIS", "Informe de ensayo"),
    "de": ("Prüfbericht", "ANALYSENZERTIFIKAT"),
    "cz": ("Protokol o zkoušce",),
}
FONT_CHOICES = (
    (FONT, BOLD),
    ("Helvetica", "Helvetica-Bold"),
    ("Times-Roman", "Times-Bold"),
    ("Courier", "Courier-Bold"),
)
METHODS = {
    "alkaloid": ("HPLC-UV", "UHPLC-DAD SOP-112", "LC-MS/MS (SOP 4.12)"),
    "heavy_metal": ("ICP-MS", "AOAC 2013.06", "USP <233>", "EPA 6020B"),
    "microbial": ("AOAC 990.12", "AOAC 997.02", "USP <2021>", "BAM Ch. 3"),
    "presence": ("AOAC 2003.09", "PCR AOAC 2013.01", "BAM Ch. 5", "USP <2022>"),
    "mycotoxin": ("LC-MS/MS", "AOAC 2008.02"),
    "physical": ("USP <731>", "AOAC 925.10", "Aqualab 4TE"),
}
INSTRUMENTS = {
    "alkaloid": "Agilent 1290",
    "heavy_metal": "Agilent 7900 ICP-MS",
    "microbial": "3M Petrifilm",
    "presence": "BAX Q7",
    "mycotoxin": "Sciex 5500",
    "physical": "Mettler HE53",
}
PHONE = ("Tel. (503) 555-0142", "Phone: 1-800-555-0199", "T: +1 720 555 0110")
LICENCES = (
    "License #: 00000034DCXN00123456",
    "Lab License No. 010-10012345",
    "CLIA #: 38D2123456",
    "DEA Reg. RK0291133",
)
WORDS = {
    "en": ("Analyte", "Result", "Units", "Status", "Limit", "Method"),
    "es": ("Parámetro", "Resultado", "Unidades", "Conformidad", "Límite", "Método"),
    "de": ("Parameter", "Ergebnis", "Einheit", "Beurteilung", "Grenzwert", "Methode"),
    "cz": ("Ukazatel", "Výsledek", "Jednotka", "Hodnocení", "Limit", "Metoda"),
}
SECTION = {
    "en": {
        "alkaloid": "Alkaloid Profile",
        "heavy_metal": "Heavy Metals",
        "microbial": "Microbiological",
        "mycotoxin": "Mycotoxins",
        "physical": "Physical Tests",
    },
    "es": {
        "alkaloid": "Alcaloides",
        "heavy_metal": "Metales pesados",
        "microbial": "Microbiología",
        "mycotoxin": "Micotoxinas",
        "physical": "Parámetros físicos",
    },
    "de": {
        "alkaloid": "Alkaloide",
        "heavy_metal": "Schwermetalle",
        "microbial": "Mikrobiologie",
        "mycotoxin": "Mykotoxine",
        "physical": "Physikalische Parameter",
    },
    "cz": {
        "alkaloid": "Alkaloidy",
        "heavy_metal": "Těžké kovy",
        "microbial": "Mikrobiologie",
        "mycotoxin": "Mykotoxiny",
        "physical": "Fyzikální parametry",
    },
}
#: How each language prints microbial counts (the parser sees them; the truth is CFU/g).
COUNT_UNIT = {"en": "CFU/g", "es": "UFC/g", "de": "KBE/g", "cz": "KTJ/g"}


# --- samples ------------------------------------------------------------------------


def _style(rng: random.Random, language: str) -> Style:
    if language == "en":
        return Style(
            sci=rng.choice(("plain", "E", "x10")),
            thousands=rng.random() < 0.6,
            nd=rng.choice(("ND", "Not Detected", "N.D.", "nd")),
            lt_loq=rng.choice(("<LOQ", "< LOQ", "<LOD", "BLQ")),
            absent=rng.choice(
                ("Not Detected in 1g", "Absent/25g", "Negative/10g", "ND in 25 g", "Absent")
            ),
            present=rng.choice(("Detected", "Present/25g", "Positive")),
            pass_word=rng.choice(("Pass", "PASS", "Conforms", "Meets Spec")),
            fail_word=rng.choice(("Fail", "FAIL", "Does Not Conform")),
        )
    if language == "es":
        return Style(
            decimal_comma=True,
            thousands=False,
            sci=rng.choice(("plain", "x10", "E")),
            nd=rng.choice(("N.D.", "No detectado")),
            lt_loq="<LC",
            absent=rng.choice(("Ausencia/25 g", "Ausencia en 25 g", "No detectado en 25 g")),
            present="Presencia",
            pass_word="Conforme",
            fail_word="No conforme",
        )
    if language == "de":
        return Style(
            decimal_comma=True,
            thousands=False,
            sci=rng.choice(("plain", "x10")),
            nd="n.n.",
            lt_loq="< BG",
            absent=rng.choice(("negativ/25 g", "n.n. in 25 g")),
            present="positiv",
            pass_word=rng.choice(("entspricht", "i.O.")),
            fail_word="entspricht nicht",
        )
    return Style(
        decimal_comma=True,
        thousands=False,
        sci="x10",
        nd="n.d.",
        lt_loq="<LOQ",
        absent=rng.choice(("negativní/25 g", "nepřítomno v 25 g")),
        present="pozitivní",
        pass_word="vyhovuje",
        fail_word="nevyhovuje",
    )


def _identifiers(rng: random.Random, received: date) -> tuple[str, str | None, str]:
    y, stamp = received.strftime("%y"), received.strftime("%m%d")
    batch = rng.choice(
        (
            f"KR-{y}-{rng.randint(1, 9999):04d}",
            f"{y}{stamp}-{rng.choice(('RB', 'GH', 'WK'))}",
            f"B{rng.randint(1000, 9999)}{rng.choice('ABCDE')}",
            f"LOT{rng.randint(10000, 99999)}",
            f"{rng.choice('MGRW')}{rng.randint(10, 99)}/{received.year}",
        )
    )
    sample_id = rng.choice(
        (
            f"{y}{stamp}{rng.choice(('JH', 'KL', 'NS'))}{rng.randint(1, 99):04d}",
            f"S-{rng.randint(100000, 999999)}",
            f"{received.year}-{rng.randint(1000, 9999)}.{rng.randint(1, 9)}",
            None,
        )
    )
    report = rng.choice(
        (
            f"AR-{y}-{rng.randint(1, 999999):06d}",
            f"CoA {y}{stamp}-{rng.randint(1, 9):02d}",
            f"{rng.randint(10000, 99999)}",
            f"RPT{received.year}{rng.randint(100, 999)}",
        )
    )
    return batch, sample_id, report


def _dates(rng: random.Random) -> dict[str, date]:
    received = date(2022, 6, 1) + timedelta(days=rng.randint(0, 1000))
    tested = received + timedelta(days=rng.randint(0, 6))
    return {
        "received": received,
        "tested": tested,
        "reported": tested + timedelta(days=rng.randint(0, 7)),
    }


def new_sample(rng: random.Random, family: str, language: str = "en") -> Sample:
    """Metadata and a style (no panels yet) from this module's own labs, vendors and labels."""
    dates = _dates(rng)
    batch, sample_id, report = _identifiers(rng, dates["received"])
    labels = {k: rng.choice(v) for k, v in LABELS[language].items()}
    if language == "en":
        lab, vendor = rng.choice(LABS), rng.choice(VENDORS)
        date_format = rng.choice(("%m/%d/%Y", "%d %b %Y", "%b %d, %Y", "%Y-%m-%d", "%m/%d/%y"))
    else:
        lab, vendor = rng.choice(INTL_LABS[language]), rng.choice(INTL_VENDORS[language])
        date_format = {
            "es": rng.choice(("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")),
            "de": "%d.%m.%Y",
            "cz": rng.choice(("%d.%m.%Y", "%-d. %-m. %Y")),
        }[language]
    product = rng.choice(PRODUCTS[language])
    return Sample(
        family,
        language,
        _style(rng, language),
        lab,
        vendor,
        product,
        batch,
        sample_id,
        report,
        dates,
        date_format,
        labels,
        [],
    )


def _label(analyte: Analyte, language: str, rng: random.Random) -> str:
    if language == "es":
        label = ES[analyte.code]
    elif language == "de":
        label = analyte.de
    elif language == "cz":
        label = analyte.cz[:1].upper() + analyte.cz[1:]
    else:
        return rng.choice(analyte.en)
    if analyte.code in SYMBOLS and rng.random() < 0.5:
        label += f" ({SYMBOLS[analyte.code]})"
    return label


def _units(category: str, language: str, rng: random.Random) -> tuple[str, str]:
    """(unit the truth is computed with, unit as printed) for a panel."""
    if category == "alkaloid":
        unit = rng.choice(("%", "mg/g", "% w/w"))
        return unit, "% hm." if language == "cz" and unit == "%" else unit
    if category == "heavy_metal":
        if language == "en":
            unit = rng.choice(("ppm", "mg/kg", "µg/g", "ppb", "µg/kg"))
            return (unit, "ug/g") if unit == "µg/g" and rng.random() < 0.3 else (unit, unit)
        return ("mg/kg", "mg/kg") if rng.random() < 0.8 else ("µg/kg", "µg/kg")
    if category == "mycotoxin":
        unit = rng.choice(("ppb", "µg/kg") if language == "en" else ("µg/kg",))
        return (unit, "ng/g") if unit == "ppb" and rng.random() < 0.3 else (unit, unit)
    return "CFU/g", COUNT_UNIT[language]


def _groups(rng: random.Random, *, extra: bool) -> list[tuple[str, tuple[Analyte, ...]]]:
    metals = METALS + EXTRA_METALS if extra else METALS
    microbes = MICROBES + EXTRA_MICROBES if extra else MICROBES
    groups = [
        ("alkaloid", pick(rng, ALKALOIDS, 2)),
        ("heavy_metal", pick(rng, metals, 4)),
        ("microbial", pick(rng, microbes, 3)),
    ]
    if rng.random() < 0.35:
        groups[2] = (
            "microbial",
            tuple(a for a in groups[2][1] if a.code != "yeast_and_mold") + SPLIT_FUNGI,
        )
    if rng.random() < 0.6:
        groups.append(("mycotoxin", pick(rng, MYCOTOXINS, 2)))
    if rng.random() < 0.6:
        groups.append(("physical", pick(rng, PHYSICAL, 1)))
    return groups


def _redress(cell: Cell, sample: Sample, printed_unit: str, rng: random.Random) -> None:
    """Print a measured cell the way this document prints things (same meaning)."""
    s, lang = sample.style, sample.language
    cell.unit = printed_unit if cell.unit else cell.unit
    q = cell.truth["qualifier"]
    if cell.analyte.category == "microbial" and not cell.analyte.presence:
        if q == "<" and cell.text.startswith("<"):
            loq = int(cell.truth["value"])
            cell.text = rng.choice((f"< {loq}", f"<{loq}", f"<{loq:.1E}"))
            if s.decimal_comma:
                cell.text = cell.text.replace(".", ",")
        elif (
            q == "="
            and lang == "es"
            and cell.text.isdigit()
            and len(cell.text) > 3
            and rng.random() < 0.5
        ):
            whole = int(cell.text)
            cell.text = f"{whole:,}".replace(",", ".")
        elif q == "=" and s.sci == "x10" and "x 10^" in cell.text and rng.random() < 0.4:
            cell.text = cell.text.replace(" x 10^", "×10^")


def build_panels(
    sample: Sample, rng: random.Random, *, extra: bool = False, per_row_units: bool = False
) -> None:
    """Panels of this module's families: a printed unit per panel (or per row), relabelled analytes."""
    lang = sample.language
    for category, analytes in _groups(rng, extra=extra):
        cells = []
        truth_unit, printed = _units(category, lang, rng) if category != "physical" else ("%", "%")
        for analyte in analytes:
            if per_row_units and category in ("heavy_metal", "mycotoxin", "alkaloid"):
                truth_unit, printed = _units(category, lang, rng)
            unit = truth_unit
            if category == "physical":
                unit = printed = "aw" if analyte.code == "water_activity" else "%"
            elif analyte.presence:
                unit = printed = ""
            cell = measure(analyte, unit, sample.style, rng, fail=rng.random() < 0.06)
            cell.label = _label(analyte, lang, rng)
            _redress(cell, sample, printed, rng)
            cells.append(cell)
        sample.panels.append(Panel(category, SECTION[lang][category], cells, None))


def family_sample(
    family: str,
    language: str | Callable[[random.Random], str] = "en",
    *,
    extra: bool = False,
    per_row_units: bool = False,
) -> Callable[[random.Random], Sample]:
    def build(rng: random.Random) -> Sample:
        lang = language if isinstance(language, str) else language(rng)
        sample = new_sample(rng, family, lang)
        build_panels(sample, rng, extra=extra, per_row_units=per_row_units)
        return sample

    return build


# --- drawing helpers ----------------------------------------------------------------


def _font(rng: random.Random, sample: Sample) -> tuple[str, str]:
    return FONT_CHOICES[0] if sample.language == "cz" else rng.choice(FONT_CHOICES)


def _safe(pen: Pen, text: str) -> str:
    """``text`` in the pen's font (the standard PDF fonts have no ≤ ≥)."""
    if pen.font == FONT:
        return text
    return text.replace("≤", "<=").replace("≥", ">=")


def _width(pen: Pen, text: str, size: float, bold: bool = False) -> float:
    return pdfmetrics.stringWidth(_safe(pen, text), pen.bold_font if bold else pen.font, size)


def _put(
    pen: Pen, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "left"
) -> None:
    pen.text(x, _safe(pen, text), size, bold=bold, align=align, y=y)


def _raised(pen: Pen, x: float, y: float, text: str, size: float, mark: str) -> None:
    """``text`` then a small raised ``mark`` (a footnote or an exponent)."""
    _put(pen, x, y, text, size)
    _put(pen, x + _width(pen, text, size) + 0.5, y + size * 0.4, mark, size * 0.6)


def _title(sample: Sample, rng: random.Random) -> str:
    return rng.choice(TITLES[sample.language])


def _pairs(sample: Sample) -> list[tuple[str, str]]:
    return draw.meta_pairs(sample)


def _kv_box(
    pen: Pen,
    x0: float,
    top: float,
    width: float,
    pairs: list[tuple[str, str]],
    size: float,
    columns: int = 1,
    row_h: float = 14,
) -> float:
    """A ruled key/value box; returns its bottom y."""
    per = (len(pairs) + columns - 1) // columns
    col_w = width / columns
    label_w = max(_width(pen, k, size, True) for k, _ in pairs) + 6
    pen.c.setLineWidth(0.6)
    pen.c.rect(x0, top - per * row_h, width, per * row_h)
    for i, (key, value) in enumerate(pairs):
        col, row = divmod(i, per)
        x, y = x0 + col * col_w, top - (row + 1) * row_h
        pen.c.setLineWidth(0.3)
        pen.c.line(x0, y, x0 + width, y)
        pen.c.line(x + label_w + 2, y, x + label_w + 2, y + row_h)
        _put(pen, x + 3, y + 4, key, size, bold=True)
        _put(pen, x + label_w + 5, y + 4, value, size)
    if columns == 2:
        pen.c.line(x0 + col_w, top, x0 + col_w, top - per * row_h)
    return top - per * row_h


def _footer_text(sample: Sample, rng: random.Random) -> str:
    return f"{rng.choice(PHONE)}   |   {rng.choice(LICENCES)}   |   www.{sample.lab[0].split()[0].lower()}labs.com"


def _spec(cell: Cell, unit_factor: float, sample: Sample, rng: random.Random) -> str:
    """A specification printed for a row (numbers that are not the result)."""
    a, comma = cell.analyte, sample.style.decimal_comma

    def num(v: float) -> str:
        text = f"{v:g}"
        return text.replace(".", ",") if comma else text

    if a.presence:
        return rng.choice(("Absent in 25g", "Negative", "ND/25 g"))
    if a.category == "alkaloid":
        if a.code == "7_hydroxymitragynine":
            return f"≤ {num(2.0 * unit_factor)}"
        return rng.choice(
            ("Report", "Report only", f"{num(a.low * unit_factor)} - {num(a.high * unit_factor)}")
        )
    if a.limit is None:
        return rng.choice(("--", "Report", "N/A"))
    limit = a.limit * unit_factor
    if a.category == "microbial":
        exponent = len(str(int(a.limit))) - 1
        return rng.choice(
            (f"≤ 10^{exponent}", f"<{int(a.limit):,}", f"NMT {int(a.limit):,}", f"1.0E+0{exponent}")
        )
    return rng.choice(
        (f"≤ {num(limit)}", f"NMT {num(limit)}", f"< {num(limit)}", f"Max. {num(limit)}")
    )


def _lod_truth(cell: Cell, lod: str) -> None:
    """A ``<LOD`` result in a row that prints its LOD is below that LOD (the truth's ``value_alt``)."""
    if lod and cell.text.replace(" ", "").upper() == "<LOD" and cell.truth.get("value") is None:
        cell.truth["value_alt"] = float(f"{float(lod.replace(',', '.')) / _factor(cell):.10g}")


def _factor(cell: Cell) -> float:
    from tests.synthetic.values import UNIT_FACTORS

    if not cell.unit or cell.analyte.presence:
        return 1.0
    return UNIT_FACTORS.get(cell.analyte.category, {}).get(cell.unit, 1.0)


# --- families -----------------------------------------------------------------------


def speclimit(sample: Sample, rng: random.Random) -> bytes:
    """(11) One ruled table per panel; Method and Specification before the Result whose unit is in
    the header; a Pass/Fail column; metadata in a key/value box at the top right."""
    out = io.BytesIO()
    pen = Pen(sample, out, font=_font(rng, sample))
    s = sample
    top = pen.height - 40
    _put(pen, 40, top - 4, s.lab[0], rng.choice((13, 15, 16)), bold=True)
    _put(pen, 40, top - 18, "4410 Commerce Blvd, Unit 7, Denver, CO 80216", 7.5)
    if s.lab[1]:
        _put(pen, 40, top - 28, s.lab[1], 7.5)
    box_w = rng.uniform(250, 290)
    bottom = _kv_box(
        pen, pen.width - 40 - box_w, top, box_w, _pairs(s), rng.choice((7.5, 8)), row_h=13
    )
    y = bottom - 26
    _put(pen, pen.width / 2, y, _title(s, rng), 13, bold=True, align="center")
    y -= 24
    xs = [40.0, 222.0, 322.0, 405.0, 490.0, pen.width - 40]
    xs = [x + (rng.uniform(-6, 6) if 0 < i < 5 else 0) for i, x in enumerate(xs)]
    row_h, size = rng.choice(((14, 8), (15, 8.5), (13, 7.5)))
    spec_word = rng.choice(("Specification", "Limit", "Spec."))
    status_word = rng.choice(("Pass/Fail", "Result Status", "P/F"))
    for panel in s.panels:
        units = {c.unit for c in panel.cells if c.unit}
        header_unit = units.pop() if len(units) == 1 and panel.category != "physical" else None
        needed = row_h * (len(panel.cells) + 2) + 20
        if y - needed < 60:
            pen.c.showPage()
            pen.page += 1
            y = pen.height - 50
        _put(pen, 40, y, panel.title, 10, bold=True)
        y -= 6
        result_head = f"Result ({header_unit})" if header_unit else "Result"
        heads = ("Analyte", "Method", spec_word, result_head, status_word)
        rows: list[tuple[str, ...]] = [heads]
        for cell in panel.cells:
            cell.page = pen.page
            shown = cell.text if header_unit or not cell.unit else f"{cell.text} {cell.unit}"
            kind = "presence" if cell.analyte.presence else panel.category
            rows.append(
                (
                    cell.label,
                    rng.choice(METHODS[kind]),
                    _spec(cell, _factor(cell), s, rng),
                    shown,
                    cell.status or "--",
                )
            )
        for n, row in enumerate(rows):
            pen.c.setLineWidth(0.4)
            pen.c.line(xs[0], y, xs[-1], y)
            for x in xs:
                pen.c.line(x, y, x, y - row_h)
            for i, text in enumerate(row):
                _put(pen, xs[i] + 3, y - row_h + 4, text, size, bold=n == 0)
            y -= row_h
        pen.c.line(xs[0], y, xs[-1], y)
        y -= 22
    _put(pen, 40, max(y, 70), "Reviewed and approved by: M. Okafor, QA Manager", 8)
    pen.c.showPage()
    pen.c.save()
    return out.getvalue()


def leaders(sample: Sample, rng: random.Random) -> bytes:
    """(12) ``Name ...... value unit  status`` lines, footnote markers, a footnote legend."""
    out = io.BytesIO()
    pen = Pen(sample, out, font=_font(rng, sample))
    s = sample
    y = pen.height - 45
    _put(pen, pen.width / 2, y, s.lab[0], 15, bold=True, align="center")
    y -= 14
    _put(
        pen,
        pen.width / 2,
        y,
        "Analytical Chemistry & Microbiology  ·  " + rng.choice(PHONE),
        8,
        align="center",
    )
    y -= 26
    _put(pen, 45, y, _title(s, rng), 12, bold=True)
    y -= 20
    pairs = _pairs(s)
    if rng.random() < 0.5:  # leader-dotted metadata too
        for key, value in pairs:
            key = key.rstrip(":")
            dots = "." * max(3, int((150 - _width(pen, key, 8.5)) / _width(pen, ".", 8.5)))
            _put(pen, 45, y, f"{key} {dots} {value}", 8.5)
            y -= 12
    else:
        y = _kv_box(pen, 45, y + 9, pen.width - 90, pairs, 8, columns=2) - 10
    y -= 14
    raised = rng.random() < 0.5
    marks = rng.choice(("¹", "†", "(1)"))
    value_x = rng.uniform(330, 380)
    status_x = value_x + rng.uniform(90, 120)
    size = rng.choice((8.5, 9, 9.5))
    notes: list[str] = []
    for panel in s.panels:
        if y < 120:
            pen.c.showPage()
            pen.page += 1
            y = pen.height - 50
        _put(pen, 45, y, panel.title.upper(), 9.5, bold=True)
        y -= 14
        mark_name = panel.category == "heavy_metal" and rng.random() < 0.7
        if mark_name:
            notes.append(
                f"{marks} {panel.title} analysed by subcontract laboratory, ISO/IEC 17025 cert. 2210.01."
            )
        for cell in panel.cells:
            cell.page = pen.page
            name = cell.label
            value_mark = ""
            if cell.truth["qualifier"] in ("nd", "<") and rng.random() < 0.5:
                value_mark = "*"
            elif cell.truth["qualifier"] == "=" and rng.random() < 0.12:
                value_mark = "a"
            if mark_name and not raised:
                name += marks
                cell.label = name
            name_w = _width(pen, name, size) + (5 if mark_name and raised else 0)
            if mark_name and raised:
                _raised(pen, 55, y, name, size, marks)
            else:
                _put(pen, 55, y, name, size)
            dots_w = value_x - 6 - (55 + name_w + 4)
            dots = "." * max(2, int(dots_w / _width(pen, ".", size)))
            _put(pen, 55 + name_w + 4, y, dots, size)
            if value_mark and raised:
                _raised(pen, value_x, y, cell.text, size, value_mark)
                if cell.unit:
                    _put(pen, value_x + _width(pen, cell.text, size) + 6, y, cell.unit, size)
            else:
                sep = " " if value_mark == "a" else ""
                _put(pen, value_x, y, f"{cell.text}{sep}{value_mark} {cell.unit}".strip(), size)
            if cell.status:
                _put(pen, status_x, y, cell.status, size)
            y -= size + 4.5
        y -= 10
    notes += [
        "* ND / <LOQ: not detected at or above the limit of quantitation (LOQ 0.05 ppm for metals).",
        "a Estimated value; result between LOD and LOQ x 3.",
        "Limits: Pb 1.0 ppm, As 1.5 ppm, Cd 0.5 ppm, Hg 0.2 ppm (USP <2232> daily dose 5 g).",
    ]
    y = min(y, 110)
    for note in notes:
        _put(pen, 45, y, note, 6.8)
        y -= 9
    pen.c.showPage()
    pen.c.save()
    return out.getvalue()


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
    """A ruled table from ``y`` down; the first row is bold; returns the bottom y."""
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
            if align == "r":
                _put(pen, xs[i + 1] - 3, y - row_h + 4, text, size, bold=n == 0, align="right")
            elif align == "c":
                _put(
                    pen,
                    (xs[i] + xs[i + 1]) / 2,
                    y - row_h + 4,
                    text,
                    size,
                    bold=n == 0,
                    align="center",
                )
            else:
                _put(pen, xs[i] + 3, y - row_h + 4, text, size, bold=n == 0)
        y -= row_h
    pen.c.line(xs[0], y, xs[-1], y)
    return y


def landscape_panels(sample: Sample, rng: random.Random) -> bytes:
    """(13) Landscape; two stacks of ruled tables side by side whose rows do not line up."""
    out = io.BytesIO()
    size_page = landscape(LETTER if sample.language == "en" else A4)
    pen = Pen(sample, out, size=size_page, font=_font(rng, sample))
    s = sample
    top = pen.height - 36
    _put(pen, 36, top - 6, s.lab[0], 16, bold=True)
    _put(pen, 36, top - 20, _title(s, rng), 11, bold=True)
    pairs = _pairs(s)
    half = (len(pairs) + 1) // 2
    y_meta = top - 40
    for i, (key, value) in enumerate(pairs[:half]):
        _put(pen, 36, y_meta - i * 11, key, 8, bold=True)
        _put(pen, 36 + 105, y_meta - i * 11, value, 8)
    box_bottom = _kv_box(pen, pen.width - 36 - 300, top, 300, pairs[half:], 8, row_h=13)
    start = min(y_meta - half * 11, box_bottom) - 20
    columns = (
        [p for p in s.panels if p.category in ("alkaloid", "heavy_metal")],
        [p for p in s.panels if p.category not in ("alkaloid", "heavy_metal")],
    )
    col_w = (pen.width - 72 - 24) / 2
    for n, panels in enumerate(columns):
        x0 = 36 + n * (col_w + 24)
        y = start - (0 if n == 0 else rng.uniform(4, 9))
        row_h = (12.5, 14.5)[n] + rng.uniform(-0.5, 0.5)
        size = 7.5 if n == 0 else 7
        for panel in panels:
            _put(pen, x0, y, panel.title, 9, bold=True)
            y -= 5
            widths = [col_w * f for f in (0.3, 0.08, 0.08, 0.2, 0.1, 0.24)]
            rows: list[tuple[str, ...]] = [("Analyte", "LOD", "LOQ", "Result", "Unit", "Status")]
            for cell in panel.cells:
                cell.page = 1
                lod = ""
                if cell.loq_text:
                    try:
                        loq = float(cell.loq_text.replace(",", "."))
                        lod = f"{loq / 3:.2g}"
                        if s.style.decimal_comma:
                            lod = lod.replace(".", ",")
                    except ValueError:
                        lod = ""
                _lod_truth(cell, lod)
                rows.append(
                    (
                        cell.label,
                        lod or "-",
                        cell.loq_text or "-",
                        cell.text,
                        cell.unit or "-",
                        cell.status or "-",
                    )
                )
            y = _table_rows(pen, x0, y, widths, rows, row_h, size, "lrrrlc") - 16
    pen.c.setFont(pen.font, 6.5)
    pen.c.drawString(36, 22, f"{_footer_text(s, rng)}   |   Page 1 of 1")
    pen.c.showPage()
    pen.c.save()
    return out.getvalue()


def paged(sample: Sample, rng: random.Random) -> bytes:
    """(14) One long grid over two pages, header row repeated, Method / Instrument / Date
    Analyzed columns, counts with raised exponents, footer with page, phone and licences."""
    footer_line = _footer_text(sample, rng)
    font = _font(rng, sample)
    row_h = rng.choice((20.0, 21.0, 22.0))
    size = rng.choice((7.5, 8.0))
    widths_f = (0.27, 0.17, 0.08, 0.18, 0.16, 0.14)
    raise_exp = rng.random() < 0.5
    analyzed = sample.dates["tested"].strftime("%m/%d/%Y")
    title = _title(sample, rng)

    def render(total: int | None) -> tuple[bytes, int]:
        out = io.BytesIO()
        s = sample

        def header(pen: Pen) -> None:
            _put(pen, 40, pen.height - 40, s.lab[0], 12, bold=True)
            _put(
                pen,
                pen.width - 40,
                pen.height - 40,
                f"{s.labels['batch']} {s.batch}",
                8,
                align="right",
            )
            _put(
                pen,
                pen.width - 40,
                pen.height - 50,
                f"{s.labels['report_number']} {s.report_number}",
                8,
                align="right",
            )
            pen.c.setLineWidth(0.8)
            pen.c.line(40, pen.height - 56, pen.width - 40, pen.height - 56)
            pen.y = pen.height - 72

        def footer(pen: Pen) -> None:
            pen.c.setFont(pen.font, 6.5)
            pen.c.drawString(40, 28, footer_line)
            pen.c.drawRightString(pen.width - 40, 28, f"Page {pen.page} of {total or 2}")

        pen = Pen(s, out, header, footer, font=font)
        _put(pen, pen.width / 2, pen.y, title, 13, bold=True, align="center")
        pen.y -= 22
        for key, value in _pairs(s):
            _put(pen, 40, pen.y, key, 9, bold=True)
            _put(pen, 175, pen.y, value, 9)
            pen.y -= 13
        pen.y -= 6
        for line in (
            "The sample was received in good condition, sealed, at ambient temperature. Testing was",
            "performed per the methods listed; microbiological results are reported per gram as received.",
            "Heavy metals by ICP-MS after closed-vessel microwave digestion (0.5 g in 10 mL HNO3).",
        ):
            _put(pen, 40, pen.y, line, 8)
            pen.y -= 11
        pen.y -= 14
        width = pen.width - 80
        widths = [width * f for f in widths_f]
        heads = ("Test", "Result", "Units", "Method", "Instrument", "Date Analyzed")
        xs = [40.0]
        for w in widths:
            xs.append(xs[-1] + w)

        def grid_row(cells: tuple[str, ...], bold: bool = False, exp: str = "") -> None:
            y = pen.y
            pen.c.setLineWidth(0.4)
            pen.c.line(xs[0], y, xs[-1], y)
            pen.c.line(xs[0], y - row_h, xs[-1], y - row_h)
            for x in xs:
                pen.c.line(x, y, x, y - row_h)
            for i, text in enumerate(cells):
                if i == 1 and exp:
                    _raised(pen, xs[i] + 3, y - row_h + 5, text, size, exp)
                else:
                    _put(pen, xs[i] + 3, y - row_h + 5, text, size, bold=bold)
            pen.y -= row_h

        grid_row(heads, bold=True)
        for panel in s.panels:
            if pen.y - 2 * row_h < 70:
                pen.new_page()
                grid_row(heads, bold=True)
            _put(pen, 43, pen.y - row_h + 5, panel.title, size + 1, bold=True)
            pen.y -= row_h
            for cell in panel.cells:
                if pen.y - row_h < 70:
                    pen.new_page()
                    grid_row(heads, bold=True)
                cell.page = pen.page
                kind = "presence" if cell.analyte.presence else panel.category
                text, exp = cell.text, ""
                if raise_exp and "10^" in text:
                    text, exp = text.split("^")
                grid_row(
                    (
                        cell.label,
                        text,
                        cell.unit or "",
                        rng.choice(METHODS[kind]),
                        INSTRUMENTS[kind],
                        analyzed,
                    ),
                    exp=exp,
                )
        pen.y -= 20
        _put(
            pen,
            40,
            pen.y,
            "Results apply only to the sample as received. Approved: D. Whitfield, Lab Director",
            8,
        )
        pages = pen.page
        pen.finish()
        return out.getvalue(), pages

    state = rng.getstate()
    _data, pages = render(None)
    rng.setstate(state)
    data, _ = render(pages)
    return data


def intl_language(rng: random.Random) -> str:
    return rng.choice(("es", "es", "de", "cz"))


def intl(sample: Sample, rng: random.Random) -> bytes:
    """(15) Spanish, German or Czech: value and unit in one cell, a limit column, local dates."""
    out = io.BytesIO()
    pen = Pen(sample, out, font=_font(rng, sample))
    s, lang = sample, sample.language
    y = pen.height - 45
    _put(pen, 45, y, s.lab[0], 14, bold=True)
    if s.lab[1]:
        _put(pen, pen.width - 45, y, s.lab[1], 8, align="right")
    y -= 30
    _put(pen, pen.width / 2, y, _title(s, rng), 13, bold=True, align="center")
    y -= 24
    offset = max(_width(pen, k, 8.5, True) for k, _ in _pairs(s)) + 10
    for key, value in _pairs(s):
        _put(pen, 45, y, key, 8.5, bold=True)
        _put(pen, 45 + offset, y, value, 8.5)
        y -= 12.5
    y -= 16
    words = WORDS[lang]
    heads = (words[0], words[5], words[1], words[4], words[3])
    width = pen.width - 90
    widths = [width * f for f in (0.32, 0.2, 0.18, 0.14, 0.16)]
    row_h, size = rng.choice(((14.0, 8.0), (15.0, 8.5)))
    for panel in s.panels:
        _put(pen, 45, y, panel.title, 9.5, bold=True)
        y -= 5
        rows: list[tuple[str, ...]] = [heads]
        for cell in panel.cells:
            cell.page = 1
            kind = "presence" if cell.analyte.presence else panel.category
            shown = (
                f"{cell.text} {cell.unit}"
                if cell.unit and cell.truth["qualifier"] not in ("nd",)
                else cell.text
            )
            limit = _spec(cell, _factor(cell), s, rng)
            limit = (
                {
                    "Report": "-",
                    "Report only": "-",
                    "N/A": "-",
                    "Negative": "-",
                    "Absent in 25g": "-",
                }.get(limit, limit)
                .replace("NMT ", "≤ ")
                .replace("Max. ", "≤ ")
            )
            rows.append((cell.label, rng.choice(METHODS[kind]), shown, limit, cell.status or "-"))
        y = _table_rows(pen, 45, y, widths, rows, row_h, size, "llrcc") - 18
    closing = {
        "es": "Los resultados se refieren únicamente a la muestra ensayada.",
        "de": "Die Ergebnisse beziehen sich ausschließlich auf die untersuchte Probe.",
        "cz": "Výsledky se týkají pouze zkoušeného vzorku.",
    }[lang]
    _put(pen, 45, max(y, 60), closing, 8)
    pen.c.showPage()
    pen.c.save()
    return out.getvalue()


def boxed(sample: Sample, rng: random.Random) -> bytes:
    """(16) Summary box repeating headline results, two-column metadata box, uncertainty, LOD,
    LOQ and a Limit column with ranges."""
    out = io.BytesIO()
    pen = Pen(sample, out, font=_font(rng, sample))
    s = sample
    y = pen.height - 42
    _put(pen, pen.width - 40, y, s.lab[0], 13, bold=True, align="right")
    if s.lab[1]:
        _put(pen, pen.width - 40, y - 12, f"Accreditation {s.lab[1]}", 7, align="right")
    _put(pen, 40, y, _title(s, rng), 14, bold=True)
    y -= 30
    y = _kv_box(pen, 40, y, pen.width - 80, _pairs(s), 8, columns=2, row_h=14) - 16
    # summary: headline results repeated (same values as the table)
    headline = [
        c
        for p in s.panels
        for c in p.cells
        if c.analyte.code in ("mitragynine", "total_alkaloids", "7_hydroxymitragynine")
    ]
    summary_words = {
        p.category: (
            "PASS" if all(c.status in ("", s.style.pass_word) for c in p.cells) else "FAIL"
        )
        for p in s.panels
        if p.category != "alkaloid"
    }
    pen.c.setLineWidth(0.8)
    pen.c.rect(40, y - 34, pen.width - 80, 34)
    x = 48
    for cell in headline[:3]:
        _put(pen, x, y - 13, cell.label, 7.5, bold=True)
        _put(pen, x, y - 27, f"{cell.text} {cell.unit}".strip(), 10, bold=True)
        x += 120
    for category, word in summary_words.items():
        _put(pen, x, y - 13, SECTION["en"][category], 7.5, bold=True)
        _put(pen, x, y - 27, word, 9)
        x += 78
        if x > pen.width - 100:
            break
    y -= 52
    unc_inline = rng.random() < 0.5
    heads: tuple[str, ...] = (
        ("Analyte", "Result", "Units", "LOD", "LOQ", "Limit")
        if unc_inline
        else ("Analyte", "Result", "± U (k=2)", "Units", "LOD", "LOQ", "Limit")
    )
    width = pen.width - 80
    fractions = (
        (0.3, 0.2, 0.1, 0.1, 0.1, 0.2) if unc_inline else (0.27, 0.13, 0.12, 0.1, 0.09, 0.09, 0.2)
    )
    widths = [width * f for f in fractions]
    row_h, size = rng.choice(((13.0, 7.5), (14.0, 8.0)))
    for panel in s.panels:
        if y - row_h * (len(panel.cells) + 2) < 60:
            pen.c.showPage()
            pen.page += 1
            y = pen.height - 50
        _put(pen, 40, y, panel.title, 9.5, bold=True)
        y -= 5
        rows: list[tuple[str, ...]] = [heads]
        for cell in panel.cells:
            cell.page = pen.page
            unc = ""
            if cell.truth["qualifier"] == "=" and cell.analyte.category in (
                "alkaloid",
                "heavy_metal",
                "mycotoxin",
            ):
                value = float(cell.text.replace(",", ""))
                digits = len(cell.text.split(".")[1]) if "." in cell.text else 0
                unc = f"{value * rng.uniform(0.05, 0.15):.{digits}f}"
            lod, loq = "", cell.loq_text
            if loq:
                try:
                    lod = f"{float(loq) / 3:.2g}"
                except ValueError:
                    lod = ""
            _lod_truth(cell, lod)
            limit = _spec(cell, _factor(cell), s, rng)
            if unc_inline:
                shown = f"{cell.text} ± {unc}" if unc else cell.text
                rows.append((cell.label, shown, cell.unit or "-", lod or "-", loq or "-", limit))
            else:
                rows.append(
                    (
                        cell.label,
                        cell.text,
                        f"± {unc}" if unc else "-",
                        cell.unit or "-",
                        lod or "-",
                        loq or "-",
                        limit,
                    )
                )
        y = (
            _table_rows(
                pen, 40, y, widths, rows, row_h, size, "lrrlrrl" if not unc_inline else "lrlrrl"
            )
            - 18
        )
    pen.c.showPage()
    pen.c.save()
    return out.getvalue()
