"""Analytes, realistic kratom values and the ways labs print them.

Every printed cell is produced here together with its canonical truth, so the truth is
always what the printed text means under the parse contract: the printed number is
converted back to the canonical unit (``mg/g`` ÷ 10 → ``%``, ``ppb`` ÷ 1,000 →
``ug/g``, ``log CFU/g`` → 10^x ...), ``<LOQ`` carries the row's LOQ as ``value_alt``
(the real truth's convention), ``TNTC`` is ``>`` with no value. Values follow
published surveys of kratom (leaf powder mitragynine 1-2 %, lead 0.16-1.6 µg/g ...).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

#: Canonical unit of each category (presence tests have none).
CANONICAL = {"alkaloid": "%", "heavy_metal": "ug/g", "mycotoxin": "ug/kg", "microbial": "CFU/g"}


@dataclass(frozen=True)
class Analyte:
    """One analyte: labels per language, a realistic canonical range, printing habits."""

    code: str
    category: str
    en: tuple[str, ...]
    cz: str
    de: str
    low: float  # canonical range
    high: float
    loq: float  # canonical LOQ
    limit: float | None = None  # a typical action limit (canonical), for the Status column
    presence: bool = False
    unit: str | None = None  # canonical unit when not the category's (moisture, aw)

    @property
    def canonical_unit(self) -> str | None:
        if self.presence:
            return None
        return self.unit or CANONICAL[self.category]


A = Analyte
ALKALOIDS = (
    A(
        "mitragynine",
        "alkaloid",
        ("Mitragynine", "MG", "Mitragynine (MG)"),
        "mitragynin",
        "Mitragynin",
        1.0,
        2.0,
        0.01,
    ),
    A(
        "7_hydroxymitragynine",
        "alkaloid",
        ("7-Hydroxymitragynine", "7-OH", "7-OH-MG"),
        "7-hydroxymitragynin",
        "7-Hydroxymitragynin",
        0.01,
        0.05,
        0.001,
        2.0,
    ),
    A(
        "speciogynine",
        "alkaloid",
        ("Speciogynine",),
        "speciogynin",
        "Speciogynin",
        0.10,
        0.25,
        0.01,
    ),
    A(
        "speciociliatine",
        "alkaloid",
        ("Speciociliatine",),
        "speciociliatin",
        "Speciociliatin",
        0.10,
        0.40,
        0.01,
    ),
    A(
        "paynantheine",
        "alkaloid",
        ("Paynantheine",),
        "paynanthein",
        "Paynanthein",
        0.15,
        0.30,
        0.01,
    ),
    A(
        "total_alkaloids",
        "alkaloid",
        ("Total Alkaloids", "Total Indole Alkaloids"),
        "alkaloidy celkem",
        "Gesamtalkaloide",
        1.2,
        2.8,
        0.05,
    ),
)
METALS = (
    A("lead", "heavy_metal", ("Lead", "Lead (Pb)", "Pb"), "olovo", "Blei", 0.16, 1.6, 0.05, 1.0),
    A(
        "arsenic",
        "heavy_metal",
        ("Arsenic", "Arsenic (As)", "As"),
        "arsen",
        "Arsen",
        0.05,
        0.6,
        0.05,
        1.5,
    ),
    A(
        "cadmium",
        "heavy_metal",
        ("Cadmium", "Cadmium (Cd)", "Cd"),
        "kadmium",
        "Cadmium",
        0.01,
        0.2,
        0.01,
        0.5,
    ),
    A(
        "mercury",
        "heavy_metal",
        ("Mercury", "Mercury (Hg)", "Hg"),
        "rtuť",
        "Quecksilber",
        0.005,
        0.05,
        0.005,
        0.2,
    ),
    A("nickel", "heavy_metal", ("Nickel", "Nickel (Ni)", "Ni"), "nikl", "Nickel", 0.73, 7.4, 0.1),
    A(
        "chromium",
        "heavy_metal",
        ("Chromium", "Chromium (Cr)", "Cr"),
        "chrom",
        "Chrom",
        0.21,
        5.7,
        0.1,
    ),
)
MICROBES = (
    A(
        "total_aerobic_count",
        "microbial",
        ("Total Aerobic Count", "Aerobic Plate Count", "TAMC"),
        "celkový počet mikroorganismů",
        "Gesamtkeimzahl",
        2e3,
        4e5,
        10,
        1e6,
    ),
    A(
        "yeast_and_mold",
        "microbial",
        ("Total Yeast and Mold", "Yeast & Mold", "TYMC"),
        "kvasinky a plísně",
        "Hefen und Schimmelpilze",
        1e2,
        5e4,
        10,
        1e5,
    ),
    A(
        "total_coliforms",
        "microbial",
        ("Total Coliforms", "Coliforms"),
        "koliformní bakterie",
        "Coliforme",
        10,
        1e4,
        10,
        1e5,
    ),
    A(
        "enterobacteriaceae",
        "microbial",
        ("Bile-tolerant gram-negative bacteria", "Enterobacteriaceae"),
        "enterobakterie",
        "Enterobakterien",
        10,
        1e3,
        10,
        1e4,
    ),
    A(
        "salmonella",
        "microbial",
        ("Salmonella spp.", "Salmonella"),
        "Salmonella spp.",
        "Salmonellen",
        0,
        0,
        0,
        presence=True,
    ),
    A(
        "e_coli",
        "microbial",
        ("E. coli", "Escherichia coli"),
        "Escherichia coli",
        "E. coli",
        0,
        0,
        0,
        presence=True,
    ),
    A(
        "staphylococcus_aureus",
        "microbial",
        ("Staphylococcus aureus", "S. aureus"),
        "Staphylococcus aureus",
        "Staphylococcus aureus",
        0,
        0,
        0,
        presence=True,
    ),
)
SPLIT_FUNGI = (
    A("yeasts", "microbial", ("Yeasts",), "kvasinky", "Hefen", 1e2, 2e4, 10, 1e5),
    A("molds", "microbial", ("Molds",), "plísně", "Schimmelpilze", 1e2, 2e4, 10, 1e5),
)
MYCOTOXINS = (
    A(
        "aflatoxin_b1",
        "mycotoxin",
        ("Aflatoxin B1",),
        "aflatoxin B1",
        "Aflatoxin B1",
        0.2,
        4.0,
        0.5,
        5.0,
    ),
    A(
        "aflatoxin_b2",
        "mycotoxin",
        ("Aflatoxin B2",),
        "aflatoxin B2",
        "Aflatoxin B2",
        0.1,
        1.0,
        0.5,
    ),
    A(
        "aflatoxin_g1",
        "mycotoxin",
        ("Aflatoxin G1",),
        "aflatoxin G1",
        "Aflatoxin G1",
        0.1,
        1.0,
        0.5,
    ),
    A(
        "aflatoxin_g2",
        "mycotoxin",
        ("Aflatoxin G2",),
        "aflatoxin G2",
        "Aflatoxin G2",
        0.1,
        1.0,
        0.5,
    ),
    A(
        "total_aflatoxins",
        "mycotoxin",
        ("Total Aflatoxins", "Aflatoxins (sum B1, B2, G1, G2)"),
        "aflatoxiny (suma B1, B2, G1 a G2)",
        "Summe Aflatoxine",
        0.5,
        8.0,
        2.0,
        20.0,
    ),
    A(
        "ochratoxin_a",
        "mycotoxin",
        ("Ochratoxin A",),
        "ochratoxin A",
        "Ochratoxin A",
        0.5,
        15.0,
        1.0,
        20.0,
    ),
)
PHYSICAL = (
    A(
        "moisture",
        "physical",
        ("Moisture", "Moisture Content", "Water content"),
        "vlhkost",
        "Wassergehalt",
        4.0,
        11.0,
        0.1,
        12.0,
        unit="%",
    ),
    A(
        "water_activity",
        "physical",
        ("Water Activity", "Water Activity (aw)"),
        "aktivita vody",
        "Wasseraktivität",
        0.30,
        0.60,
        0.01,
        0.65,
        unit="aw",
    ),
)
PANELS = {
    "alkaloid": ALKALOIDS,
    "heavy_metal": METALS,
    "microbial": MICROBES,
    "mycotoxin": MYCOTOXINS,
    "physical": PHYSICAL,
}

#: Printed unit -> factor from the canonical unit (printed = canonical × factor).
UNIT_FACTORS = {
    "alkaloid": {"%": 1.0, "% w/w": 1.0, "mg/g": 10.0},
    "heavy_metal": {"ppm": 1.0, "µg/g": 1.0, "mg/kg": 1.0, "ppb": 1000.0, "µg/kg": 1000.0},
    "mycotoxin": {"ppb": 1.0, "µg/kg": 1.0, "ppm": 0.001, "mg/kg": 0.001},
    "microbial": {"CFU/g": 1.0, "cfu/g": 1.0, "KTJ/g": 1.0, "KBE/g": 1.0, "log CFU/g": 0.0},
    "physical": {"%": 1.0, "aw": 1.0, "": 1.0},
}


@dataclass
class Cell:
    """One printed result with its canonical truth."""

    analyte: Analyte
    label: str
    text: str  # the result cell as printed
    unit: str  # unit as printed ('' for presence tests or where the unit is elsewhere)
    loq_text: str  # LOQ as printed, '' when none
    status: str  # status as printed, '' when none
    truth: dict[str, Any] = field(default_factory=dict)
    page: int | None = None
    extra_columns: tuple[
        str, ...
    ] = ()  # the same result in further unit columns (mg/g, mg/serving)

    def raw(self) -> str:
        return " ".join(p for p in (self.label, self.text, self.unit) if p)

    def record(self) -> dict[str, Any]:
        """The truth entry (``truth.canonical.json`` shape)."""
        out = {
            "analyte": self.analyte.code,
            "category": self.analyte.category,
            **self.truth,
            "page": self.page,
            "raw": self.raw(),
        }
        return {
            k: out[k]
            for k in (
                "analyte",
                "category",
                "value",
                "unit",
                "qualifier",
                "lab_status",
                "page",
                "raw",
                *(["value_alt"] if "value_alt" in out else []),
            )
        }


@dataclass(frozen=True)
class Style:
    """How one document prints numbers."""

    decimal_comma: bool = False
    thousands: bool = True  # 1,200 (US) or 1 200 / 1200
    sci: str = "plain"  # plain, E (1.2E+04), x10 (1.2 x 10^4), dot10 (1,2.10^4)
    nd: str = "ND"
    lt_loq: str = "<LOQ"
    absent: str = "Absent in 25 g"
    present: str = "Present"
    pass_word: str = "Pass"
    fail_word: str = "Fail"
    log_counts: bool = False


def number(value: float, digits: int, style: Style) -> str:
    """``value`` with ``digits`` decimals in the document's decimal convention."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if style.decimal_comma else text


def significant(value: float, sig: int = 2) -> float:
    """``value`` rounded to ``sig`` significant figures."""
    if value == 0:
        return 0.0
    return round(value, sig - 1 - int(math.floor(math.log10(abs(value)))))


def decimals_for(value: float, sig: int = 2) -> int:
    """Decimals that show ``sig`` significant figures of ``value``."""
    if value == 0:
        return 2
    return max(0, sig - 1 - int(math.floor(math.log10(abs(value)))))


def count_text(count: float, style: Style) -> str:
    """A colony count (already rounded to 2 significant figures) as the lab prints it."""
    exponent = int(math.floor(math.log10(count)))
    mantissa = count / 10**exponent
    m = number(mantissa, 1, style)
    if style.sci == "E" and count >= 1000:
        return f"{m}E+{exponent:02d}"
    if style.sci == "x10" and count >= 1000:
        return f"{m} x 10^{exponent}"
    if style.sci == "dot10" and count >= 1000:
        return f"{m}.10^{exponent}"
    whole = int(round(count))
    if style.thousands and not style.decimal_comma:
        return f"{whole:,}"
    return str(whole)


def canonical(printed: float, factor: float) -> float:
    """Canonical value of a printed number (10 significant digits, no float noise)."""
    return float(f"{printed / factor:.10g}")


def lab_status(
    analyte: Analyte, value: float | None, qualifier: str, style: Style, rng: random.Random
) -> tuple[str, str | None]:
    """(printed status, truth status) for a row; a fifth of limit-less rows print none."""
    if qualifier == "detected":
        return style.fail_word, "fail"
    if analyte.limit is None and rng.random() < 0.2:
        return "", None
    fails = (
        analyte.limit is not None
        and value is not None
        and qualifier in ("=", ">")
        and value > analyte.limit
    )
    return (style.fail_word, "fail") if fails else (style.pass_word, "pass")


def measure(
    analyte: Analyte,
    unit: str,
    style: Style,
    rng: random.Random,
    *,
    has_loq: bool = True,
    fail: bool = False,
) -> Cell:
    """A random, realistic result of ``analyte`` printed in ``unit``."""
    if analyte.presence:
        return _presence(analyte, style, rng, fail)
    if analyte.category == "microbial":
        return _count(analyte, unit, style, rng, has_loq, fail)
    return _quantity(analyte, unit, style, rng, has_loq, fail)


def _presence(analyte: Analyte, style: Style, rng: random.Random, fail: bool) -> Cell:
    detected = fail
    text = style.present if detected else style.absent
    qualifier = "detected" if detected else "not_detected"
    printed, status = lab_status(analyte, None, qualifier, style, rng)
    truth = {"value": None, "unit": None, "qualifier": qualifier, "lab_status": status}
    return Cell(analyte, "", text, "", "", printed, truth)


def _count(
    analyte: Analyte, unit: str, style: Style, rng: random.Random, has_loq: bool, fail: bool
) -> Cell:
    loq = analyte.loq
    roll = rng.random()
    low, high = (
        (analyte.limit * 2, analyte.limit * 8)
        if fail and analyte.limit
        else (analyte.low, analyte.high)
    )
    log = unit == "log CFU/g"
    if roll < 0.15 and not fail:
        text = f"<{number(math.log10(loq), 2, style) if log else number(loq, 0, style)}"
        value, qualifier = float(loq), "<"
    elif roll < 0.2 and not fail and analyte.code == "total_aerobic_count":
        text, value, qualifier = "TNTC", None, ">"
    else:
        count = significant(10 ** rng.uniform(math.log10(low), math.log10(high)))
        qualifier = "="
        if log:
            text = number(math.log10(count), 2, style)
            value = float(f"{10 ** float(text.replace(',', '.')):.10g}")
        else:
            text, value = count_text(count, style), count
    printed, status = lab_status(analyte, value, qualifier, style, rng)
    if text == "TNTC":
        printed, status = style.fail_word, "fail"
    loq_text = (
        (number(math.log10(loq), 2, style) if log else number(loq, 0, style)) if has_loq else ""
    )
    truth = {"value": value, "unit": "CFU/g", "qualifier": qualifier, "lab_status": status}
    return Cell(analyte, "", text, unit, loq_text, printed, truth)


def _quantity(
    analyte: Analyte, unit: str, style: Style, rng: random.Random, has_loq: bool, fail: bool
) -> Cell:
    factor = UNIT_FACTORS[analyte.category][unit]
    loq_printed = significant(analyte.loq * factor, 1)
    loq_digits = decimals_for(loq_printed, 1)
    loq_text = number(loq_printed, loq_digits, style) if has_loq else ""
    canon_unit = analyte.canonical_unit
    roll = rng.random()
    optional = analyte.code not in ("mitragynine", "total_alkaloids", "moisture", "water_activity")
    if optional and not fail and roll < 0.12:
        truth: dict[str, Any] = {"value": None, "unit": canon_unit, "qualifier": "<"}
        if has_loq:
            truth["value_alt"] = canonical(loq_printed, factor)
        text = style.lt_loq
    elif optional and not fail and roll < 0.20:
        text = f"<{loq_text or number(loq_printed, loq_digits, style)}"
        truth = {"value": canonical(loq_printed, factor), "unit": canon_unit, "qualifier": "<"}
    elif optional and not fail and roll < 0.27:
        text, truth = style.nd, {"value": None, "unit": canon_unit, "qualifier": "nd"}
    else:
        high = analyte.limit * 1.8 if fail and analyte.limit else analyte.high
        low = analyte.limit * 1.1 if fail and analyte.limit else analyte.low
        printed_value = significant(
            rng.uniform(low, high) * factor, 3 if analyte.category == "alkaloid" else 2
        )
        digits = max(decimals_for(printed_value, 3 if analyte.category == "alkaloid" else 2), 0)
        text = number(printed_value, digits, style)
        truth = {
            "value": canonical(float(text.replace(",", ".")), factor),
            "unit": canon_unit,
            "qualifier": "=",
        }
    printed, status = lab_status(analyte, truth["value"], truth["qualifier"], style, rng)
    truth["lab_status"] = status
    ordered = {k: truth[k] for k in ("value", "unit", "qualifier", "lab_status")}
    if "value_alt" in truth:
        ordered["value_alt"] = truth["value_alt"]
    return Cell(analyte, "", text, unit, loq_text, printed, ordered)
