"""The contract's analyte vocabulary and label matching.

Labels are compared in a folded form (lower case, no accents, ``&`` → ``and``,
punctuation dropped, filler words such as *total* or *spp* removed, no spaces), first
exactly, then word-prefix by word-prefix, then fuzzily with rapidfuzz (for dropped
ligatures such as ``A atoxin B1`` and glyph errors such as ``Aspergillus slavus``).
A fuzzy match must keep the label's digits and first letter, so ``B1`` never becomes
``B2``. Anything outside the vocabulary (cannabinoids, terpenes, pesticides, solvents,
PAH) never matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

#: code -> (category, printed forms). Categories follow the contract.
ANALYTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "mitragynine": ("alkaloid", ("mitragynine", "mitragynin", "mg", "mitraginine", "mitraginina")),
    "7_hydroxymitragynine": (
        "alkaloid",
        (
            "7-hydroxymitragynine",
            "7-hydroxymitragynin",
            "7-oh",
            "7-oh-mg",
            "7 hydroxy mitragynine",
            "7-hydroxy-mitragynine",
            "7-hydroxymitragynine (7-oh)",
            "7-hidroximitraginina",
            "7-oh-mitragynine",
            "7-oh mitragynine",
            "7-hydroxy mitragynine",
            "7-ohmg",
        ),
    ),
    "speciogynine": ("alkaloid", ("speciogynine", "speciogynin", "sg", "especioginina")),
    "speciociliatine": (
        "alkaloid",
        ("speciociliatine", "speciociliatin", "sc", "especiociliatina"),
    ),
    "paynantheine": (
        "alkaloid",
        ("paynantheine", "paynanthein", "pay", "painanteina", "paynanteina"),
    ),
    "mitraphylline": ("alkaloid", ("mitraphylline", "mitrafylin", "mitraphyllin")),
    "corynantheidine": ("alkaloid", ("corynantheidine", "corynantheidin")),
    "mitragynine_pseudoindoxyl": ("alkaloid", ("mitragynine pseudoindoxyl", "mgp")),
    "total_alkaloids": (
        "alkaloid",
        (
            "alkaloids",
            "indole alkaloids",
            "alkaloid content",
            "alkaloidy",
            "alkaloide",
            "gesamtalkaloide",
            "celkove alkaloidy",
            "alcaloides",
            "alcaloides indolicos",
        ),
    ),
    "lead": ("heavy_metal", ("lead", "pb", "lead pb", "olovo", "blei", "plomb", "plomo", "olow")),
    "arsenic": (
        "heavy_metal",
        ("arsenic", "as", "arsenic as", "arsen", "arsenico", "inorganic arsenic"),
    ),
    "cadmium": ("heavy_metal", ("cadmium", "cd", "cadmium cd", "kadmium", "cadmio")),
    "mercury": (
        "heavy_metal",
        ("mercury", "hg", "mercury hg", "rtut", "quecksilber", "mercure", "mercurio"),
    ),
    "nickel": ("heavy_metal", ("nickel", "ni", "nikl", "nickel ni", "niquel")),
    "chromium": ("heavy_metal", ("chromium", "cr", "chrom", "chromium cr", "chrome", "cromo")),
    "copper": ("heavy_metal", ("copper", "cu", "med", "kupfer", "copper cu", "cuivre", "cobre")),
    "antimony": ("heavy_metal", ("antimony", "sb", "antimon", "antimony sb", "antimonio")),
    "salmonella": ("microbial", ("salmonella", "salmonela", "salmonellen", "salmonella spp")),
    "e_coli": ("microbial", ("e coli", "escherichia coli", "ecoli", "e coli shigella")),
    "stec": (
        "microbial",
        (
            "stec",
            "shiga toxin e coli",
            "stec e coli",
            "shiga toxin producing e coli",
            "e coli stec",
            "e coli o157",
            "e coli o157 h7",
            "e coli 0157",
            "e coli 0157 h7",
            "e coli shiga toxin",
            "pathogenic e coli",
            "shiga toxin producing escherichia coli",
        ),
    ),
    "total_aerobic_count": (
        "microbial",
        (
            "tamc",
            "apc",
            "aerobic plate",
            "aerobic bacteria",
            "aerobic microbial",
            "aerobic",
            "aerobic mesophilic bacteria",
            "celkovy pocet mikroorganismu",
            "mesophilic aerobic bacteria",
            "aerobe keimzahl",
            "gesamtkeimzahl",
            "aerobic microbial count",
            "heterotrophic plate",
            "aerobic plate count",
            "plate count",
            "recuento de aerobios mesofilos",
            "aerobios mesofilos",
            "recuento de aerobios",
            "aerobios",
            "recuento de mesofilos aerobios",
        ),
    ),
    "yeast_and_mold": (
        "microbial",
        (
            "tymc",
            "yeast and mold",
            "yeast and mould",
            "yeasts and molds",
            "yeasts and moulds",
            "yeast mold",
            "yeast and molds",
            "molds and yeasts",
            "moulds and yeasts",
            "mold and yeast",
            "mold yeast",
            "yeast and mold count",
            "yeast mould",
            "hefen und schimmelpilze",
            "kvasinky a plisne",
            "mohos y levaduras",
            "levaduras y mohos",
            "hongos y levaduras",
        ),
    ),
    "yeasts": ("microbial", ("yeasts", "yeast", "kvasinky", "hefen", "levures", "levaduras")),
    "molds": (
        "microbial",
        (
            "molds",
            "mold",
            "moulds",
            "mould",
            "plisne",
            "schimmelpilze",
            "moisissures",
            "mohos",
            "hongos",
        ),
    ),
    "total_coliforms": (
        "microbial",
        ("coliforms", "coliform", "coliform bacteria", "koliformni bakterie", "coliformes"),
    ),
    "enterobacteriaceae": (
        "microbial",
        (
            "enterobacteriaceae",
            "bile tolerant gram negative bacteria",
            "btgn",
            "bile tolerant gram negative",
            "gram negative bacteria",
            "enterobakterie",
            "enterobacterias",
        ),
    ),
    "staphylococcus_aureus": ("microbial", ("staphylococcus aureus", "s aureus", "staph aureus")),
    "listeria": ("microbial", ("listeria", "listeria monocytogenes")),
    "aspergillus_flavus": ("microbial", ("aspergillus flavus", "a flavus")),
    "aspergillus_fumigatus": ("microbial", ("aspergillus fumigatus", "a fumigatus")),
    "aspergillus_niger": ("microbial", ("aspergillus niger", "a niger")),
    "aspergillus_terreus": ("microbial", ("aspergillus terreus", "a terreus")),
    "aspergillus": (
        "microbial",
        ("aspergillus", "aspergillus flavus fumigatus niger terreus", "aspergillus spp"),
    ),
    "total_aflatoxins": (
        "mycotoxin",
        (
            "aflatoxins",
            "aflatoxin",
            "aflatoxiny",
            "aflatoxine",
            "aflatoxins b1 b2 g1 g2",
            "aflatoxiny suma b1 b2 g1 a g2",
            "aflatoxins sum b1 b2 g1 g2",
            "sum of aflatoxins",
            "aflatoxin b1 b2 g1 g2",
            "summe aflatoxine",
            "aflatoxinas",
            "suma de aflatoxinas",
        ),
    ),
    "aflatoxin_b1": ("mycotoxin", ("aflatoxin b1", "b1", "afb1", "aflatoxina b1")),
    "aflatoxin_b2": ("mycotoxin", ("aflatoxin b2", "b2", "afb2", "aflatoxina b2")),
    "aflatoxin_g1": ("mycotoxin", ("aflatoxin g1", "g1", "afg1", "aflatoxina g1")),
    "aflatoxin_g2": ("mycotoxin", ("aflatoxin g2", "g2", "afg2", "aflatoxina g2")),
    "ochratoxin_a": (
        "mycotoxin",
        ("ochratoxin a", "ochratoxin", "ota", "ochratoxins a", "ocratoxina a", "ocratoxina"),
    ),
    "moisture": (
        "physical",
        (
            "moisture",
            "moisture content",
            "water content",
            "loss on drying",
            "vlhkost",
            "obsah vody",
            "feuchtigkeit",
            "wassergehalt",
            "humedad",
            "perdida por desecacion",
        ),
    ),
    "water_activity": (
        "physical",
        (
            "water activity",
            "aw",
            "a w",
            "aktivita vody",
            "wasseraktivitat",
            "actividad de agua",
            "actividad del agua",
            "activity of water",
        ),
    ),
}

#: Presence/absence tests (their "ND" means not_detected, their unit is null).
PRESENCE = frozenset(
    {
        "salmonella",
        "e_coli",
        "stec",
        "listeria",
        "staphylococcus_aureus",
        "aspergillus",
        "aspergillus_flavus",
        "aspergillus_fumigatus",
        "aspergillus_niger",
        "aspergillus_terreus",
    }
)

#: Words dropped from labels before matching.
FILLER = frozenset(
    {
        "total",
        "viable",
        "combined",
        "count",
        "counts",
        "spp",
        "sp",
        "species",
        "specific",
        "gene",
        "the",
        "of",
        "celkovy",
        "pocet",
        "suma",
        "sum",
        "detection",
        "screen",
        "content",
        "totales",
        "totale",
    }
)

#: Labels with these words are QA/QC rows, never results.
QC_WORDS = frozenset(
    {
        "recovery",
        "recoveries",
        "spike",
        "spiked",
        "blank",
        "control",
        "controls",
        "duplicate",
        "qc",
        "qa",
        "surrogate",
        "reference",
        "calibration",
        "nominal",
    }
)

_NON_WORD = re.compile(r"[^a-z0-9]+")
_FUZZY_MIN = 86.0
_MIN_FUZZY_LEN = 6
_FUZZY_OVER_EXACT = 90.0


@dataclass(frozen=True, slots=True)
class Match:
    """An analyte found at the start of a word sequence."""

    code: str
    category: str
    words: int  # how many words of the label it used
    score: float


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, accents removed, ``&`` as ``and``, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text.replace("&", " and ").replace("ß", "ss"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub(" ", text).strip()


#: A lower-case letter followed by a capitalised word: where fused words meet (``TotalAerobicCount``).
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Folded text without filler words or spaces: the matching key. Words fused without
    spaces (``TotalAerobicCount``) are parted first, so their filler words drop too."""
    return "".join(w for w in fold(_CAMEL.sub(" ", text)).split() if w not in FILLER)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, (_category, names) in ANALYTES.items():
        for name in (code.replace("_", " "), *names):
            index.setdefault(compact(name), code)
    index.pop("", None)
    return index


@lru_cache(maxsize=1)
def _fuzzy_keys() -> tuple[str, ...]:
    return tuple(k for k in _index() if len(k) >= _MIN_FUZZY_LEN)


def category_of(code: str) -> str:
    """The contract category of an analyte code."""
    return ANALYTES[code][0]


#: Words after ``QC``/``QA`` that make it a reference to a procedure (``QC WI 54``, ``QA SOP-12``),
#: not a control sample.
_PROCEDURE_WORDS = frozenset(
    {"wi", "sop", "method", "procedure", "doc", "document", "ref", "instruction", "spec"}
)


def is_qc_label(text: str) -> bool:
    """True when a label or heading names a QA/QC item (recovery, blank, control...).

    ``QC``/``QA`` followed by a procedure word names the lab's work instruction
    (``Arsenic - QC WI (Q 54)`` is arsenic measured by that instruction), not a control.
    """
    words = fold(text).split()
    for k, w in enumerate(words):
        if w in ("qc", "qa") and k + 1 < len(words) and words[k + 1] in _PROCEDURE_WORDS:
            continue
        if w in QC_WORDS:
            return True
    return False


def lookup(label: str) -> str | None:
    """The analyte code for a whole label, or None (exact, then fuzzy)."""
    key = compact(label)
    if not key:
        return None
    code = _exact(key)
    return code if code is not None else _fuzzy(key)[0]


def _fuzzy(key: str) -> tuple[str | None, float]:
    if len(key) < _MIN_FUZZY_LEN:
        return None, 0.0
    found = process.extractOne(key, _fuzzy_keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN)
    if found is None:
        return None, 0.0
    cand = found[0]
    if _digits(cand) != _digits(key) or cand[0] != key[0]:
        return None, 0.0
    return _index()[cand], float(found[1])


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def match_prefix(words: list[str], max_words: int = 8) -> Match | None:
    """The longest vocabulary label that starts ``words`` (see :func:`_match_prefix`)."""
    return _match_prefix(tuple(words[:max_words]))


@lru_cache(maxsize=1 << 15)
def _match_prefix(words: tuple[str, ...]) -> Match | None:
    """The longest vocabulary label that starts ``words``.

    An exact label wins over a longer fuzzy one unless the fuzzy one is close
    (``Aspergillus slavus`` is *flavus*, not the combined *Aspergillus*).
    """
    limit = len(words)
    if (
        limit
        and "/" in words[0]
        and (fused := _fused(words)) is not None
        and _exact(compact(words[0])) is None
    ):
        return fused
    fuzzy: Match | None = None
    for n in range(limit, 0, -1):
        key = compact(" ".join(words[:n]))
        code = _exact(key)
        if code is not None and _plausible(list(words[:n])):
            if fuzzy is not None and fuzzy.score >= _FUZZY_OVER_EXACT:
                return fuzzy
            return Match(code, category_of(code), n, 100.0)
        if fuzzy is None:
            code, score = _fuzzy(key)
            if code is not None:
                fuzzy = Match(code, category_of(code), n, score)
    return fuzzy


def _exact(key: str) -> str | None:
    code = _index().get(key)
    if code is None and key.startswith("total"):
        code = _index().get(key[5:])
    return code


#: Symbols conventionally printed in lower case (water activity, ``aw 0.55``).
LOWER_CASE_SYMBOLS = frozenset({"aw"})


def _plausible(words: list[str]) -> bool:
    """Two-letter symbols (Pb, As, MG) count only when printed as such, not as prose
    (``as`` in a sentence); a symbol whose own form is lower case (``aw``) counts as printed."""
    joined = " ".join(words)
    text = joined.strip("()[]:*")
    if len(compact(text)) > 2:
        return True
    if text in LOWER_CASE_SYMBOLS:
        return not joined.startswith(
            ("(", "[")
        )  # ``(aw) = water activity``: a legend's abbreviation
    return text[:1].isupper() and not text.isupper() or text.isupper()


#: Units of mass or volume: a slash after one makes a unit (``mg/g``), never two names.
_MASS_UNITS = frozenset(
    {"mg", "g", "ug", "µg", "μg", "mcg", "ng", "kg", "ml", "l", "cfu", "mpn", "ppm", "ppb"}
)


def _fused(words: tuple[str, ...]) -> Match | None:
    """An analyte fused to another name by a slash (``E.coli/Coliforms``, ``Pb/Lead``):
    the first part names the row. Units (``mg/unit``, ``cfu/g``) are never split."""
    head, slash, _tail = words[0].partition("/")
    if not slash or not head or len(head) < 2 or fold(head) in _MASS_UNITS:
        return None  # ``MG/G``, ``mg/gummy``: a unit per something
    m = _match_prefix((head,))
    return Match(m.code, m.category, 1, m.score) if m is not None and m.words == 1 else None


#: Heading words (compact, folded form) of unscored panels (a filth table, ``Water`` in a
#: solvent list): rows under them are not results.
OUT_OF_SCOPE_HEADINGS = ("filth", "foreign", "terpene", "solvent", "cizorod")
#: Heading words of scored panels: they end an out-of-scope section.
IN_SCOPE_HEADINGS = (
    "microb",
    "metal",
    "mycotox",
    "aflatox",
    "alkaloid",
    "moisture",
    "wateractiv",
    "pathogen",
    "yeast",
    "bacteri",
    "salmonel",
    "coli",
    "kovy",
    "toxin",
    "mikrob",
    "vlhkost",
    "element",
)
