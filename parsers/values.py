"""Result cells: numbers, qualifiers, units, and conversion to canonical units.

``parse_number`` reads ``1.42``, ``0,12``, ``1,200``, ``12,000``, ``1.2E+04``,
``1.2 x 10^4``, ``1.2×10⁴`` and the flattened superscript ``9,6.104`` (= 9.6·10⁴).
``parse_cell`` turns a result cell into a :class:`Reading` (qualifier, value, unit);
``to_canonical`` converts a value into its category's canonical unit per the contract.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from parsers.vocab import PRESENCE, fold

_NUM = r"\d[\d,]*(?:\.\d+)?|\.\d+"
_POWER = re.compile(rf"^(?P<m>{_NUM})\s*(?:[x×*·]\s*10\s*\^?\s*|[eE])(?P<e>[+-]?\d{{1,2}})$")
_FLAT_POWER = re.compile(r"^(?P<m>\d+,\d+)\s*[.·]\s*10\s*\^?\s*(?P<e>\d{1,2})$")
_BARE_POWER = re.compile(r"^10\s*\^\s*(?P<e>[+-]?\d{1,2})$")
_PLAIN = re.compile(r"^[+]?(?:\d[\d,.]*\d|\d|\.\d+)$")
_CMP = re.compile(r"^(?P<op><=|>=|≤|≥|<|>)\s*(?P<rest>.+)$")

#: No lab counts or concentrations beyond 10^12; a larger printed exponent is a misreading.
MAX_EXPONENT = 12

#: Printed unit (folded, spaces removed) -> normalised unit.
UNITS: dict[str, str] = {
    "%": "%",
    "%w/w": "%",
    "%ww": "%",
    "w/w%": "%",
    "wt%": "%",
    "%hm.": "%",
    "%hm": "%",
    "%(w/w)": "%",
    "%m/m": "%",
    "percent": "%",
    "mg/g": "mg/g",
    "g/kg": "g/kg",
    "mg/kg": "mg/kg",
    "µg/g": "ug/g",
    "μg/g": "ug/g",
    "ug/g": "ug/g",
    "mcg/g": "ug/g",
    "ppm": "ppm",
    "ppb": "ppb",
    "µg/kg": "ug/kg",
    "μg/kg": "ug/kg",
    "ug/kg": "ug/kg",
    "mcg/kg": "ug/kg",
    "ng/g": "ug/kg",
    "ppt": "ppt",
    "ng/kg": "ppt",
    "cfu/g": "CFU/g",
    "ufc/g": "CFU/g",
    "ufc/ml": "CFU/mL",
    "kbj/g": "CFU/g",
    "ktj/g": "CFU/g",
    "kte/g": "CFU/g",
    "kbe/g": "CFU/g",
    "cfu/ml": "CFU/mL",
    "cfu": "CFU/g",
    "mpn/g": "CFU/g",
    "logcfu/g": "log CFU/g",
    "log10cfu/g": "log CFU/g",
    "log(cfu/g)": "log CFU/g",
    "aw": "aw",
    "a_w": "aw",
    "ct": "Ct",
    "mg/ml": "mg/mL",
    "mg/unit": "mg/serving",
    "mg/serving": "mg/serving",
    "mg/tablet": "mg/serving",
    "mg/capsule": "mg/serving",
    "mg/gummy": "mg/serving",
    "mg/dose": "mg/serving",
    "mg/piece": "mg/serving",
    "mg/package": "mg/package",
    "mg/pkg": "mg/package",
    "mg/container": "mg/package",
}

#: Mass-fraction units in ppm (= mg/kg = ug/g).
_PPM = {
    "%": 1e4,
    "mg/g": 1e3,
    "g/kg": 1e3,
    "mg/kg": 1.0,
    "ug/g": 1.0,
    "ppm": 1.0,
    "ppb": 1e-3,
    "ug/kg": 1e-3,
    "ppt": 1e-6,
}

#: Category -> (canonical unit, its size in ppm).
CANONICAL: dict[str, tuple[str, float]] = {
    "alkaloid": ("%", 1e4),
    "heavy_metal": ("ug/g", 1.0),
    "mycotoxin": ("ug/kg", 1e-3),
    "moisture": ("%", 1e4),
}

_ND = {
    "nd",
    "n d",
    "not detected",
    "none detected",
    "non detect",
    "nedetekovano",
    "nicht nachweisbar",
    "nn",
    "n n",
    "not detectable",
    "bdl",
    "below detection limit",
    "no analytes detected",
    "no detectado",
    "no detectable",
    "nicht nachgewiesen",
    "no detection",
}
_BELOW_LOQ = {
    "loq",
    "lod",
    "lloq",
    "mdl",
    "rl",
    "mql",
    "lq",
    "ld",
    "pql",
    "bql",
    "blq",
    "bloq",
    "nq",
    "bg",
    "mez stanovitelnosti",
    "lc",
    "mrl",
}
_ABSENT = {
    "absent",
    "absence",
    "not present",
    "negative",
    "neg",
    "negativni",
    "negativ",
    "nicht nachweisbar",
    "not detected in 1g",
    "not detected in 25g",
    "none",
    "free",
    "nepritomno",
    "nenalezeno",
    "ausencia",
    "ausente",
    "negativo",
}
_PRESENT = {
    "present",
    "positive",
    "detected",
    "pos",
    "pozitivni",
    "positiv",
    "nachweisbar",
    "presence",
    "presencia",
    "positivo",
    "detectado",
}
_TNTC = {"tntc", "tnc", "too numerous to count", "too numerous", "overgrown"}
_EMPTY = {
    "na",
    "n a",
    "nr",
    "nt",
    "not tested",
    "not reported",
    "not analyzed",
    "not requested",
    "",
    "not applicable",
    "pending",
    "see attached",
    "tested",
    "complete",
    "reported",
}
_STATUS = {
    "pass": "pass",
    "passed": "pass",
    "passes": "pass",
    "complies": "pass",
    "conforms": "pass",
    "vyhovuje": "pass",
    "ok": "pass",
    "meets": "pass",
    "fail": "fail",
    "failed": "fail",
    "fails": "fail",
    "nevyhovuje": "fail",
    "does not comply": "fail",
    "out of spec": "fail",
    "entspricht": "pass",
    "entspricht nicht": "fail",
    "konform": "pass",
    "nicht konform": "fail",
    "meets spec": "pass",
    "meets specification": "pass",
    "does not conform": "fail",
    "does not meet": "fail",
    "conforme": "pass",
    "no conforme": "fail",
    "cumple": "pass",
    "no cumple": "fail",
    "i o": "pass",
    "n i o": "fail",
    "nicht i o": "fail",
}


@dataclass(frozen=True, slots=True)
class Reading:
    """What a result cell says: qualifier, number (if any) and unit printed in it."""

    qualifier: str  # "=", "<", ">", "nd", "not_detected", "detected", "loq" (a bare <LOQ)
    value: float | None
    unit: str | None = None
    limit: str = "loq"  # for a bare "<LOD": which printed limit the row's value is


@lru_cache(maxsize=65536)
def parse_number(text: str, decimal_comma: bool = False) -> float | None:
    """A printed number as float, or None when ``text`` is not one number."""
    t = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u2009", "")
    if (m := _FLAT_POWER.match(t)) is not None:
        return _float(m["m"], True) * 10.0 ** int(m["e"])
    if (m := _POWER.match(t)) is not None:
        if abs(int(m["e"])) > MAX_EXPONENT:
            return None  # ``6.9 x 1073``: an OCR misreading, not a count of 10^73
        base = _float(m["m"], decimal_comma)
        return None if base is None else base * 10.0 ** int(m["e"])
    if (m := _BARE_POWER.match(t)) is not None:
        return 10.0 ** int(m["e"])
    if _PLAIN.match(t):
        try:
            return _float(t.lstrip("+"), decimal_comma)
        except ValueError:
            return None
    return None


#: ``12.000`` in a decimal-comma document: a dot between groups of three digits groups thousands.
_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")


def _float(t: str, decimal_comma: bool) -> float:
    if decimal_comma and "," not in t and _DOT_THOUSANDS.fullmatch(t):
        return float(t.replace(".", ""))
    if "," in t and "." in t:
        t = (
            t.replace(",", "")
            if t.rfind(".") > t.rfind(",")
            else t.replace(".", "").replace(",", ".")
        )
    elif "," in t:
        t = t.replace(",", ".") if _comma_is_decimal(t, decimal_comma) else t.replace(",", "")
    return float(t)


def _comma_is_decimal(t: str, decimal_comma: bool) -> bool:
    head, _, tail = t.rpartition(",")
    if t.count(",") > 1:
        return False
    return decimal_comma or len(tail) != 3 or head in ("0", "")


@lru_cache(maxsize=65536)
def normalise_unit(text: str) -> str | None:
    """A printed unit (``µg/g``, ``% w/w``, ``CFU/g``...) in normalised form, or None."""
    t = text.strip().strip("()[],;:").lower().replace(" ", "")
    if t.startswith("log") and "cfu" in t:
        return "log CFU/g"
    return UNITS.get(t) or UNITS.get(t.rstrip("."))


@lru_cache(maxsize=65536)
def status_of(text: str) -> str | None:
    """``pass``/``fail`` when ``text`` is a lab's pass/fail verdict."""
    return _STATUS.get(fold(text))


@lru_cache(maxsize=65536)
def is_empty(text: str) -> bool:
    """N/A, NR, Not Tested, a dash: a cell that holds no result."""
    return fold(text) in _EMPTY or text.strip() in ("-", "—", "–", "--", "/", "*")


#: Footnote markers after a value (``ND*``, ``0.12¹``, ``1.75a``): not part of the reading.
_MARKER = re.compile(r"(?:\s*[*†‡§¹²³⁴⁵⁶⁷⁸⁹]+|(?<=\d)\s?[a-d])$")
#: A measurement uncertainty after the value (``0.45 ± 0.05 mg/kg``): the value keeps its unit.
_UNCERTAINTY = re.compile(r"^(?P<v>.*?\d)\s*(?:±|\+/-|\+-)\s*\d[\d.,]*(?P<rest>.*)$")


@lru_cache(maxsize=65536)
def parse_cell(text: str, decimal_comma: bool = False) -> Reading | None:
    """A result cell as a Reading, or None when it holds no result."""
    t = " ".join(text.replace("\u2009", " ").split())
    if not t or is_empty(t):
        return None
    if (stripped := _MARKER.sub("", t)) != t:
        t = stripped.strip()
        if not t or is_empty(t):
            return None
    if (m := _UNCERTAINTY.match(t)) is not None:
        t = (m["v"] + m["rest"]).strip()
    word = _word_reading(t)
    if word is not None:
        return word
    if (m := _CMP.match(t)) is not None:
        return _compared(m["op"], m["rest"], decimal_comma)
    return _measured(t, decimal_comma)


def _word_reading(t: str) -> Reading | None:
    f = fold(t)
    key = re.sub(
        r"\s*(?:\b(?:in|per|en|v)\b|/)?\s*\d+\s*(g|ml|gram|grams)\s*$", "", f
    ).strip()  # not negati(v)
    if key in _ND:
        return Reading("not_detected" if key != f else "nd", None)
    if key in _ABSENT or f.startswith(
        (
            "absence in",
            "absent in",
            "not detected in",
            "negative in",
            "ausencia en",
            "no detection in",
        )
    ):
        return Reading("not_detected", None)
    if key in _PRESENT or f.startswith(("present in", "detected in", "positive in")):
        return Reading("detected", None)
    if key in _TNTC:
        return Reading(">", None)
    if key.replace(" ", "") in _BELOW_LOQ:
        return Reading("loq", None, limit=_limit_kind(key))
    return None


def _limit_kind(key: str) -> str:
    """``lod`` for detection limits (``<LOD``, ``<MDL``), else ``loq``."""
    return "lod" if key.replace(" ", "") in ("lod", "ld", "mdl") else "loq"


def _compared(op: str, rest: str, decimal_comma: bool) -> Reading | None:
    rest = rest.strip()
    key = fold(rest).replace(" ", "")
    if key in _BELOW_LOQ:
        return Reading("loq", None, limit=_limit_kind(key)) if op in "<≤<=" else Reading(">", None)
    inner = _measured(rest, decimal_comma)
    if inner is None or inner.value is None:
        return None
    return Reading("<" if op in ("<", "≤", "<=") else ">", inner.value, inner.unit)


def _measured(t: str, decimal_comma: bool) -> Reading | None:
    value = parse_number(t, decimal_comma)
    if value is not None:
        return Reading("=", value)
    number, unit = _split_unit(t)
    if number is None:
        return None
    value = parse_number(number, decimal_comma)
    return None if value is None else Reading("=", value, unit)


def _split_unit(t: str) -> tuple[str | None, str | None]:
    for cut in range(len(t) - 1, 0, -1):
        unit = normalise_unit(t[cut:])
        if unit is not None and parse_number(t[:cut].strip()) is not None:
            return t[:cut].strip(), unit
    return None, None


def to_canonical(
    code: str, category: str, value: float, unit: str | None
) -> tuple[float, str] | None:
    """``value`` in ``unit`` converted into the canonical unit of ``category``.

    ``unit`` None means the canonical unit was printed (or is implied). Returns None
    when the unit cannot be converted (for example mg/serving for an alkaloid).
    """
    if code == "moisture":
        category = "moisture"
    if category in CANONICAL:
        return _mass_fraction(category, value, unit)
    if code == "water_activity":
        return (value, "aw") if unit in (None, "aw", "%") or unit == "Ct" else None
    if category == "microbial":
        return _count(value, unit)
    return None


def _mass_fraction(category: str, value: float, unit: str | None) -> tuple[float, str] | None:
    canon, size = CANONICAL[category]
    if unit is None or unit == canon:
        return value, canon
    if unit not in _PPM:
        return None
    return _round(value * _PPM[unit] / size), canon


def _count(value: float, unit: str | None) -> tuple[float, str] | None:
    if unit == "log CFU/g":
        if not 0 <= value <= MAX_EXPONENT:
            return None  # ``371 log CFU/g``: a misread ``3.71``, not 10^371 (which would overflow)
        return _round(10.0**value), "CFU/g"
    if unit in (None, "CFU/g", "CFU/mL"):
        return value, "CFU/g"
    return None


def _round(value: float) -> float:
    """Drop binary noise from a unit conversion (0.1 * 1e-3 -> 0.0001)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, 12 - int(math.floor(math.log10(abs(value)))))


def presence_qualifier(code: str, reading: Reading) -> str:
    """``nd`` on a presence test (Salmonella ND) means ``not_detected``."""
    if code in PRESENCE and reading.qualifier == "nd":
        return "not_detected"
    if code not in PRESENCE and reading.qualifier == "not_detected":
        return "nd"
    return reading.qualifier


#: A number printed with a leading zero and no decimal mark (``006``): its ``1.`` was lost.
_LOST_DECIMAL = re.compile(r"[<>≤≥]?0\d+")


def implausible(category: str, value: float | None, unit: str | None, raw: str) -> str | None:
    """Why a reading cannot be what was printed, or None.

    An alkaloid above 100 % is not a share of the sample; a number such as ``006`` (no
    lab prints leading zeros) is a misread ``1.006`` or ``0.06``: both are rejected with a
    warning rather than judged.
    """
    if category == "alkaloid" and unit == "%" and value is not None and value > 100:
        return f"{value:g} % is more than the whole sample"
    for token in raw.split()[1:]:
        if _LOST_DECIMAL.fullmatch(token):
            return f"{token!r} has a leading zero and no decimal mark (part of the number was lost)"
    return None
