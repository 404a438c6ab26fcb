"""Results-table mechanisms of issue 8, each on a small reportlab PDF: limit columns, table and
panel scope, horizontal tables without row titles, things that are not results, censored
counts and units that are not a mass fraction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import Result, parse


def _by_code(results: tuple[Result, ...]) -> dict[str, Result]:
    return {r.analyte: r for r in results}


# --- 10: limit columns -----------------------------------------------------------------


def test_limit_column_with_its_unit_below_is_not_the_result(make_pdf: Callable[..., Path]) -> None:
    """``Action Limit`` with ``ppb`` printed a little right of it on the unit line: the limit
    keeps its column; the row's result is its ``ND``."""
    pdf = make_pdf([
        (45, 60, "Analyte", 7), (150, 60, "Action Limit", 7), (208, 60, "LOD", 7), (242, 60, "Results", 7),
        (280, 60, "Status", 7),
        (177, 69, "ppb", 7), (209, 69, "ppb", 7), (245, 69, "ppb", 7),
        (45, 80, "Aflatoxin B1", 7), (172, 80, "20.0", 7), (218, 80, "2", 7), (254, 80, "ND", 7), (280, 80, "Pass", 7),
        (45, 90, "Ochratoxin A", 7), (172, 90, "20.0", 7), (218, 90, "2", 7), (254, 90, "3.1", 7), (280, 90, "Pass", 7),
    ])
    got = _by_code(parse(pdf).results)
    assert (got["aflatoxin_b1"].qualifier, got["aflatoxin_b1"].value) == ("nd", None)
    assert (got["ochratoxin_a"].qualifier, got["ochratoxin_a"].value, got["ochratoxin_a"].unit) == ("=", 3.1, "ug/kg")
