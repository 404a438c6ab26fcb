"""Metadata accuracy floors on the real corpus (tests/corpus/real), per field.

Floors sit just below what the parser reaches (see ``bench/accuracy.py``): on the text-layer
files every field but the lab name and the vendor is right on every file; one lab prints
its name only in a logo and its client without label or address.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.parsers.conftest import needs_tesseract, parse_once, real_corpus, real_truth

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from scoring import META_FIELDS, Score, score_metadata  # noqa: E402

#: Per-field floor and overall floor over the text-layer files.
FIELD_FLOOR = 0.9
OVERALL_FLOOR = 0.95
#: Floor for the image-only scan (OCR): 7 of its 9 printed fields are read today.
SCAN_FLOOR = 0.7


@pytest.fixture(scope="module")
def text_layer_scores() -> Score:
    folder = real_corpus()
    total = Score()
    for record in real_truth():
        if "SCANNED" in record["file"]:
            continue
        total.add(score_metadata(record, parse_once(folder / record["file"]).to_dict()))
    return total


@pytest.mark.parametrize("name", META_FIELDS)
def test_field_floor(name: str, text_layer_scores: Score) -> None:
    total = text_layer_scores.meta_total.get(name, 0)
    ok = text_layer_scores.meta_ok.get(name, 0)
    assert total > 0
    assert ok / total >= FIELD_FLOOR, [w for w in text_layer_scores.meta_wrong if f": {name} " in w]


def test_overall_floor(text_layer_scores: Score) -> None:
    assert text_layer_scores.metadata >= OVERALL_FLOOR, text_layer_scores.meta_wrong


@pytest.mark.ocr
def test_scanned_certificate_metadata() -> None:
    needs_tesseract()
    record = next(r for r in real_truth() if "SCANNED" in r["file"])
    score = score_metadata(record, parse_once(real_corpus() / record["file"]).to_dict())
    assert score.metadata >= SCAN_FLOOR, score.meta_wrong
