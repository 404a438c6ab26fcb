"""Reading labels: which field a printed label names and where its value starts.

Labels are compared in folded form with ``#``, ``No.``, ``Nr.`` and ``Number`` removed
(:func:`normalise_label`), looked up in the vocabulary
(:mod:`parsers.metadata.vocabulary`); date labels outside it are read by their words
(``Lab Received Date``). ``Label: value`` pairs are read inside a cell (several per cell,
split on ``;`` and ``|`` and at the next label) and across the cells of a line
(``SAMPLE | ID: 267805``); a longer label that is not in the vocabulary
(``Batch Date``, ``Lab Batch #``) is not mistaken for a shorter one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from parsers.metadata.vocabulary import (
    DATE_STEMS,
    DATE_VERBS,
    DATE_WORDS,
    ID_FIELDS,
    LABELS,
    NOT_PRODUCT_BATCH,
    NUMBER_WORDS,
    QUALIFIERS,
)
from parsers.vocab import fold

if TYPE_CHECKING:
    from parsers.metadata.cells import LabelledCell


def _field_index() -> dict[str, list[tuple[str, int]]]:
    index: dict[str, list[tuple[str, int]]] = {}
    for name, labels in LABELS.items():
        for label, rank in labels.items():
            index.setdefault(label, []).append((name, rank))
    return index


_FIELD_OF = _field_index()


@lru_cache(maxsize=16384)
def normalise_label(text: str) -> str:
    """``Batch No.:`` -> ``batch``; ``Sample ID #`` -> ``sample id``; ``Datum příjmu`` -> ``datum prijmu``."""
    text = re.sub(r"^[\W_]+", "", text)
    text = re.sub(r"(?i)\b(?:no|nr|num|number|čís|#)\b\.?|#|№", " ", text)
    words = fold(text).split()
    while words and words[-1] in ("no", "nr", "number", "num", "n", "c", "cislo"):
        words.pop()
    if len(words) > 2 and words[0] in NUMBER_WORDS and words[1] in ("de", "of", "del", "du", "d"):
        words = words[2:]  # "Nº de lote", "Número de informe", "Number of sample"
    return " ".join(words)


@lru_cache(maxsize=16384)
def fields_of_label(text: str, loose: bool = True) -> tuple[tuple[str, int], ...]:
    """The (field, rank) pairs a label names (empty for unknown labels).

    Labels outside the vocabulary are read by their words: a date label names its event
    (``Lab Received Date``, ``Date/Time Analyzed``, ``Completed Date``; ``Order Date`` and
    ``Expiration Date`` name none), and ``Customer Lot`` or ``Product Batch`` is the batch
    unless it is the lab's own (``Lab Batch``, ``Analytical Batch``).
    """
    key = normalise_label(text)
    found = tuple(
        _FIELD_OF.get(key)
        or (_fields_by_words(key) or _fields_by_parts(text, key) if loose else ())
    )
    if found and all(name == "lab" for name, _rank in found) and _NUMBERED.search(text):
        return (
            ("sample_id", 1),
        )  # "Labor-Nr.", "Nº de laboratorio": the lab's number of the sample
    return found


_NUMBERED = re.compile(
    r"(?i)(?:\b(?:no|nr|num|number|numero|número|čís|číslo|cislo)\b\.?|#|№|nº|n°)"
)


#: German compounds end in their date word (``Analysedatum``, ``Prüfzeitraum``): split before looking up stems.
_DATE_COMPOUND = re.compile(r"^(\w{3,}?)s?(datum|zeitraum)$")


def _split_compound(word: str) -> tuple[str, ...]:
    m = _DATE_COMPOUND.match(word)
    return (m[1], m[2]) if m is not None else (word,)


def _fields_by_parts(text: str, key: str) -> list[tuple[str, int]]:
    """A label read by its parts: one half of a bilingual pair (``Kunde / Customer``), or a
    known label of an identifier after a prefix (``TRACK Sample ID``) that does not make it
    another party's (``Customer Sample ID``) or the lab's own batch (``Lab Batch``)."""
    halves = [h for h in re.split(r"\s+/\s+|\s*\|\s*", text) if h.strip()]
    if len(halves) == 2:
        for half in halves:
            found = fields_of_label(half)
            if found:
                return list(found)
        return []
    words = key.split()
    for n in (1, 2):
        prefix, rest = words[:n], " ".join(words[n:])
        ids = [(name, rank + 1) for name, rank in _FIELD_OF.get(rest, ()) if name in ID_FIELDS]
        if (
            ids
            and len(words) > n
            and not set(prefix) & QUALIFIERS
            and not (set(prefix) & NOT_PRODUCT_BATCH and any(name == "batch" for name, _r in ids))
        ):
            return ids
    return []


def _event_verb(words: list[str]) -> bool:
    """``Report Submitted``, ``Results Released``: a noun then the event's verb (not ``NOT TESTED``,
    not a list of events ``COLLECTED, RECEIVED``)."""
    return (
        len(words) >= 2
        and words[-1] in DATE_VERBS
        and words[0] not in DATE_VERBS
        and not set(words) & {"not", "no", "be", "to", "being", "un"}
    )


def _fields_by_words(key: str) -> list[tuple[str, int]]:
    words = key.split()
    if not words or len(words) > 5 or re.search(r"\d", key):
        return []
    words = [part for w in words for part in _split_compound(w)]
    if any(w in DATE_WORDS for w in words) or _event_verb(words):
        for stem, name, rank in DATE_STEMS:
            if any(w.startswith(stem) for w in words):
                return [(name, rank)]
        return []
    tail = words[-2] if len(words) > 1 and words[-1] in ("id", "code") else words[-1]
    if (
        tail in ("batch", "lot")
        and len(words) > 1
        and not any(w in NOT_PRODUCT_BATCH for w in words)
    ):
        return [("batch", 1)]
    return []


_SEP = re.compile(r"\s*(?::|#\s*:?|\b(?:No|Nr|ID)\.?\s*:|\bNo\.|\s\.{3,}|…+)\s*")


def read_labels(cell: LabelledCell) -> None:
    """Fill ``cell.labels`` (``Label: value`` pairs) and ``cell.only`` (a bare label)."""
    text = cell.text.strip()
    bare = re.sub(r"\s*(?::|#|No\.?|Nr\.?)\s*$", "", text)
    if (bare != text or ":" not in text) and not _ends_sentence(text):
        names = _label_fields(
            text.rstrip(" :") if _NUMBERED.search(text) and "," not in text else bare
        )
        if names == ["report_number"] and not _IDENTIFIER_LABEL.search(text):
            cell.beside = (
                True  # a title ("Certificate of Analysis") is no label of the line under it
            )
        if names:
            cell.only = names
            return
    if _trailing_label(cell, text):
        return
    for part in re.split(r"\s*[;|]\s*", text):
        cell.labels.extend(_pairs(part))
    if not cell.labels:
        cell.labels.extend(_bare_prefix(text))


#: A bare label of an identifier says so (``Report ID``, ``COA Number``, ``Certificate #``, a colon).
_IDENTIFIER_LABEL = re.compile(
    r"(?i)\b(?:id|code|no|nr|num|number|numero|número|čís|číslo|cislo)\b|[#:№]|nº|n°"
)

#: The field of a label that names none we keep (``Customer Sample ID``): still a label.
NO_FIELD = "-"


def _trailing_label(cell: LabelledCell, text: str) -> bool:
    """``Gold Bali Powder (Lot L1) TRACK Sample ID:``: a value printed so close to the next
    label that they share a cell. The cell becomes a bare label whose first ``lead`` words are
    the value of the label before it."""
    m = re.search(r"\s*(?::|#)\s*$", text)
    if m is None or ":" in text[: m.start()]:
        return False
    start = _label_start(text, m.start())
    if not start or len(text[:start].split()) >= len(cell.words):
        return False
    names = [name for name, _rank in fields_of_label(text[start : m.start()])] or [NO_FIELD]
    cell.only, cell.lead = names, len(text[:start].split())
    cell.x0 = cell.words[cell.lead].x0  # the label's own box, for the values under it
    return True


def _ends_sentence(text: str) -> bool:
    """``... established by the Laboratory.``: a sentence's last word is no bare label."""
    return text.endswith(".") and not re.search(r"(?i)\b(?:no|nr|num|ref|id|cert|lic)\.$", text)


def split_pairs(row: list[LabelledCell]) -> list[tuple[str, str, int]]:
    """``Label: value`` pairs whose label the line's cells cut apart (``SAMPLE | ID: 267805``)."""
    if len(row) < 2:
        return []
    text = ""
    bounds: list[int] = []
    for cell in row:
        text += ("" if not text else " ") + cell.text
        bounds.append(len(text))
    out: list[tuple[str, str, int]] = []
    for part_start, part in _pieces(text):
        for m in _SEP.finditer(part):
            start = _label_start(part, m.start())
            if start is None:
                continue
            a, b = part_start + start, part_start + m.start() + len(m.group().rstrip())
            if (
                _cell_index(bounds, a) == _cell_index(bounds, max(a, b - 1))
                or len(text[a:b].split()) > 3
            ):
                continue
            names = fields_of_label(part[start : m.start()])
            rest = part[m.end() :]
            nxt = next(
                (n for n in _SEP.finditer(rest) if _label_start(rest, n.start()) is not None), None
            )
            value = rest[: _label_start(rest, nxt.start()) if nxt is not None else len(rest)]
            out.extend((name, value.strip(" ,;"), rank) for name, rank in names)
    return out


def _pieces(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    for piece in re.split(r"([;|])", text):
        if piece not in (";", "|"):
            out.append((pos, piece))
        pos += len(piece)
    return out


def _cell_index(bounds: list[int], pos: int) -> int:
    return next((k for k, end in enumerate(bounds) if pos < end), len(bounds))


def _label_fields(label: str) -> list[str]:
    """Fields of a label, including ``COLLECTED, RECEIVED`` lists (one field per item)."""
    direct = [name for name, _rank in fields_of_label(label)]
    if direct:
        return direct
    if "," in label:
        parts = [fields_of_label(p) for p in label.split(",")]
        if any(parts) and len(parts) <= 4:
            return [",".join(name for name, _ in p) or "-" for p in parts]
    return []


def _pairs(part: str) -> list[tuple[str, str, int]]:
    """``Label: value`` pairs of one piece of text (a later label ends the value before it)."""
    marks: list[
        tuple[int, int, tuple[tuple[str, int], ...]]
    ] = []  # (label start, value start, fields)
    for m in _SEP.finditer(part):
        start = _label_start(part, m.start())
        if start is None:
            continue
        label = part[start : m.start()]
        if start > 0 and label.startswith("(") and part[:start].strip():
            continue  # "Red Vein Powder (Lot # W6283-24)": the value's own note, not a label
        names = fields_of_label(label)
        if not names and "," in label:
            continue
        marks.append((start, m.end(), names))
    out: list[tuple[str, str, int]] = []
    for k, (start, value_start, names) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(part)
        value = part[value_start:end].strip(" ,;")
        aside = (
            1 if part[:start].strip() and part[start].islower() else 0
        )  # "... by the client: see below"
        numbered = _NUMBERED.search(part[start:value_start])
        out.extend(
            (name, value, rank + aside) for name, rank in names if not (name == "lab" and numbered)
        )  # "laboratory No. 4479": a number, not a name
        if not names and (code := self_labelled_batch(value)) is not None:
            out.append(("batch", code, 1))  # "CCB ID: LOT 24007": the value names its own kind
    return out


#: A value that opens with its own label (``LOT 24007``, ``Batch# B-12``): a word, then a code with a digit.
_LABELLED_VALUE = re.compile(
    r"^(?P<label>[^\W\d_][^\W\d_ ]{1,14}(?: [^\W\d_]{2,14})?)\s*(?:#|No\.?|Nr\.?)?\s*[:#]?\s*"
    r"(?P<code>[A-Za-z0-9][\w./-]*\d[\w./-]*)$"
)


def self_labelled_batch(value: str) -> str | None:
    """The code of a value printed with a batch label of its own (``LOT 24007`` under an
    identifier label the vocabulary does not know), else None."""
    m = _LABELLED_VALUE.match(value.strip())
    if m is None or not any(
        name == "batch" for name, _rank in fields_of_label(m["label"], loose=False)
    ):
        return None
    return m["code"]


def _label_start(text: str, sep: int) -> int | None:
    """Where the label that ends at ``sep`` starts: the longest known label, else capitalised words."""
    head = text[:sep]
    words = list(re.finditer(r"\S+", head))
    if not words:
        return None
    for n in range(min(6, len(words)), 0, -1):
        start = words[-n].start()
        if head[start:].count("(") > head[start:].count(")"):
            continue  # "Red Vein Powder (Lot #": a note inside a value
        if fields_of_label(head[start:], loose=False):
            if n == len(words) or not _continues_label(words[-n - 1].group()):
                return start
    first: int | None = None
    for w in reversed(words[-4:]):
        token = w.group()
        if not re.match(r"^[A-ZÀ-Ž(][\w()/.'-]*$", token) or re.search(r"\d", token):
            break
        first = w.start()
        if token.startswith("("):
            break  # a label never reaches back over an opening parenthesis
    return first


def _continues_label(word: str) -> bool:
    """True when ``word`` before a label belongs to it (``Lab`` in ``Lab Batch #``)."""
    return bool(re.match(r"^[A-ZÀ-Ž][\w/'-]*$", word)) and not word.endswith((",", ";", ":"))


def _bare_prefix(text: str) -> list[tuple[str, str, int]]:
    """``REPORT DATE 1/15/2025``, ``LAB ID 55005529``: a multi-word or upper-case label, a value with a digit."""
    words = text.split()
    for n in range(min(5, len(words) - 1), 0, -1):
        label = " ".join(words[:n])
        names = fields_of_label(label)
        rest = " ".join(words[n:])
        if label.count("(") != label.count(")"):
            continue  # "Red Vein Powder (Batch" is no label
        if (
            names
            and (n > 1 or label.isupper())
            and re.search(r"\d", words[n])
            and not label.islower()
        ):
            if n == 1 and not label.isupper():
                continue
            return [(name, rest, rank) for name, rank in names]
    return []


def bare_rank(name: str, cell: LabelledCell) -> int:
    """The rank of ``name`` in a bare label cell (each item of a ``COLLECTED, RECEIVED`` list)."""
    ranks = [
        r
        for part in [cell.text, *cell.text.split(",")]
        for f, r in fields_of_label(part)
        if f == name
    ]
    return min(ranks) if ranks else 0


def has_separator(text: str) -> bool:
    return bool(re.search(r"(?::|#|\bNo\.?|\bNr\.?)\s*$", text.strip()))


def labelish(text: str) -> bool:
    """``Total Qty.: 0``, ``Sampling Notes:``: some label of a key/value pair, known or not."""
    return bool(re.match(r"^[^\W\d][^:]{0,30}:(?:\s|$)", text))
