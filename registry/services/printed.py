"""Facts a verdict needs that a COA prints in words: the product's form and the mass a
presence test was run on.

Both are read from printed words only (the product name, a matrix line, a result's
raw text), with general words, never a lab's or vendor's name. The form is a small
classifier: the first family whose words appear wins, in an order that puts what
changes a rule first (an "extract capsule" is an extract: Oklahoma's leaf cap does not
apply to it). Nothing found gives ``None`` ("unknown"): rules limited to some forms
then cannot fail (``thresholds.rules.settle``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from registry.thresholds.model import FORMS

#: (form, words), most specific first. Words match whole, case-folded.
_FORM_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "extract",
        (
            "extract",
            "extracts",
            "concentrate",
            "resin",
            "enhanced",
            "full spectrum",
            "alkaloid extract",
            "7-oh",
            "7oh",
            "hydroxymitragynine",
        ),
    ),
    ("liquid_shot", ("shot", "shots", "liquid", "drink", "beverage", "tincture", "syrup")),
    ("tablet", ("tablet", "tablets", "tabs")),
    ("capsules", ("capsule", "capsules", "caps", "softgel", "softgels")),
    ("leaf_powder", ("powder", "powdered", "leaf", "leaves", "crushed leaf", "ground leaf")),
)
_PATTERNS = tuple(
    (form, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b"))
    for form, words in _FORM_WORDS
)


def form_from_words(texts: Iterable[str | None]) -> str | None:
    """The product form the printed words name (see :data:`thresholds.FORMS`), or None."""
    text = " ".join(t for t in texts if t).casefold()
    if not text:
        return None
    for form, pattern in _PATTERNS:
        if pattern.search(text):
            return form
    return None


def valid_form(form: str | None) -> str | None:
    """An uploader's form as stored: one of the known forms, None for ``unknown``."""
    if form is None or form == "unknown":
        return None
    if form not in FORMS:
        raise ValueError(f"unknown product form {form!r}; known forms: {', '.join(FORMS)}")
    return form


_MASS = re.compile(r"\b(?:in|per)\s*(\d+(?:[.,]\d+)?)\s*(?:g|gm|grams?)\b", re.IGNORECASE)


def tested_mass_g(raw: str | None) -> float | None:
    """The mass a presence test was run on, when its printed text says (``Not Detected
    in 25 g``, ``Absent per 10g``); None otherwise."""
    if not raw:
        return None
    found = _MASS.search(raw)
    return float(found.group(1).replace(",", ".")) if found else None
