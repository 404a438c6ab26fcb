"""Parties of the certificate when no label names the client.

Address blocks: a name line directly above a street / ``City, ST 12345`` line (or
contact lines) is a party; the first such block at the top of the first page that is not
the lab is the vendor. Else a short name heading a block of ``Label: value`` lines.
"""

from __future__ import annotations

import re

from parsers.metadata.cells import LabelledCell, column_above, is_address, is_contact
from parsers.metadata.labels import has_separator, labelish
from parsers.metadata.names import name_value
from parsers.metadata.vocabulary import HEADING_WORDS, LAB_WORDS
from parsers.vocab import fold


def block_vendor(
    cells: list[LabelledCell], by_line: dict[tuple[int, int], list[LabelledCell]], lab: str | None
) -> str | None:
    """The name line of the first address block near the top of page 1 that is not the lab's."""
    lab_key = fold(lab or "")
    for cell in cells:
        if cell.page != 1 or cell.top > 400 or not is_address(cell.text) or cell.labels:
            continue
        name = None
        for above in column_above(cell, by_line):
            if above.top < cell.top - 6 * cell.size:
                break
            if (
                above.only
                or above.labels
                or labelish(above.text)
                or is_contact(above.text)
                or is_address(above.text)
            ):
                continue  # "Address:", "Client Lic#: MMTC-...": a label line of the block, not its name
            name = above
            break
        if name is None:
            continue
        text = name_value(name.text)
        if text is None or (lab_key and (fold(text) in lab_key or lab_key in fold(text))):
            continue
        if any(w in LAB_WORDS for w in fold(text).split()) and lab is None:
            continue
        if len(text) > 60 or re.search(r"certificate|analysis|report", text, re.IGNORECASE):
            continue
        return text
    return None


def titled_block_vendor(
    cells: list[LabelledCell], by_line: dict[tuple[int, int], list[LabelledCell]], lab: str | None
) -> str | None:
    """A short name heading a block of ``Label: value`` lines near the top of page 1 (``One Plant`` /
    ``Order #: 70897`` / ``Retail Batch #: ...``), when no label or address names the client."""
    lab_key = fold(lab or "")
    for cell in cells:
        if cell.page != 1 or cell.top > 250:
            continue
        if (
            cell.only
            or cell.labels
            or labelish(cell.text)
            or is_contact(cell.text)
            or is_address(cell.text)
        ):
            continue
        words = fold(cell.text).split()
        if (
            not 1 <= len(words) <= 5
            or re.search(r"\d|:", cell.text)
            or any(w in HEADING_WORDS for w in words)
        ):
            continue
        if lab_key and (fold(cell.text) in lab_key or lab_key in fold(cell.text)):
            continue
        below = [
            o
            for line in (cell.line + 1, cell.line + 2)
            for o in by_line.get((cell.page, line), [])
            if abs(o.x0 - cell.x0) <= 3 and o.top - cell.bottom <= 1.5 * cell.size
        ]
        if below and (
            below[0].labels
            or (below[0].only and has_separator(below[0].text))
            or labelish(below[0].text)
        ):
            return name_value(cell.text)
    return None
