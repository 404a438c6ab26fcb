"""Golden result checks on the second real corpus (tests/corpus/real-2) against its truth.

Floors sit just under what the parser reaches on each document's results (recall,
precision). These labs were first seen after the first corpus was tuned (first-sight
figures in ``bench/first_sight.csv``); a floor here guards a gain, it does not measure
generalisation. Documents whose results the parser cannot read yet (a garbled text layer)
have no floor; metadata is checked elsewhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.corpus import REAL_2, truth
from tests.parsers.conftest import parse_once

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from scoring import Score, score_document  # noqa: E402

#: file -> (recall floor, precision floor, silent-miss ceiling)
FLOORS: dict[str, tuple[float, float, int]] = {
    "cannabis-confidenceanalytics-wa-2022-flower.pdf": (
        0.99,
        0.99,
        0,
    ),  # limit and MRL columns, '< MRL'
    "cannabis-terplife-fl-2026-flower-3.5g.pdf": (
        0.99,
        0.99,
        0,
    ),  # limit units under the header, side by side
    "cannabis-terplife-fl-2026-preroll-0.7g.pdf": (0.99, 0.99, 0),
    "hemp-tllabs-fl-2024-greenroads-cbd-tincture.pdf": (0.99, 0.99, 0),
    "cannabis-greenleaflab-ca-2022-flower-magicmelon.pdf": (
        0.99,
        0.99,
        0,
    ),  # 'Pass' | ... | 'No detection in 1 gram'
    "cannabis-moderncanna-fl-2026-gelatin-rso.pdf": (0.99, 0.99, 0),  # 'Activity of Water (Aw)'
    "cannabis-moderncanna-fl-2025-flower-1pg.pdf": (0.99, 0.99, 0),
    "cannabis-moderncanna-fl-2024-pod-summary-1pg.pdf": (0.99, 0.99, 0),
}
_RECORDS = {r["file"]: r for r in truth(REAL_2)}


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    out = {}
    for name in FLOORS:
        doc = parse_once(REAL_2 / name).to_dict()
        out[name] = score_document(_RECORDS[name], doc)
    return out


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_result_floor(name: str, scores: dict[str, Score]) -> None:
    recall, precision, silent = FLOORS[name]
    s = scores[name]
    assert s.recall >= recall, s.misses
    assert s.precision >= precision, s.extras
    assert s.silent <= silent, s.misses


#: The action limits those pages print, in canonical units (ppb of aflatoxin, ppb of metals, CFU/g, aw, %).
_LIMITS = (20.0, 0.2, 0.5, 1.5, 3.0, 100000.0, 0.65, 15.0)


def test_limits_beside_nd_results_are_never_results(scores: dict[str, Score]) -> None:
    """The TerpLife layout prints ``Action Limit`` with its unit on a second header line; every
    ND row must read ND (at first sight 32 limits were reported as results)."""
    for name in (
        "cannabis-terplife-fl-2026-flower-3.5g.pdf",
        "hemp-tllabs-fl-2024-greenroads-cbd-tincture.pdf",
    ):
        doc = parse_once(REAL_2 / name)
        limits = [r for r in doc.results if r.qualifier == "=" and r.value in _LIMITS]
        assert limits == [], limits


def test_presence_call_in_an_untitled_column_beside_a_pass_result() -> None:
    """``Aspergillus Flavus | Pass | 1 | 0.00 | 0.00 | CFU/g | No detection in 1 gram``: the
    Result column prints the verdict, the untitled last column the call: not detected."""
    doc = parse_once(REAL_2 / "cannabis-greenleaflab-ca-2022-flower-magicmelon.pdf")
    got = {r.analyte: r for r in doc.results}
    for code in (
        "aspergillus_flavus",
        "aspergillus_fumigatus",
        "aspergillus_niger",
        "aspergillus_terreus",
        "e_coli",
        "salmonella",
    ):
        assert (got[code].qualifier, got[code].value) == ("not_detected", None), code


def test_below_lod_takes_the_lod_column_never_the_action_limit() -> None:
    """``Total Yeast and Mold* | 100000 | 10000 | <LOD | Pass`` (Action Limit | LOD | Results):
    the bound is the LOD column's 10000, never the 100000 limit beside it."""
    doc = parse_once(REAL_2 / "cannabis-terplife-fl-2026-flower-3.5g.pdf")
    ym = next(r for r in doc.results if r.analyte == "yeast_and_mold")
    assert (ym.qualifier, ym.value, ym.unit) == ("<", 10000.0, "CFU/g")
