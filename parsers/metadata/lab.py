"""The lab: the document's issuer.

A labelled ``Laboratory:`` / ``Analyzed by:`` value (never a job title), else the phrase
ending in *Laboratories / Labs / Analytics / Testing* (or starting with *Laboratoř*,
*Labor*) that the document repeats most (headers, footers, "not be reproduced without
the approval of X"), widened to its whole address-block name line, else the name of the
lab's web address.
"""

from __future__ import annotations

import re

from parsers.metadata.cells import Cell, is_block_name
from parsers.metadata.names import COMPANY, COMPANY_TAIL, best_name, clean
from parsers.metadata.ranking import Candidate
from parsers.metadata.vocabulary import (
    ABBREVIATIONS,
    GENERIC,
    JOB_TITLES,
    LAB_HEADS,
    LAB_TAILS,
    LAB_WORDS,
)
from parsers.vocab import fold

_ACCREDITATION = re.compile(r"(ISO/?\s?IEC\s?:?\s?17025(?::\d{4})?|ORELAP\s*#?:?\s*\d+|A2LA[^,;]{0,20}|"
                            r"ČIA[^,;]{0,30}|DAkkS\s[\w-]+)")


_URL = re.compile(r"(?:https?://)?w{2,4}\.([a-z0-9-]{3,40})\.(?:com|net|org|us|ca|co|cz|de|eu|io|lab|labs)\b",
                  re.IGNORECASE)


def find_lab_name(labelled: list[Candidate], cells: list[Cell], by_line: dict[tuple[int, int], list[Cell]],
              vendor: str | None) -> str | None:
    value = best_name([c for c in labelled if not set(fold(c.value).split()) & JOB_TITLES])
    if value is not None and fold(value) != fold(vendor or ""):
        return value
    phrases = _lab_phrases(cells)
    vendor_key = fold(vendor or "")
    scored: dict[str, list[tuple[int, str, Cell]]] = {}
    for k, (phrase, cell) in enumerate(phrases):
        key = fold(COMPANY_TAIL.sub("", phrase))
        if vendor_key and (key in vendor_key or vendor_key in key):
            continue
        scored.setdefault(key, []).append((k, phrase, cell))
    if scored:
        def score(item: tuple[str, list[tuple[int, str, Cell]]]) -> tuple[float, int]:
            hits = item[1]
            first = hits[0][2]
            top = 1.0 if first.page == 1 and first.top < 150 else 0.0
            return (len(hits) + top + 0.5 * any(is_block_name(h[2], by_line) for h in hits), -hits[0][0])

        _key, hits = max(scored.items(), key=score)
        for _k, phrase, cell in hits:
            if is_block_name(cell, by_line) and fold(cell.text).startswith(fold(phrase)):
                return clean(cell.text)
        return max(hits, key=lambda h: (len(h[1]), -h[0]))[1]
    for cell in cells[:60]:
        text = cell.text
        if re.search(r"laborato[rř]", text, re.IGNORECASE) and len(text) < 80 and not cell.labels and \
                re.match(r"^[A-ZÀ-Ž]", text):
            return text.strip()
    return _url_name(cells, vendor)


def _lab_phrases(cells: list[Cell]) -> list[tuple[str, Cell]]:
    """Lab-like names in the text: ``Badger Labs``, ``ACT Laboratories (FL)``, ``Laboratoř Botanica Praha s.r.o.``."""
    out: list[tuple[str, Cell]] = []
    for cell in cells:
        tokens = cell.text.split()
        i = 0
        while i < len(tokens):
            j = i
            while j < len(tokens) and _name_token(tokens[j], j == i):
                j += 1
            if j > i:
                phrase = _phrase_in(tokens[i:j], tokens[j:])
                if phrase is not None:
                    out.append((phrase, cell))
                i = j
            else:
                i += 1
    return out


def _name_token(token: str, first: bool) -> bool:
    if token.lower() in ("&", "and", "of", "a", "und", "für", "de") and not first:
        return True
    return bool(re.match(r"^[A-ZÀ-Ž][\w&.'’-]*,?$", token)) and not re.search(r"\d", token)


def _lab_word(word: str) -> bool:
    """``Labs``, ``Laboratories``, ``Analytics`` and compounds such as ``BioAnalytics``, ``Biolab``."""
    return word in LAB_WORDS or word.endswith(("analytics", "labs", "laboratories", "laboratory")) \
        or (word.endswith("lab") and len(word) > 5)


def _lab_compound(word: str) -> bool:
    """A name word built on *lab* (``Phytolab``, ``Biolab``, ``LabTech``), not the word *Lab* itself."""
    low = fold(word)
    return (low.endswith("lab") and len(low) > 5) or (low.endswith("labs") and len(low) > 6) \
        or bool(re.match(r"^Lab[A-Z][a-z]{2,}$", word))


def _phrase_in(run: list[str], after: list[str]) -> str | None:
    words = [t.rstrip(",;:") if fold(t) not in ABBREVIATIONS else t for t in run]
    words = [w.rstrip(".") if _lab_word(fold(w)) else w for w in words]
    low = [fold(w) for w in words]
    heads = [k for k, w in enumerate(low) if w in LAB_HEADS]
    ends = [k for k, w in enumerate(low) if _lab_word(w)]
    while ends and ends[-1] + 1 < len(low) and low[ends[-1] + 1] in LAB_TAILS:
        ends.append(ends[-1] + 1)  # "Northstar Analytical Services"
    if heads and heads[0] == 0 and len(words) > 1 and not any(_lab_word(w) and w not in LAB_HEADS for w in low[1:]):
        phrase = " ".join(words)
        tail = " ".join(after)
    elif _lab_compound(words[0]) and not any(_lab_word(w) for w in low[1:]) and (
            COMPANY_TAIL.search(" ".join(words)) or COMPANY.match(" ".join(after))):
        phrase = " ".join(words)  # "Phytolab Süd GmbH", "LabTech Olomouc s.r.o.": a company named by its lab word
        tail = " ".join(after)
        if COMPANY_TAIL.search(phrase):
            return phrase.strip(" ,")
    elif ends:
        end = ends[-1]
        start = 0
        while start < end and low[start] in ("the", "this", "a", "an", "by", "from", "at", "certificate"):
            start += 1
        core = low[start:end]
        if not core or all(w in GENERIC for w in core) and not (end + 2 < len(low) and low[end + 1] in ("of", "de")):
            return None
        stop = end + 1
        if stop + 1 < len(words) and low[stop] in ("of", "de") and low[stop + 1] not in GENERIC:
            stop = len(words)  # "Quality Labs of Texas"
            core = core + low[end + 1:]
            if all(w in GENERIC for w in core):
                return None
        phrase = " ".join(words[start:stop])
        tail = " ".join(run[stop:] + after)
        if run[stop - 1].endswith(","):
            tail = ", " + tail
    else:
        return None
    m = COMPANY.match(tail)
    if m is not None:
        sep = "" if m.group().startswith(",") else " "
        phrase += sep + m.group().strip() if not m.group().startswith(",") else m.group().rstrip()
    return phrase.strip(" ,")


def _url_name(cells: list[Cell], vendor: str | None) -> str | None:
    """The lab named by its web address (``www.cannalysis.com`` -> ``Cannalysis``, ``acslab`` -> ``ACS Lab``)."""
    skip = {fold(p) for p in (vendor or "").split()}
    for cell in cells:
        for m in _URL.finditer(cell.text):
            name = m.group(1).lower()
            if "@" in cell.text[max(0, m.start() - 1):m.start() + 1] or fold(name) in skip:
                continue
            words = re.fullmatch(r"([a-z]{2,}?)-?(laboratories|laboratory|labs|lab|analytics|testing)", name)
            if words is None:
                return name.replace("-", " ").title()
            head = words[1].upper() if len(words[1]) <= 4 else words[1].title()
            return f"{head} {words[2].title()}"
    return None


def accreditation(cells: list[Cell]) -> str | None:
    for cell in cells[:200]:
        m = _ACCREDITATION.search(cell.text)
        if m is not None:
            return m[1].strip()
    return None
