"""The analytes people search by: each code with its name, symbols and category, and
the resolution of what a person types (``Lead``, ``Pb``, ``lead``, ``7-OH``,
``7-hydroxymitragynine``, ``yeast and mold``) to a code.

Codes, categories and canonical units are the threshold engine's
(``registry.thresholds.analytes``); the printed forms a parser recognises
(``parsers.vocab``) are what people type too, so resolution tries, in order: the code
itself, a display name or symbol here, then the parser's vocabulary (exact, then
fuzzy, as on a COA).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from parsers import vocab
from registry.errors import Unprocessable
from registry.thresholds import analytes as engine

#: Names as people write them, where the code does not read as one.
NAMES: dict[str, str] = {
    "mitragynine": "Mitragynine",
    "7_hydroxymitragynine": "7-Hydroxymitragynine",
    "speciogynine": "Speciogynine",
    "speciociliatine": "Speciociliatine",
    "paynantheine": "Paynantheine",
    "mitraphylline": "Mitraphylline",
    "corynantheidine": "Corynantheidine",
    "mitragynine_pseudoindoxyl": "Mitragynine pseudoindoxyl",
    "total_alkaloids": "Total alkaloids",
    "e_coli": "E. coli",
    "stec": "Shiga toxin-producing E. coli (STEC)",
    "total_aerobic_count": "Total aerobic count",
    "yeast_and_mold": "Yeast and mold",
    "total_coliforms": "Total coliforms",
    "staphylococcus_aureus": "Staphylococcus aureus",
    "listeria": "Listeria monocytogenes",
    "aspergillus": "Aspergillus (pathogenic species)",
    "aspergillus_flavus": "Aspergillus flavus",
    "aspergillus_fumigatus": "Aspergillus fumigatus",
    "aspergillus_niger": "Aspergillus niger",
    "aspergillus_terreus": "Aspergillus terreus",
    "total_aflatoxins": "Total aflatoxins",
    "aflatoxin_b1": "Aflatoxin B1",
    "aflatoxin_b2": "Aflatoxin B2",
    "aflatoxin_g1": "Aflatoxin G1",
    "aflatoxin_g2": "Aflatoxin G2",
    "ochratoxin_a": "Ochratoxin A",
    "water_activity": "Water activity",
}
#: Symbols and abbreviations printed and typed for an analyte.
SYMBOLS: dict[str, tuple[str, ...]] = {
    "lead": ("Pb",),
    "arsenic": ("As",),
    "cadmium": ("Cd",),
    "mercury": ("Hg",),
    "nickel": ("Ni",),
    "chromium": ("Cr",),
    "copper": ("Cu",),
    "antimony": ("Sb",),
    "7_hydroxymitragynine": ("7-OH",),
    "mitragynine": ("MG",),
    "total_aerobic_count": ("TAMC", "APC"),
    "yeast_and_mold": ("TYMC",),
    "stec": ("STEC",),
    "enterobacteriaceae": ("BTGN",),
    "aflatoxin_b1": ("AFB1",),
    "aflatoxin_b2": ("AFB2",),
    "aflatoxin_g1": ("AFG1",),
    "aflatoxin_g2": ("AFG2",),
    "ochratoxin_a": ("OTA",),
    "water_activity": ("aw",),
}


@dataclass(frozen=True)
class AnalyteInfo:
    code: str
    name: str
    symbols: tuple[str, ...]
    category: str
    unit: str | None  # canonical unit; None for presence tests
    presence_test: bool


def name_of(code: str) -> str:
    """The analyte's name for people: "Lead", "E. coli", "7-Hydroxymitragynine"."""
    return NAMES.get(code) or code.replace("_", " ").capitalize()


@lru_cache(maxsize=1)
def catalogue() -> tuple[AnalyteInfo, ...]:
    """Every analyte the registry knows, by category then name."""
    items = [
        AnalyteInfo(
            code=a.code,
            name=name_of(a.code),
            symbols=SYMBOLS.get(a.code, ()),
            category=a.category,
            unit=a.unit,
            presence_test=engine.is_presence_test(a.code),
        )
        for a in engine.ANALYTES.values()
    ]
    return tuple(sorted(items, key=lambda a: (a.category, a.name.casefold())))


@lru_cache(maxsize=1)
def _typed() -> dict[str, str]:
    """Folded code, name and symbol of every analyte -> its code."""
    index: dict[str, str] = {}
    for info in catalogue():
        for form in (info.code, info.name, *info.symbols):
            index.setdefault(vocab.compact(form.replace("_", " ")), info.code)
    return index


def resolve(text: str) -> str | None:
    """The code of what a person typed for an analyte, or None."""
    key = vocab.compact(text.replace("_", " "))
    if not key:
        return None
    code = _typed().get(key)
    if code is None:
        code = vocab.lookup(text)
    return code if code in engine.ANALYTES else None


def resolve_or_refuse(text: str, field: str = "analyte") -> str:
    """:func:`resolve`, or a 422 naming ``field`` and pointing to the list of analytes."""
    code = resolve(text)
    if code is None:
        raise Unprocessable(
            f"no analyte is called {text!r}",
            errors={
                field: [
                    f"unknown analyte {text!r}; GET /api/v1/analytes lists "
                    "every analyte with its names and symbols"
                ]
            },
        )
    return code
