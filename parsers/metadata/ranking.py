"""Ranking the values found for a field: named sort keys, best first.

Every label/value pair read on the page becomes a :class:`Candidate` whose
:class:`SortKey` says, field by field, why it should win: the label's rank in the
vocabulary first (``Product Name`` over ``Strain``), then the page (the first page's
header over a later page's), then how the value was placed (printed beside its label
over a value guessed from the words below a bare label), then reading order and the
way the pair was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple


class Placement(IntEnum):
    """Where the value sat relative to its label."""

    PRINTED = 0  # in the label's cell or beside it on its row
    BELOW = 1  # words under a bare label: a guess from geometry


class PairSource(IntEnum):
    """How the pair was read (ties in reading order go to the earlier way)."""

    IN_CELL = 0  # ``Label: value`` inside one cell
    BARE_LABEL = 1  # a cell that is only a label, with its value cell
    SPLIT_LABEL = 2  # a ``Label: value`` whose label the line's cells cut apart


class SortKey(NamedTuple):
    """Why one candidate beats another; compared field by field, lower first."""

    label_rank: int
    page: int
    placement: Placement
    order: int
    source: PairSource


@dataclass(order=True, slots=True)
class Candidate:
    """A value read for a field, with its sort key."""

    key: SortKey
    value: str = field(compare=False)
    ocr: bool = field(default=False, compare=False)
