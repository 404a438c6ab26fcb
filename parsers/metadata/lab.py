"""The lab: the document's issuer.

A labelled ``Laboratory:`` / ``Analyzed by:`` value (never a job title), else the best of
the names the document gives its issuer:

* phrases ending in *Laboratories / Labs / Analytics / Testing* (or starting with
  *Laboratoř*, *Labor*), never a job title (``Laboratory Director``);
* the name in an issuer's sentence: "without the written consent of X",
  "© 2025 X. All rights reserved", "on behalf of X";
* a name whose letters spell the document's web or mail domain
  (``Northwind Scientific`` and ``www.northwindscientific.com``), so a lab whose name has
  no "lab" word is still found in its header, footer or signature block.

Each is scored by how often the document repeats it, a place at the top of page 1, an
address block under it, an issuer's sentence and a matching domain; the winner is
widened to its whole address-block name line. Else the name of the lab's web address.
"""

from __future__ import annotations

import re

from parsers.metadata.cells import LabelledCell, is_block_name
from parsers.metadata.names import COMPANY, COMPANY_TAIL, best_name, clean
from parsers.metadata.ranking import Candidate
from parsers.metadata.vocabulary import (
    ABBREVIATIONS,
    GENERIC,
    JOB_TITLES,
    LAB_HEADS,
    LAB_TAILS,
    LAB_WORDS,
    NUMBER_WORDS,
)
from parsers.vocab import fold

_ACCREDITATION = re.compile(
    r"(ISO/?\s?IEC\s?:?\s?17025(?::\d{4})?|ORELAP\s*#?:?\s*\d+|A2LA[^,;]{0,20}|"
    r"ČIA[^,;]{0,30}|DAkkS\s[\w-]+)"
)


#: The issuer named in a sentence: consent / permission of X, (c) YEAR X, on behalf of X.
_NAME_RUN = r"(?P<name>[A-ZÀ-Ž][\w&.'’-]*(?:,?\s+(?:[A-ZÀ-Ž&][\w&.'’-]*|of|and|de|und|für)){0,6})"
_ISSUER = re.compile(
    r"(?:(?i:consent|permission|approval|authori[sz]ation|behalf)\s+(?i:of|from)\s+(?:the\s+)?"
    r"|(?:©|\((?i:c)\)|(?i:copyright))\s*©?\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s+)?)" + _NAME_RUN
)
_MAIL = re.compile(r"[\w.+-]+@([^\W_][\w-]{1,39})\.[a-z]{2,6}\b", re.IGNORECASE)
_DOMAIN_SUFFIXES = (
    "laboratories",
    "laboratory",
    "labs",
    "lab",
    "analytics",
    "testing",
    "inc",
    "llc",
)
_TRAILING = {"the", "this", "all", "a", "an", "and", "of", "de", "und", "fur"}
_URL = re.compile(
    r"(?:https?://)?w{2,4}\.([a-z0-9-]{3,40})\.(?:com|net|org|us|ca|co|cz|de|eu|io|lab|labs)\b",
    re.IGNORECASE,
)


def find_lab_name(
    labelled: list[Candidate],
    cells: list[LabelledCell],
    by_line: dict[tuple[int, int], list[LabelledCell]],
    vendor: str | None,
) -> str | None:
    """The issuer's name (see the module's docstring for the order of the evidence)."""
    value = best_name(
        [
            c
            for c in labelled
            if not set(fold(c.value).split()) & JOB_TITLES and re.match(r"\s*[^\W\d_]", c.value)
        ]
    )  # a name starts with a letter
    if value is not None and fold(value) != fold(vendor or ""):
        return value
    domains = _domains(cells)
    issuers = _issuer_phrases(cells)
    named = _best_phrase(_lab_phrases(cells) + issuers, issuers, domains, by_line, vendor)
    if named is not None:
        return named
    for cell in cells[:60]:
        text = cell.text
        words = fold(text).split()
        if (
            re.search(r"laborato[rř]", text, re.IGNORECASE)
            and len(text) < 80
            and not cell.labels
            and not cell.only
            and not text.endswith(":")
            and re.match(r"^[A-ZÀ-Ž]", text)
            and not set(words) & JOB_TITLES
            and not set(words) <= GENERIC | _ID_WORDS | NUMBER_WORDS
            and not re.search(r"[\d#]", text)
        ):
            return text.strip()
    masthead = _masthead(cells, by_line, domains, vendor)
    if masthead is not None:
        return masthead
    # a name with no lab word and no issuer's sentence, spelled by the document's domain
    named = _best_phrase(_domain_phrases(cells, domains), [], domains, by_line, vendor)
    return named if named is not None else _url_name(cells, vendor)


def _best_phrase(
    phrases: list[tuple[str, LabelledCell]],
    issuers: list[tuple[str, LabelledCell]],
    domains: list[str],
    by_line: dict[tuple[int, int], list[LabelledCell]],
    vendor: str | None,
) -> str | None:
    """The phrase the document names its issuer by most (repeats, top of page 1, an address
    block, an issuer's sentence, a matching domain), widened to its block's name line."""
    named_by_issuer = {fold(COMPANY_TAIL.sub("", p)) for p, _c in issuers}
    vendor_key = fold(vendor or "")
    scored: dict[str, list[tuple[int, str, LabelledCell]]] = {}
    for k, (phrase, cell) in enumerate(phrases):
        key = fold(COMPANY_TAIL.sub("", phrase))
        if vendor_key and (key in vendor_key or vendor_key in key):
            continue
        scored.setdefault(key, []).append((k, phrase, cell))
    _merge_into_longer(scored, named_by_issuer)
    if not scored:
        return None

    def score(item: tuple[str, list[tuple[int, str, LabelledCell]]]) -> tuple[float, int]:
        key, hits = item
        first = hits[0][2]
        top = 1.0 if first.page == 1 and first.top < 150 else 0.0
        block = 0.5 * any(is_block_name(h[2], by_line) for h in hits)
        issuer = 2.0 * (key in named_by_issuer)
        domain = 1.5 * any(_spells(key, d) for d in domains)
        return (len(hits) + top + block + issuer + domain, -hits[0][0])

    _key, hits = max(scored.items(), key=score)
    for _k, phrase, cell in hits:
        if is_block_name(cell, by_line) and fold(cell.text).startswith(fold(phrase)):
            return clean(cell.text)
    return max(hits, key=lambda h: (len(h[1]), -h[0]))[1]


#: Words of an identifier's label (``LABORATORY ID``), never of a name.
_ID_WORDS = frozenset({"id", "ref", "code", "reference", "#", "ids"})
#: Words of a document's title, never of its issuer's name.
_TITLE_WORDS = frozenset(
    {
        "certificate",
        "report",
        "results",
        "result",
        "summary",
        "coa",
        "protokol",
        "prufbericht",
        "informe",
        "rapport",
        "certificado",
        "zertifikat",
        "analysenzertifikat",
        "page",
        "sample",
    }
)
#: How far down page 1 a masthead sits, and how much larger than the page's body text it is.
MASTHEAD_TOP = 140.0
MASTHEAD_SCALE = 1.3


def _masthead(
    cells: list[LabelledCell],
    by_line: dict[tuple[int, int], list[LabelledCell]],
    domains: list[str],
    vendor: str | None,
) -> str | None:
    """The name printed largest at the top of page 1 (``Oriel Scientific Services``), when the
    document names it again (a footer, a later page's header, a signature), puts an address
    block under it, states an accreditation at the top of the page, or spells it in its
    domain: a lab whose name has no "lab" word."""
    first = [c for c in cells if c.page == 1]
    if not first:
        return None
    sizes = sorted(c.size for c in first)
    body = sizes[len(sizes) // 2]
    top = [c for c in first if c.top < MASTHEAD_TOP and c.size >= MASTHEAD_SCALE * body]
    if not top:
        return None
    biggest = max(c.size for c in top)
    vendor_key = fold(vendor or "")
    for cell in sorted((c for c in top if c.size >= biggest - 0.5), key=lambda c: (c.top, c.x0)):
        text = clean(cell.text)
        words = fold(text).split() if text else []
        if (
            not text
            or not 1 <= len(words) <= 6
            or re.search(r"[\d:#@/]", text)
            or not re.match(r"[A-ZÀ-Ž]", text)
        ):
            continue
        if (
            set(words) & (_TITLE_WORDS | JOB_TITLES)
            or set(words) <= GENERIC
            or cell.labels
            or cell.only
        ):
            continue
        key = fold(text)
        if vendor_key and (key in vendor_key or vendor_key in key):
            continue
        again = any(
            o is not cell
            and (o.page, o.line) != (cell.page, cell.line)
            and fold(o.text).startswith(key)
            for o in cells
        )
        accredited = any(
            o.page == 1 and o.top < MASTHEAD_TOP + 20 and accreditation_line(o.text) for o in first
        )
        if (
            again
            or accredited
            or is_block_name(cell, by_line)
            or any(_spells(key, d) for d in domains)
        ):
            return text
    return None


def _lab_phrases(cells: list[LabelledCell]) -> list[tuple[str, LabelledCell]]:
    """Lab-like names in the text: ``Badger Labs``, ``ACT Laboratories (FL)``, ``Laboratoř Botanica Praha s.r.o.``."""
    out: list[tuple[str, LabelledCell]] = []
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
    return (
        word in LAB_WORDS
        or word.endswith(("analytics", "labs", "laboratories", "laboratory"))
        or (word.endswith("lab") and len(word) > 5)
    )


def _lab_compound(word: str) -> bool:
    """A name word built on *lab* (``Phytolab``, ``Biolab``, ``LabTech``), not the word *Lab* itself."""
    low = fold(word)
    return (
        (low.endswith("lab") and len(low) > 5)
        or (low.endswith("labs") and len(low) > 6)
        or bool(re.match(r"^Lab[A-Z][a-z]{2,}$", word))
    )


def _phrase_in(run: list[str], after: list[str]) -> str | None:
    words = [t.rstrip(",;:") if fold(t) not in ABBREVIATIONS else t for t in run]
    words = [w.rstrip(".") if _lab_word(fold(w)) else w for w in words]
    low = [fold(w) for w in words]
    if set(low) & JOB_TITLES:
        return None  # "Laboratory Director", "Lab Manager": a person's title
    heads = [k for k, w in enumerate(low) if w in LAB_HEADS]
    ends = [k for k, w in enumerate(low) if _lab_word(w)]
    while ends and ends[-1] + 1 < len(low) and low[ends[-1] + 1] in LAB_TAILS:
        ends.append(ends[-1] + 1)  # "Northstar Analytical Services"
    if (
        heads
        and heads[0] == 0
        and len(words) > 1
        and not any(_lab_word(w) and w not in LAB_HEADS for w in low[1:])
    ):
        if all(w in GENERIC or w in NUMBER_WORDS or w in _ID_WORDS for w in low[1:]):
            return None  # "Laboratory Sample", "LABORATORY REPORT", "LABORATORY ID": a heading or label, not a name
        phrase = " ".join(words)
        tail = " ".join(after)
    elif (
        _lab_compound(words[0])
        and not any(_lab_word(w) for w in low[1:])
        and (COMPANY_TAIL.search(" ".join(words)) or COMPANY.match(" ".join(after)))
    ):
        phrase = " ".join(
            words
        )  # "Phytolab Süd GmbH", "LabTech Olomouc s.r.o.": a company named by its lab word
        tail = " ".join(after)
        if COMPANY_TAIL.search(phrase):
            return phrase.strip(" ,")
    elif ends:
        end = ends[-1]
        start = 0
        while start < end and low[start] in (
            "the",
            "this",
            "a",
            "an",
            "by",
            "from",
            "at",
            "certificate",
        ):
            start += 1
        core = low[start:end]
        if (
            not core
            or all(w in GENERIC for w in core)
            and not (end + 2 < len(low) and low[end + 1] in ("of", "de"))
        ):
            return None
        stop = end + 1
        if stop + 1 < len(words) and low[stop] in ("of", "de") and low[stop + 1] not in GENERIC:
            stop = len(words)  # "Quality Labs of Texas"
            core = core + low[end + 1 :]
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


def _merge_into_longer(
    scored: dict[str, list[tuple[int, str, LabelledCell]]], issuers: set[str]
) -> None:
    """A name that is the tail or part of a longer one (``VŠCHT Praha`` in *Metrologická a
    zkušební laboratoř VŠCHT Praha*) counts for the longer: its hits and its issuer's sentence."""
    for key in sorted(scored, key=len):
        words = key.split()
        longer = [k for k in scored if len(k) > len(key) and _contains(k.split(), words)]
        if not longer:
            continue
        target = max(longer, key=lambda k: len(scored[k]))
        scored[target] = sorted(scored[target] + scored.pop(key))
        if key in issuers:
            issuers.add(target)


def _contains(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _issuer_phrases(cells: list[LabelledCell]) -> list[tuple[str, LabelledCell]]:
    """Names in an issuer's sentence ("written consent from X", "© 2025 X. All rights reserved")."""
    out: list[tuple[str, LabelledCell]] = []
    for cell in cells:
        for m in _ISSUER.finditer(cell.text):
            name = _trim_name(m.group("name"))
            if name is not None:
                out.append((name, cell))
    return out


def _trim_name(run: str) -> str | None:
    """A name run cut at its sentence's end, without trailing function words."""
    words: list[str] = []
    for token in run.split():
        words.append(token)
        if token.endswith(".") and not COMPANY.match(token) and fold(token) not in ABBREVIATIONS:
            break
        if token.endswith(".") and len(words) > 1:
            break  # "Modern Canna, LLC. All rights reserved"
    while words and fold(words[-1]) in _TRAILING:
        words.pop()
    name = " ".join(words).strip(" ,;")
    name = name[:-1] if name.endswith(".") and not COMPANY_TAIL.search(name) else name
    low = fold(COMPANY_TAIL.sub("", name)).split()
    if not low or set(low) <= GENERIC or set(low) & JOB_TITLES:
        return None
    return name


def _domains(cells: list[LabelledCell]) -> list[str]:
    """The labels of the web and mail domains the document prints (``northwindscientific``)."""
    out: list[str] = []
    for cell in cells:
        for pattern in (_URL, _MAIL):
            for m in pattern.finditer(cell.text):
                label = fold(m.group(1)).replace("-", "")
                if label not in out:
                    out.append(label)
    return out


def _spells(key: str, domain: str) -> bool:
    """True when a name (folded, without its company form) spells a domain label: the whole
    name (``moderncanna``), the name without its lab word (``tllabs`` for *TL Laboratories*)
    or its first words (``granitepeak`` for *Granite Peak Assay*)."""
    words = [w for w in re.findall(r"[a-z0-9]+", key) if w not in ("and", "of", "the")]
    if not words:
        return False
    name = "".join(words)
    if name == domain:
        return True
    core_name = "".join(w for w in words if not _lab_word(w)) or name
    core_domain = domain
    for suffix in _DOMAIN_SUFFIXES:
        if domain.endswith(suffix) and len(domain) > len(suffix) + 1:
            core_domain = domain[: -len(suffix)]
            break
    if core_name == core_domain and len(core_name) >= 2:
        return True
    if len(domain) >= 6 and (name.startswith(domain) or domain.startswith(name) and len(name) >= 6):
        return True
    return len(words[0]) >= 5 and domain.startswith(words[0]) and len(words) > 1


def _domain_phrases(
    cells: list[LabelledCell], domains: list[str]
) -> list[tuple[str, LabelledCell]]:
    """Runs of capitalised words that spell one of the document's domains, with their company form."""
    if not domains:
        return []
    out: list[tuple[str, LabelledCell]] = []
    for cell in cells:
        tokens = cell.text.split()
        for i in range(len(tokens)):
            if not _name_token(tokens[i], True):
                continue
            for j in range(min(len(tokens), i + 6), i, -1):
                run = [t.rstrip(",;:") for t in tokens[i:j]]
                if not all(_name_token(t, k == 0) for k, t in enumerate(tokens[i:j])):
                    continue
                phrase = (
                    " ".join(run).rstrip(".")
                    if fold(run[-1]) not in ABBREVIATIONS
                    else " ".join(run)
                )
                spelled = [d for d in domains if _spells(fold(phrase), d)]
                if spelled:
                    letters = "".join(re.findall(r"[a-z0-9]+", fold(phrase)))
                    if any(d.startswith(letters) and d != letters for d in spelled):
                        break  # "ACS" for acslab.com: the address names it more fully (see _url_name)
                    m = COMPANY.match(" ".join(tokens[j:]))
                    if m is not None:
                        phrase += (
                            m.group().rstrip()
                            if m.group().startswith(",")
                            else " " + m.group().strip()
                        )
                    out.append((phrase.strip(" ,"), cell))
                    break
    return out


def _url_name(cells: list[LabelledCell], vendor: str | None) -> str | None:
    """The lab named by its web address (``www.cannalysis.com`` -> ``Cannalysis``, ``acslab`` -> ``ACS Lab``)."""
    skip = {fold(p) for p in (vendor or "").split()}
    for cell in cells:
        for m in _URL.finditer(cell.text):
            name = m.group(1).lower()
            if "@" in cell.text[max(0, m.start() - 1) : m.start() + 1] or fold(name) in skip:
                continue
            words = re.fullmatch(
                r"([a-z]{2,}?)-?(laboratories|laboratory|labs|lab|analytics|testing)", name
            )
            if words is None:
                return name.replace("-", " ").title()
            head = words[1].upper() if len(words[1]) <= 4 else words[1].title()
            return f"{head} {words[2].title()}"
    return None


#: Words of an accreditation statement (the body or the act of accrediting).
_ACCREDITING = re.compile(
    r"\b(?:accredit\w*|A2LA|PJLA|ANAB|ISO/?\s?IEC|17025|DAkkS|COFRAC|ENAC|UKAS|CALA|NELAP|ORELAP)\b",
    re.IGNORECASE,
)


def accreditation_line(text: str) -> bool:
    """True when ``text`` states the lab's accreditation (its numbers are no report's)."""
    return _ACCREDITING.search(text) is not None


def accreditation(cells: list[LabelledCell]) -> str | None:
    for cell in cells[:200]:
        m = _ACCREDITATION.search(cell.text)
        if m is not None:
            return m[1].strip()
    return None
