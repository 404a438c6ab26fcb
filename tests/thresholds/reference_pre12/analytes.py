# FROZEN pre-optimisation reference (test-only): see __init__.py. Do not edit.
"""The contract's analyte vocabulary as the threshold engine sees it.

Each code has a category and a canonical unit (``docs/parse-document.md``, Analytes
and Units). Presence tests (Salmonella, E. coli, ...) have no unit. Profiles are validated
against this table, and results are converted into these units before any comparison.

``parsers/vocab.py`` holds the same codes with their printed forms; a test keeps the two
in step (parsers may not import ``registry``, so the table cannot live in one place
without a shared package).

Composites: a lab may print the parts of an analyte instead of the whole (yeasts and
molds counted separately, the four aflatoxins without their sum, alkaloids without a
total). When the whole is not printed, rules use the sum of its printed parts, and only
when the parts named in ``needs`` are all present. Total alkaloids summed from the
named alkaloids a lab printed understates the true total (unprinted alkaloids are left
out), so a 7-OH share computed over it is, if anything, too high: the safe side.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class Analyte:
    """One analyte code of the contract."""

    code: str
    category: str
    unit: str | None  # canonical unit; None for presence tests


@dataclass(frozen=True, slots=True)
class Composite:
    """An analyte that is the sum of others, used when the whole is not printed."""

    parts: tuple[str, ...]
    needs: tuple[str, ...]  # parts that must be printed for the sum to stand in


ALKALOIDS: Final = (
    "mitragynine",
    "7_hydroxymitragynine",
    "speciogynine",
    "speciociliatine",
    "paynantheine",
    "mitraphylline",
    "corynantheidine",
    "mitragynine_pseudoindoxyl",
)
_METALS: Final = (
    "lead",
    "arsenic",
    "cadmium",
    "mercury",
    "nickel",
    "chromium",
    "copper",
    "antimony",
)
_COUNTS: Final = (
    "total_aerobic_count",
    "yeast_and_mold",
    "yeasts",
    "molds",
    "total_coliforms",
    "enterobacteriaceae",
)
_PRESENCE: Final = (
    "salmonella",
    "e_coli",
    "stec",
    "staphylococcus_aureus",
    "listeria",
    "aspergillus_flavus",
    "aspergillus_fumigatus",
    "aspergillus_niger",
    "aspergillus_terreus",
    "aspergillus",
)
_AFLATOXINS: Final = ("aflatoxin_b1", "aflatoxin_b2", "aflatoxin_g1", "aflatoxin_g2")
_MYCOTOXINS: Final = ("total_aflatoxins", *_AFLATOXINS, "ochratoxin_a")


def _table() -> dict[str, Analyte]:
    rows: list[Analyte] = [Analyte(c, "alkaloid", "%") for c in (*ALKALOIDS, "total_alkaloids")]
    rows += [Analyte(c, "heavy_metal", "ug/g") for c in _METALS]
    rows += [Analyte(c, "microbial", "CFU/g") for c in _COUNTS]
    rows += [Analyte(c, "microbial", None) for c in _PRESENCE]
    rows += [Analyte(c, "mycotoxin", "ug/kg") for c in _MYCOTOXINS]
    rows += [Analyte("moisture", "physical", "%"), Analyte("water_activity", "physical", "aw")]
    return {a.code: a for a in rows}


#: code -> analyte, in the contract's order.
ANALYTES: Final = MappingProxyType(_table())

#: Wholes that may be summed from printed parts (see the module docstring).
COMPOSITES: Final = MappingProxyType(
    {
        "total_alkaloids": Composite(ALKALOIDS, needs=("mitragynine",)),
        "yeast_and_mold": Composite(("yeasts", "molds"), needs=("yeasts", "molds")),
        "total_aflatoxins": Composite(_AFLATOXINS, needs=_AFLATOXINS),
    }
)

# Mass fractions as powers of ten, so that conversions are exact (1 ppm = 1 ug/g = 1e-6).
_MASS_FRACTION_EXP: Final = MappingProxyType(
    {
        "%": -2,
        "mg/g": -3,
        "ug/g": -6,
        "ppm": -6,
        "mg/kg": -6,
        "ug/kg": -9,
        "ppb": -9,
        "ng/g": -9,
    }
)
# Other units convert only to themselves; these are their spellings once folded.
_OTHER_UNITS: Final = MappingProxyType(
    {
        "cfu/g": "CFU/g",
        "cfu/ml": "CFU/mL",
        "aw": "aw",
        "ug/day": "ug/day",
        "mg/day": "mg/day",
        "mg/serving": "mg/serving",
        "ug/serving": "ug/serving",
    }
)
# Masses as powers of ten per gram (1 g = 1e3 mg = 1e6 ug).
_MASS_EXP: Final = MappingProxyType({"mg": 3, "ug": 6})


def analyte(code: str) -> Analyte:
    """The vocabulary entry of ``code``; ``KeyError`` naming the code when unknown."""
    try:
        return ANALYTES[code]
    except KeyError:
        raise KeyError(f"unknown analyte code {code!r}") from None


def is_presence_test(code: str) -> bool:
    """True for presence/absence tests (no unit), such as Salmonella."""
    return code in ANALYTES and ANALYTES[code].unit is None


def normalize_unit(unit: str | None) -> str | None:
    """A unit spelled the canonical way (``µg/g`` -> ``ug/g``, ``cfu/g`` -> ``CFU/g``).

    Unknown spellings come back folded but otherwise unchanged, so that comparing
    them with a known unit fails rather than guesses.
    """
    if unit is None:
        return None
    folded = unit.strip().replace("µ", "u").replace("μ", "u").replace(" ", "").lower()
    folded = folded.removesuffix("w/w").removesuffix("(w/w)")
    if folded in _MASS_FRACTION_EXP:
        return folded
    return _OTHER_UNITS.get(folded, folded)


def conversion_factor(from_unit: str | None, to_unit: str | None) -> float | None:
    """The factor taking a value in ``from_unit`` to ``to_unit``; None when they don't convert."""
    src, dst = normalize_unit(from_unit), normalize_unit(to_unit)
    if src is None or dst is None:
        return None
    if src in _MASS_FRACTION_EXP and dst in _MASS_FRACTION_EXP:
        exp = _MASS_FRACTION_EXP[src] - _MASS_FRACTION_EXP[dst]
        return float(10**exp)
    if src == dst:
        return 1.0
    (src_mass, _, src_per), (dst_mass, _, dst_per) = src.partition("/"), dst.partition("/")
    if src_per == dst_per and src_per in ("serving", "day"):
        return mass_factor(src_mass, dst_mass)  # mg/serving <-> ug/serving
    return None


def same_unit(a: str | None, b: str | None) -> bool:
    """True when two spellings name the same unit at the same scale (ppm and ug/g)."""
    return conversion_factor(a, b) == 1.0


def mass_per_gram(concentration_unit: str, mass: str) -> float | None:
    """Amount of analyte in ``mass`` units (``mg``, ``ug``) per gram of product per unit of
    ``concentration_unit`` (``%`` gives 10 mg/g); None when the unit is not a mass fraction."""
    unit = normalize_unit(concentration_unit) or ""
    if unit not in _MASS_FRACTION_EXP or mass not in _MASS_EXP:
        return None
    return float(10 ** (_MASS_EXP[mass] + _MASS_FRACTION_EXP[unit]))


def mass_factor(from_mass: str, to_mass: str) -> float | None:
    """The factor between two masses (``mg`` -> ``ug`` is 1000); None when unknown."""
    if from_mass not in _MASS_EXP or to_mass not in _MASS_EXP:
        return None
    return float(10 ** (_MASS_EXP[to_mass] - _MASS_EXP[from_mass]))
