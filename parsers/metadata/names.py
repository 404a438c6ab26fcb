"""Names as printed (vendor, product, lab): cleaned of dates, phones and OCR speckle."""

from __future__ import annotations

import re

from parsers.metadata.dates import find_dates, strip_dates
from parsers.metadata.ranking import Candidate
from parsers.metadata.vocabulary import ABBREVIATIONS, EMPTY
from parsers.vocab import fold

_FORMS = (
    r"LLC|L\.L\.C\.|Inc\.?|Ltd\.?|GmbH|(?:spol\.\s)?s\.\s?r\.\s?o\.|a\.\s?s\.|Corp\.?|Co\.|LLP|PLLC|AG|KG|"
    r"S\.\s?L\.(?:U\.)?|S\.\s?A\.|S\.\s?r\.\s?l\.|SARL|SAS|B\.\s?V\."
)


COMPANY = re.compile(r"^,?\s*(?:" + _FORMS + r")(?!\w)|^\s*\([A-Z]{2,3}\)")


COMPANY_TAIL = re.compile(r"(?:,?\s*(?:" + _FORMS + r")(?!\w)|\s*\([A-Z]{2,3}\))+$")


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip(" ,;:|_")
    return value or None


def best_name(cands: list[Candidate], skip_rank: int | None = None) -> str | None:
    for cand in sorted(cands):
        if skip_rank is not None and cand.key.label_rank >= skip_rank:
            continue
        value = name_value(_ocr_name(cand.value) if cand.ocr else cand.value)
        if value is not None:
            return value
    return None


def name_value(value: str) -> str | None:
    """A name as printed: without a leading date, phone or e-mail fragments."""
    parts = [p for p in re.split(r"\s+\|\s+|\s{3,}", value) if p.strip()]
    parts = [
        p for p in parts if not find_dates(p, False) or re.search(r"[A-Za-z]{4,}", strip_dates(p))
    ]
    if not parts:
        return None
    text = clean(strip_dates(parts[0]) if find_dates(parts[0], False) else parts[0])
    if text is not None:
        text = re.sub(
            r"\b((?:Inc|LLC|Corp|Ltd|Co)\.?)\s+[A-Z]{2}$", r"\1", text
        )  # "Regalabs, Inc FL"
    if text is None or fold(text) in EMPTY or not re.search(r"[^\W\d_]", text):
        return None
    return text


def _ocr_name(value: str) -> str:
    """Speckle that OCR reads as punctuation inside a name: ``White Borneo. Kratom``, ``Red ‘Horn``."""
    value = re.sub(r"[‘’“”`´]", "", value)

    def dot(m: re.Match[str]) -> str:
        return m.group(1) if m.group(1).lower() not in ABBREVIATIONS else m.group()

    value = re.sub(r"\b([^\W\d_]{2,})[.,](?=\s+[^\W\d_])", dot, value)
    value = re.sub(
        r"(?<=[^\W\d_]{3})[.:;,'](?=[A-Z][a-z]{2}|\d)", " ", value
    )  # "Green.Malay", "Capsules'500"
    value = re.sub(r"(?<=\d)\.(?=[a-z]{1,2}\b)", " ", value)  # "500.mg"
    value = re.sub(r"(?<=\s)[-–—.,:;'](?=[A-Z][a-z])", "", value)  # "Emerald -Mitra"
    return re.sub(r"\b([^\W\d_]{3,})[.:;,]$", dot, value)  # "Kratom Powder." (not "Co.")


def looks_like_name(value: str) -> bool:
    """``Tincture 1000 mg``: words of letters, not a code."""
    words = value.split()
    return (
        len(words) >= 2
        and sum(1 for w in words if re.fullmatch(r"[^\W\d_][^\W\d_'.-]+", w)) >= 1
        and not re.search(r"\d{5,}", value)
    )
