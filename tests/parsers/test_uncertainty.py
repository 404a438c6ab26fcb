"""A printed expanded uncertainty (a ``± U (k=2)`` column) is kept on the result, in the
value's canonical unit, so that a profile may judge ``value - U`` (issue 12)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import parse
from parsers.document import ParsedResult


def test_uncertainty_column_is_kept_in_the_values_unit(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (190, 60, "Result"),
            (240, 60, "± U (k=2)"),
            (285, 60, "Units"),
            (350, 60, "LOQ"),
            (40, 75, "Mitragynine"),
            (200, 75, "12.8"),
            (250, 75, "± 1.7"),
            (285, 75, "mg/g"),
            (350, 75, "0.1"),
            (40, 90, "Lead"),
            (200, 90, "0.45"),
            (250, 90, "0.05"),
            (285, 90, "ppm"),
            (350, 90, "0.01"),
        ]
    )
    got = {r.analyte: r for r in parse(pdf).results}
    assert got["mitragynine"].uncertainty == pytest.approx(0.17)  # 1.7 mg/g = 0.17 %
    assert got["lead"].uncertainty == pytest.approx(0.05)


def test_uncertainty_round_trips_through_the_contract_dict() -> None:
    result = ParsedResult("lead", "heavy_metal", 0.45, "ug/g", uncertainty=0.05)
    assert ParsedResult.from_dict(result.to_dict()) == result
    assert (
        ParsedResult.from_dict(
            {"analyte": "lead", "category": "heavy_metal", "value": 1, "unit": "ug/g"}
        ).uncertainty
        is None
    )
