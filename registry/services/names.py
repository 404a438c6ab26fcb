"""How names and lot numbers are folded so that spellings of one thing meet."""

from __future__ import annotations

import re
import unicodedata

_LEGAL_SUFFIXES = {
    "llc",
    "l l c",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "co",
    "corp",
    "corporation",
    "company",
    "gmbh",
    "sro",
    "s r o",
    "as",
    "a s",
    "plc",
    "llp",
    "lp",
    "pty",
    "bv",
    "sa",
}
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")
_LOT_IGNORED = re.compile(r"[\s\-‐‑‒–—―_.]+")


def name_key(name: str) -> str:
    """Fold case, punctuation, accents and legal suffixes: "ACME Botanicals, LLC" → "acme botanicals"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = _SPACES.sub(" ", _PUNCT.sub(" ", text.casefold())).strip()
    words = text.split(" ")
    while len(words) > 1 and _strip_suffix(words):
        pass
    return " ".join(words)


def _strip_suffix(words: list[str]) -> bool:
    for n in (3, 2, 1):
        if len(words) > n and " ".join(words[-n:]) in _LEGAL_SUFFIXES:
            del words[-n:]
            return True
    return False


def slugify(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "vendor"


def lot_key(lot: str) -> str:
    """Lots match after dropping spaces, dashes and dots and folding case:
    "rb 2024-0117" and "RB.2024.0117" → "RB20240117"."""
    return _LOT_IGNORED.sub("", unicodedata.normalize("NFKC", lot)).upper()


def display(text: str | None) -> str | None:
    """Collapse whitespace of a printed name; None for blanks."""
    if text is None:
        return None
    text = _SPACES.sub(" ", text).strip()
    return text or None
