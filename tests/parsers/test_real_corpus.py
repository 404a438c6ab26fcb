"""Golden checks on the real corpus (tests/corpus/real) against truth.canonical.json."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.parsers.conftest import needs_tesseract, parse_once, real_corpus, real_truth

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from scoring import Score, score_document  # noqa: E402

#: Floors at the level reached (recall, precision over the whole text-layer corpus).
RECALL_FLOOR = 0.99
PRECISION_FLOOR = 0.99
METADATA_FLOOR = 0.45

_TEXT = [r for r in real_truth() if "SCANNED" not in r["file"]]


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    folder = real_corpus()
    return {r["file"]: score_document(r, parse_once(folder / r["file"]).to_dict()) for r in _TEXT}


def test_overall_floor(scores: dict[str, Score]) -> None:
    total = Score()
    for s in scores.values():
        total.add(s)
    assert total.recall >= RECALL_FLOOR, total.misses
    assert total.precision >= PRECISION_FLOOR, total.extras
    assert total.metadata >= METADATA_FLOOR, total.meta_wrong


@pytest.mark.parametrize(
    "record", [r for r in _TEXT if r["file"].startswith("kratom")], ids=lambda r: r["file"]
)
def test_kratom_protocols_exact(record: dict[str, Any], scores: dict[str, Score]) -> None:
    s = scores[record["file"]]
    assert (s.recall, s.precision) == (1.0, 1.0), s.misses + s.extras


@pytest.mark.parametrize(
    "name",
    ["hemp-mtl-2023-09-gummies-potency-only.pdf", "cannabis-greenscientific-fl-2022-budder.pdf"],
)
def test_no_results_from_not_tested_panels(name: str, scores: dict[str, Score]) -> None:
    assert scores[name].reported == 0, scores[name].extras


#: Per-layout result floors (recall, precision) just below what the parser reaches.
LAYOUT_FLOORS = {
    layout: (0.99, 0.99)
    for layout in (
        "ACS-Laboratory (FL)",
        "ACT-Laboratories-FL",
        "Anresco-Laboratories (CA)",
        "Cannalysis (CA)",
        "Confident-Cannabis/Confident-LIMS",
        "Kaycha-Labs",
        "MCR-Labs (MA)",
        "Method-Testing-Labs (FL)",
        "VSCHT-MZL-chem-protocol (CZ)",
    )
}


@pytest.mark.parametrize("layout", sorted(LAYOUT_FLOORS))
def test_layout_floor(layout: str, scores: dict[str, Score]) -> None:
    total = Score()
    for r in _TEXT:
        if r["layout"] == layout:
            total.add(scores[r["file"]])
    recall, precision = LAYOUT_FLOORS[layout]
    assert total.recall >= recall, total.misses
    assert total.precision >= precision, total.extras


def test_mcr_qc_pages_not_results() -> None:
    doc = parse_once(real_corpus() / "cannabis-mcr-ma-2021-flower-8pg.pdf")
    assert all(r.page is not None and r.page < 6 for r in doc.results)


@pytest.mark.ocr
def test_scanned_page_is_read_by_ocr() -> None:
    needs_tesseract()
    doc = parse_once(real_corpus() / "hemp-acs-2024-cbd-gummies-SCANNED.pdf")
    assert doc.ocr and doc.pages == 1
