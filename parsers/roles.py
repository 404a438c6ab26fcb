"""What a table column, or a cell of a result row, holds: its role (a ``StrEnum``, so a
role compares and prints as its name)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A column's role from its title (``Result``, ``LOQ``, ``Units``...), or a row
    cell's, from its column or its words."""

    ANALYTE = "analyte"
    RESULT = "result"
    UNIT = "unit"
    LOQ = "loq"  # limit of quantitation (reporting limit)
    LOD = "lod"  # limit of detection
    LIMIT = "limit"  # an action limit or specification
    STATUS = "status"  # the lab's pass/fail
    UNCERTAINTY = "uncertainty"
    METHOD = "method"
    OTHER = "other"
    KEYWORD = "keyword"  # a word that names the next cell (``LOQ:``), or punctuation
    ALT = "alt"  # a second reading: a presence test's verdict after its limit


#: Roles of a table's data columns: two of them (or an analyte and a result) make a
#: line a table header; a transposed table's row titles name one of them.
DATA_ROLES = frozenset({Role.RESULT, Role.LOQ, Role.LOD, Role.UNIT, Role.STATUS, Role.LIMIT})
