"""Identifiers (batch, sample id, report number) and the product.

An identifier is the first token of its value with digit groups kept together
(``8474 5221 8191``); a value that is only a date or a time is no identifier. The
product without a label is the title printed above the sample's matrix line
(``Matrix: Edible``); an unlabelled code under a labelled product is the batch, and so is
an unlabelled code that titles the sample's block of ``Label: value`` lines. A ``Batch:``
on the line of an analysis's own record (``Prep By:``, ``Instrument:``) is the lab's run.
"""

from __future__ import annotations

import re

from parsers.metadata.cells import LabelledCell, column_above, is_address, is_contact, is_value
from parsers.metadata.dates import find_dates
from parsers.metadata.labels import labelish, normalise_label
from parsers.metadata.names import clean, looks_like_name, name_value
from parsers.metadata.ranking import Candidate
from parsers.metadata.vocabulary import (
    EMPTY,
    LAB_RUN_STEPS,
    LAB_RUN_WORDS,
    MATRIX_LABELS,
    MATRIX_WORDS,
)
from parsers.vocab import fold

_ID = re.compile(r"[A-Za-z0-9][\w./:#-]*[\w]|[A-Za-z0-9]")


def best_id(cands: list[Candidate], keep_names: bool = False, report: bool = False) -> str | None:
    for cand in sorted(cands):
        value = _id_value(_ocr_digits(cand.value) if cand.ocr else cand.value, keep_names, report)
        if value is not None:
            return value
    return None


def _id_value(value: str, keep_names: bool = False, report: bool = False) -> str | None:
    """An identifier as printed: its first token, digit groups kept together (``8474 5221 8191``)."""
    value = re.split(r"\s*[;|]\s*|\s{3,}", value.strip())[0].strip(" #:.,")
    if report:
        value = value.split("(")[0].strip()
    if not value or fold(value) in EMPTY:
        return None
    if keep_names and looks_like_name(value):
        return clean(value)
    tokens = value.split()
    m = _ID.match(tokens[0])
    if m is None:
        return None
    out = m.group()
    k = 1
    if (
        re.fullmatch(r"[A-Za-z]{1,4}", out)
        and re.search(r"[A-Z]", out)
        and k < len(tokens)
        and re.match(r"\d", tokens[k])
    ):
        out += " " + tokens[k]  # a letter prefix apart from its number: "ML 63/26"
        k += 1
    while (
        k < len(tokens)
        and re.fullmatch(r"\d{3,6}", tokens[k])
        and re.fullmatch(r"\d{3,6}", tokens[k - 1])
    ):
        out += " " + tokens[k]  # digit groups: "8474 5221 8191 0310"
        k += 1
    if not re.search(r"\d", out) or re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", out):
        return None  # no digit, or a time of day
    if any(pos == 0 for pos, _d in find_dates(out, False)) and re.fullmatch(r"[\d./-]+", out):
        return None  # a date, not a code
    return out


def _ocr_digits(value: str) -> str:
    """OCR's letters for digits inside codes: ``AAFTOI6`` -> ``AAFT016`` (O, I, l next to digits)."""

    def fix(m: re.Match[str]) -> str:
        token = m.group()
        for _ in range(3):
            token = re.sub(
                r"(?<=\d)[OoIl]|[OoIl](?=\d)", lambda c: "0" if c.group() in "Oo" else "1", token
            )
        return token

    value = re.sub(r"(?<![\w$§])[$§](?=\d)", "S", value)
    return re.sub(r"\S*\d\S*", fix, value)


def _is_matrix(cell: LabelledCell) -> bool:
    if cell.only and any(n == "matrix" for n in cell.only):
        return True
    head = normalise_label(cell.text.split(":")[0])
    if ":" in cell.text and (head in MATRIX_LABELS or head.endswith(" matrix")):
        return True
    words = [w for w in fold(cell.text).split() if w]
    return (
        bool(words)
        and not cell.labels
        and all(w in MATRIX_WORDS for w in words)
        and len(words) <= 6
        and not re.search(r"\d", cell.text)
    )


def matrix_title(
    cells: list[LabelledCell],
    by_line: dict[tuple[int, int], list[LabelledCell]],
    known: set[str | None],
) -> str | None:
    """The unlabelled title printed above the sample's matrix line, in the same column, over
    the other ``Label: value`` lines of the sample's block (``Sample ID: ...``, ``Test RFID: ...``)."""
    skip = {fold(k) for k in known if k}
    for cell in cells:
        if cell.page != 1 or cell.top > 350 or not _is_matrix(cell):
            continue
        title: LabelledCell | None = None
        prev = cell
        for above in column_above(cell, by_line, reach=6):
            reach = (3.2 if title is None and prev is not cell else 2.0) * max(
                prev.size, above.size
            )
            if prev.top - above.top > reach + 0.5:
                break
            if (
                title is None
                and (above.labels or labelish(above.text))
                and not above.only
                and not _is_matrix(above)
            ):
                prev = above  # a line of the sample's block: the title is above it
                continue
            if (
                above.only
                or above.labels
                or labelish(above.text)
                or is_contact(above.text)
                or is_address(above.text)
                or is_value(above, by_line)
                or _is_matrix(above)
                or fold(above.text) in skip
            ):
                break
            title = prev = above
        if title is not None:
            text = name_value(title.text)
            if text is not None and not re.search(r"certificate of analysis", text, re.IGNORECASE):
                return text
    return None


def batch_under_product(
    cells: list[LabelledCell],
    by_line: dict[tuple[int, int], list[LabelledCell]],
    products: list[Candidate],
) -> str | None:
    """An unlabelled code printed under a labelled product name (``L08202504``) is the batch."""
    for cell in cells:
        if (
            not any(name == "product" for name, _v, _r in cell.labels)
            and "product" not in cell.only
        ):
            continue
        for line in (cell.line + 1, cell.line + 2):
            for other in by_line.get((cell.page, line), []):
                m = re.fullmatch(r"(?:č\.\s?š\.\s*)?([A-Z]{0,4}\d[\w./-]{4,})", other.text.strip())
                if (
                    m is not None
                    and other.x0 <= cell.x1 + 200
                    and other.top - cell.bottom < 3 * cell.size
                    and not is_value(other, by_line)
                    and not any(pos == 0 for pos, _d in find_dates(m[1], False))
                ):  # a date is no batch
                    return m[1]
    return None


#: A code fit to title a block: one token with at least five digits (``EGP190626-8666``, ``17484_0006800467``).
_TITLE_CODE = re.compile(r"[A-Z0-9][\w./-]{6,}")


def block_title_batch(
    cells: list[LabelledCell], by_line: dict[tuple[int, int], list[LabelledCell]], taken: set[str]
) -> str | None:
    """An unlabelled code printed on page 1 as the title of a block of ``Label: value`` lines
    (``17484_0006800467`` over ``Sample Alias: ...`` / ``Sample Date: ...``) names the lot the
    block describes. Never a value of a label, a date, a contact, or a code read for another field
    (``taken``: the sample id and report number)."""
    for cell in cells:
        text = cell.text.strip()
        if (
            cell.page != 1
            or cell.labels
            or cell.only
            or not _TITLE_CODE.fullmatch(text)
            or sum(ch.isdigit() for ch in text) < 5
            or text in taken
            or is_contact(text)
            or is_value(cell, by_line)
            or find_dates(text, False)
        ):
            continue
        if _titles_labels(cell, by_line):
            return text
    return None


def _titles_labels(title: LabelledCell, by_line: dict[tuple[int, int], list[LabelledCell]]) -> bool:
    """True when the next two lines under ``title``, in its column and close below it, open with
    labels, one of them the sample's (a sample id, product, matrix or ``Sample ...`` label)."""
    prev, found, sample = title, 0, False
    for line in range(title.line + 1, title.line + 4):
        under = [c for c in by_line.get((title.page, line), []) if abs(c.x0 - title.x0) <= 8]
        if not under:
            continue
        cell = under[0]
        if cell.top - prev.bottom > 2.5 * max(title.size, cell.size):
            return False
        if not (cell.labels or cell.only or labelish(cell.text)):
            return False
        found, prev = found + 1, cell
        named = {name for name, _v, _r in cell.labels} | set(cell.only)
        sample = (
            sample
            or _is_matrix(cell)
            or fold(cell.text).startswith("sample")
            or bool(named & {"product", "sample_id", "batch"})
        )
        if found == 2:
            return sample
    return False


def lab_run(cell: LabelledCell, by_line: dict[tuple[int, int], list[LabelledCell]]) -> bool:
    """True when ``cell`` sits in the record of an analysis (``Batch: B6F2315 | Prep By: 1005 |
    Ana. By: 1048``, or ``Prepared By:`` / ``Prep Date:`` stacked over ``Batch ID:``): two or more
    labels of a lab's step, analyst or instrument on its line or within three text heights of it."""
    steps = 0
    for line in range(cell.line - 6, cell.line + 7):
        for other in by_line.get((cell.page, line), []):
            if abs(other.mid_y - cell.mid_y) > 3 * cell.size:
                continue
            for m in _RUN_LABEL.finditer(other.text):
                first, by = fold(m[1]), m[2] is not None
                steps += first in LAB_RUN_STEPS if by else first in LAB_RUN_WORDS
    return steps >= 2


#: A label: its first word, then (for ``Prep By:``, ``Ana. By:``) ``By``, or up to two more words, then a colon.
_RUN_LABEL = re.compile(r"(?:^|\s)([A-Za-z]+)\.?(?:\s+(By)|(?:\s+[A-Za-z()]+\.?){0,2})\s*:")
