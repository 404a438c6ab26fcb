"""What one synthetic certificate says: metadata, panels of results, and its truth record.

A :class:`Sample` is drawn from a seeded :class:`random.Random` for one layout family;
the family decides the language, the number style and which panels are printed, the
sample decides everything else (labels, date formats, values, units, statuses).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tests.synthetic.values import (
    ALKALOIDS,
    METALS,
    MICROBES,
    MYCOTOXINS,
    PHYSICAL,
    SPLIT_FUNGI,
    UNIT_FACTORS,
    Analyte,
    Cell,
    Style,
    measure,
)

LABS = (
    ("Cascade Analytical Laboratories", "ISO/IEC 17025:2017 #4312.01"),
    ("Pinnacle Botanical Testing", "A2LA Certificate 5521.01"),
    ("Meridian Testing Laboratory", None),
    ("Riverbend Labs", "ISO/IEC 17025:2017 Cert. 1187-02"),
)
EU_LABS = {
    "cz": (
        ("Zkušební laboratoř Analytika Brno s.r.o.", "ČIA 1294"),
        ("Laboratoř Botanica Praha s.r.o.", None),
    ),
    "de": (
        ("Botanik Prüflabor GmbH", "DAkkS D-PL-14127-01-00"),
        ("Analytik Zentrum Nord GmbH", None),
    ),
}
VENDORS = (
    "Golden Leaf Botanicals LLC",
    "Borneo Roots Co.",
    "Kratom Harbor Inc.",
    "Green Vein Trading LLC",
    "Sunrise Kratom Company",
    "Emerald Mitra Supply LLC",
)
EU_VENDORS = {
    "cz": ("Mitra Naturals s.r.o.", "Zelený List s.r.o."),
    "de": ("Blatt & Wurzel GmbH", "Kräuterhaus Nord GmbH"),
}
STRAINS = (
    "Red Bali",
    "Green Maeng Da",
    "White Borneo",
    "Gold Thai",
    "Red Horn",
    "Green Malay",
    "White Sumatra",
)
FORMS = {
    "en": ("Kratom Powder", "Kratom Capsules 500 mg", "Kratom Leaf Powder"),
    "cz": ("Kratom prášek",),
    "de": ("Kratom Pulver",),
}

META_LABELS = {
    "en": {
        "vendor": ("Client:", "Customer:", "Prepared for:", "Submitted by:"),
        "product": ("Product:", "Sample Name:", "Product Name:", "Description:"),
        "batch": ("Lot:", "Batch No.:", "Lot #:", "Batch:"),
        "sample_id": ("Sample ID:", "Lab ID:", "Sample No.:"),
        "report_number": ("Report No.:", "Certificate #:", "COA No.:"),
        "received": ("Received:", "Date Received:", "Sample Received:"),
        "tested": ("Tested:", "Analysis Date:", "Date Tested:"),
        "reported": ("Reported:", "Report Date:", "Date Issued:"),
    },
    "cz": {
        "vendor": ("Zákazník:", "Objednatel:"),
        "product": ("Označení vzorku:", "Název vzorku:"),
        "batch": ("Číslo šarže:", "Šarže:"),
        "sample_id": ("Číslo vzorku:",),
        "report_number": ("Protokol o zkouškách č.:", "Číslo protokolu:"),
        "received": ("Datum příjmu vzorku:",),
        "tested": ("Datum provedení zkoušek:",),
        "reported": ("Datum vystavení:",),
    },
    "de": {
        "vendor": ("Auftraggeber:", "Kunde:"),
        "product": ("Probenbezeichnung:", "Produkt:"),
        "batch": ("Charge:", "Charge Nr.:"),
        "sample_id": ("Probennummer:",),
        "report_number": ("Prüfbericht Nr.:",),
        "received": ("Eingangsdatum:",),
        "tested": ("Prüfdatum:",),
        "reported": ("Ausstellungsdatum:",),
    },
}
PANEL_TITLES = {
    "en": {},
    "cz": {
        "alkaloid": "Alkaloidy",
        "heavy_metal": "Těžké kovy",
        "microbial": "Mikrobiologie",
        "mycotoxin": "Mykotoxiny",
        "physical": "Fyzikální parametry",
    },
    "de": {
        "alkaloid": "Alkaloide",
        "heavy_metal": "Schwermetalle",
        "microbial": "Mikrobiologie",
        "mycotoxin": "Mykotoxine",
        "physical": "Physikalische Parameter",
    },
}
US_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%B %d, %Y", "%d-%b-%Y")
EU_DATE_FORMATS = ("%d.%m.%Y",)


@dataclass
class Panel:
    """A group of printed results (one table or one section)."""

    category: str
    title: str
    cells: list[Cell]
    unit: str | None = None  # one unit for the whole panel (multi-page headings), else per row
    not_tested: bool = False


@dataclass
class Sample:
    """Everything printed on one synthetic certificate."""

    family: str
    language: str
    style: Style
    lab: tuple[str, str | None]
    vendor: str
    product: str
    batch: str
    sample_id: str | None
    report_number: str
    dates: dict[str, date]
    date_format: str
    labels: dict[str, str]
    panels: list[Panel]
    qc_rows: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (label, value, unit): not results
    serving: str | None = None

    def date_text(self, key: str) -> str:
        text = self.dates[key].strftime(self.date_format)
        return text

    def results(self) -> list[Cell]:
        return [c for p in self.panels if not p.not_tested for c in p.cells]

    def truth(self, file: str) -> dict[str, Any]:
        """The record of ``truth.canonical.json`` for this sample."""
        enumerated = sorted({p.category for p in self.panels})
        return {
            "file": file,
            "layout": f"synthetic-{self.family}",
            "lab": {"name": self.lab[0], "accreditation": self.lab[1]},
            "vendor": self.vendor,
            "product": self.product,
            "batch": self.batch,
            "sample_id": self.sample_id,
            "report_number": self.report_number,
            "dates": {k: self.dates[k].isoformat() for k in ("received", "tested", "reported")},
            "results": [c.record() for c in self.results()],
            "enumerated_categories": enumerated,
            "meta_alternatives": {},
            "excused_extras": [],
            "product_type": "kratom",
        }


def _identifiers(rng: random.Random, received: date) -> tuple[str, str, str]:
    stamp = received.strftime("%y%m%d")
    batch = rng.choice(
        (
            f"{rng.choice('RGWM')}{rng.choice('BMT')}-{received.year}-{rng.randint(100, 9999):04d}",
            f"L{received.strftime('%m%d%Y')}{rng.randint(1, 9):02d}",
            f"{rng.choice(('MD', 'RB', 'GB', 'WS'))}{stamp}{rng.choice('ABC')}",
        )
    )
    sample_id = rng.choice(
        (
            f"S{stamp}-{rng.randint(1, 99):03d}",
            f"{stamp}{rng.randint(1000, 9999)}",
            f"LAB-{rng.randint(10000, 99999)}",
        )
    )
    report = rng.choice(
        (
            f"R-{rng.randint(10000, 99999)}",
            f"COA-{received.year}-{rng.randint(100, 9999):04d}",
            f"{rng.randint(100, 999)}/{received.strftime('%y')}",
        )
    )
    return batch, sample_id, report


def _dates(rng: random.Random) -> dict[str, date]:
    received = date(2023, 1, 1) + timedelta(days=rng.randint(0, 900))
    tested = received + timedelta(days=rng.randint(0, 4))
    return {
        "received": received,
        "tested": tested,
        "reported": tested + timedelta(days=rng.randint(0, 5)),
    }


def us_style(rng: random.Random) -> Style:
    return Style(
        sci=rng.choice(("plain", "E", "x10")),
        thousands=rng.random() < 0.7,
        nd=rng.choice(("ND", "Not Detected", "N.D.")),
        lt_loq=rng.choice(("<LOQ", "< LOQ", "<LOD")),
        absent=rng.choice(("Absent in 25 g", "Not Detected", "Negative", "Absent")),
        present=rng.choice(("Present", "Detected", "Positive")),
        pass_word=rng.choice(("Pass", "PASS", "Passed")),
        fail_word=rng.choice(("Fail", "FAIL")),
        log_counts=rng.random() < 0.15,
    )


def eu_style(rng: random.Random, language: str) -> Style:
    if language == "cz":
        return Style(
            decimal_comma=True,
            thousands=False,
            sci="dot10",
            nd="n.d.",
            lt_loq="<LOQ",
            absent=rng.choice(("negativní v 25 g", "nedetekováno")),
            present="pozitivní",
            pass_word="vyhovuje",
            fail_word="nevyhovuje",
        )
    return Style(
        decimal_comma=True,
        thousands=False,
        sci=rng.choice(("dot10", "plain")),
        nd="n.n.",
        lt_loq="<BG",
        absent=rng.choice(("negativ in 25 g", "nicht nachweisbar")),
        present="positiv",
        pass_word="entspricht",
        fail_word="entspricht nicht",
    )


def label_for(analyte: Analyte, language: str, rng: random.Random) -> str:
    if language == "cz":
        return analyte.cz
    if language == "de":
        return analyte.de
    return rng.choice(analyte.en)


def choose_unit(analyte: Analyte, language: str, style: Style, rng: random.Random) -> str:
    """A printed unit for ``analyte`` (language-specific microbial units, log counts sometimes)."""
    if analyte.code == "water_activity":
        return "aw"
    if analyte.category == "physical":
        return "%"
    if analyte.category == "microbial":
        if analyte.presence:
            return ""
        if language != "en":
            return "KTJ/g" if language == "cz" else "KBE/g"
        return "log CFU/g" if style.log_counts else rng.choice(("CFU/g", "cfu/g"))
    units = [
        u
        for u in UNIT_FACTORS[analyte.category]
        if language == "en" or "ppm" not in u and "ppb" not in u
    ]
    return rng.choice(units)


def panel_cells(
    analytes: tuple[Analyte, ...],
    language: str,
    style: Style,
    rng: random.Random,
    *,
    unit: str | None = None,
    has_loq: bool = True,
    fail_rate: float = 0.06,
) -> list[Cell]:
    """Results for every analyte of a panel (a shared ``unit`` where the panel prints one)."""
    cells = []
    for analyte in analytes:
        printed_unit = (
            unit
            if unit is not None and not analyte.presence
            else choose_unit(analyte, language, style, rng)
        )
        cell = measure(
            analyte, printed_unit, style, rng, has_loq=has_loq, fail=rng.random() < fail_rate
        )
        cell.label = label_for(analyte, language, rng)
        cells.append(cell)
    return cells


def pick(rng: random.Random, items: tuple[Analyte, ...], low: int) -> tuple[Analyte, ...]:
    """A random subset (in the given order) of at least ``low`` items."""
    chosen = set(rng.sample(range(len(items)), rng.randint(low, len(items))))
    return tuple(a for i, a in enumerate(items) if i in chosen)


def base_sample(rng: random.Random, family: str, language: str = "en") -> Sample:
    """Metadata and a style for one sample; panels are added by the family."""
    dates = _dates(rng)
    batch, sample_id, report = _identifiers(rng, dates["received"])
    labels = {k: rng.choice(v) for k, v in META_LABELS[language].items()}
    if language == "en":
        lab, vendor = rng.choice(LABS), rng.choice(VENDORS)
        style, date_format = us_style(rng), rng.choice(US_DATE_FORMATS)
    else:
        lab, vendor = rng.choice(EU_LABS[language]), rng.choice(EU_VENDORS[language])
        style, date_format = eu_style(rng, language), EU_DATE_FORMATS[0]
    product = f"{rng.choice(STRAINS)} {rng.choice(FORMS[language])}"
    return Sample(
        family,
        language,
        style,
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


def standard_panels(
    sample: Sample, rng: random.Random, *, shared_units: bool = False, has_loq: bool = True
) -> None:
    """Alkaloids, heavy metals, microbiology, sometimes mycotoxins and moisture."""
    lang, style = sample.language, sample.style
    groups: list[tuple[str, str, tuple[Analyte, ...]]] = [
        ("alkaloid", "Alkaloids", pick(rng, ALKALOIDS, 2)),
        ("heavy_metal", "Heavy Metals", pick(rng, METALS, 4)),
        ("microbial", "Microbiology", pick(rng, MICROBES, 3)),
    ]
    if lang != "en" or rng.random() < 0.3:
        fungi = tuple(a for a in groups[2][2] if a.code != "yeast_and_mold") + SPLIT_FUNGI
        groups[2] = ("microbial", "Microbiology", fungi)
    if rng.random() < 0.6:
        groups.append(("mycotoxin", "Mycotoxins", pick(rng, MYCOTOXINS, 2)))
    if rng.random() < 0.5:
        groups.append(("physical", "Physical", pick(rng, PHYSICAL, 1)))
    for category, title, analytes in groups:
        unit = None
        if category in ("alkaloid", "heavy_metal", "mycotoxin") and (
            shared_units or rng.random() < 0.7
        ):
            unit = choose_unit(analytes[0], lang, style, rng)
        elif shared_units and category == "microbial":
            unit = "log CFU/g" if style.log_counts else "CFU/g" if lang == "en" else None
        cells = panel_cells(analytes, lang, style, rng, unit=unit, has_loq=has_loq)
        sample.panels.append(
            Panel(
                category,
                PANEL_TITLES[lang].get(category, title),
                cells,
                unit if shared_units else None,
            )
        )
