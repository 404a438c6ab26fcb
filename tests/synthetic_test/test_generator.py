"""The synthetic corpus generator is consistent with itself, the contract and the real truth's format."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from parsers.document import CATEGORIES, QUALIFIERS
from tests.corpus import REAL
from tests.synthetic import FAMILIES, generate_corpus, samples
from tests.synthetic.__main__ import main
from tests.synthetic.values import CANONICAL, UNIT_FACTORS

REAL_TRUTH = REAL / "truth.canonical.json"
RECORD_KEYS = {
    "file",
    "layout",
    "lab",
    "vendor",
    "product",
    "batch",
    "sample_id",
    "report_number",
    "dates",
    "results",
    "enumerated_categories",
    "meta_alternatives",
    "excused_extras",
    "product_type",
}
RESULT_KEYS = {"analyte", "category", "value", "unit", "qualifier", "lab_status", "page", "raw"}
NO_VALUE = {"nd", "not_detected", "detected"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    folder = generate_corpus(tmp_path_factory.mktemp("synth"), per_family=2, seed=0)
    return folder, json.loads((folder / "truth.canonical.json").read_text(encoding="utf-8"))


def test_families() -> None:
    names = [f.name for f in FAMILIES]
    assert len(set(names)) == len(names) >= 7
    assert {
        "ruled",
        "whitespace",
        "transposed",
        "narrative",
        "multipage",
        "european",
        "scanned",
    } <= set(names)


def test_files_and_record_format(corpus: tuple[Path, list[dict[str, Any]]]) -> None:
    folder, records = corpus
    assert len(records) == 2 * len(FAMILIES)
    for record in records:
        assert set(record) == RECORD_KEYS
        assert (folder / record["file"]).read_bytes().startswith(b"%PDF-")
        assert set(record["lab"]) == {"name", "accreditation"}
        assert set(record["dates"]) == {"received", "tested", "reported"}
        assert (
            record["dates"]["received"] <= record["dates"]["tested"] <= record["dates"]["reported"]
        )
        assert record["meta_alternatives"] == {} and record["excused_extras"] == []
        assert record["product_type"] == "kratom" and record["results"]
        for result in record["results"]:
            assert RESULT_KEYS <= set(result) <= RESULT_KEYS | {"value_alt"}


@pytest.mark.skipif(not REAL_TRUTH.exists(), reason=f"real corpus truth not found at {REAL_TRUTH}")
def test_same_keys_as_the_real_truth(corpus: tuple[Path, list[dict[str, Any]]]) -> None:
    real = json.loads(REAL_TRUTH.read_text(encoding="utf-8"))
    assert set(real[0]) == set(corpus[1][0])
    real_result_keys = {k for r in real for x in r["results"] for k in x}
    assert {k for r in corpus[1] for x in r["results"] for k in x} <= real_result_keys


def test_truth_follows_the_contract(corpus: tuple[Path, list[dict[str, Any]]]) -> None:
    for record in corpus[1]:
        for r in record["results"]:
            assert r["category"] in CATEGORIES and r["qualifier"] in QUALIFIERS
            assert r["category"] in record["enumerated_categories"]
            assert r["lab_status"] in ("pass", "fail", None)
            if r["qualifier"] in NO_VALUE:
                assert r["value"] is None
            if r["qualifier"] in ("not_detected", "detected"):
                assert r["unit"] is None
            elif r["category"] in CANONICAL:
                assert r["unit"] in (CANONICAL[r["category"]], "mg/serving")
            else:
                assert r["unit"] == {"moisture": "%", "water_activity": "aw"}[r["analyte"]]
            if r["qualifier"] == "=":
                assert isinstance(r["value"], float) and math.isfinite(r["value"])


def _commas(record: dict[str, Any]) -> bool:
    """True when the document prints decimal commas (its whole layout, or any of its raw texts)."""
    if record["layout"] in ("synthetic-european", "synthetic-intl", "synthetic-horizontal"):
        return True
    return any(
        re.search(r"\d,\d{1,3}(?!\d)", r["raw"]) and "," not in r["raw"].split()[-1][-1:]
        for r in record["results"]
        if r["qualifier"] == "=" and r["category"] != "microbial"
    )


def test_values_are_the_printed_numbers_in_canonical_units(
    corpus: tuple[Path, list[dict[str, Any]]],
) -> None:
    checked = 0
    for record in corpus[1]:
        for r in record["results"]:
            printed = _printed_number(r["raw"], _commas(record) or _decimal_comma(record))
            unit = _printed_unit(r)
            if r["qualifier"] != "=" or printed is None or unit is None:
                continue
            expected = (
                10**printed if unit == "log CFU/g" else printed / UNIT_FACTORS[r["category"]][unit]
            )
            assert r["value"] == pytest.approx(expected, rel=1e-6), r
            checked += 1
    assert checked > 50


def test_printed_text_is_on_the_page(corpus: tuple[Path, list[dict[str, Any]]]) -> None:
    """Every result's label and value appear in its page's text (text families)."""
    by_name = {name: sample for name, _f, sample, _d in samples(per_family=2, seed=0)}
    text_families = {f.name for f in FAMILIES if f.text_layer}
    illegible = {f.name for f in FAMILIES if not f.legible}
    wrapped = {f.name for f in FAMILIES if not f.in_reading_order}
    folder, records = corpus
    for record in records:
        family = record["layout"].removeprefix("synthetic-")
        pages = _page_texts(folder / record["file"])
        if family in illegible:  # a text layer, but of nonsense: no label may be found in it
            assert "".join(pages).strip(), record["file"]
            assert not any(
                _squash(c.label) in "".join(pages)
                for c in by_name[record["file"]].results()
                if len(c.label) > 3
            ), record["file"]
            continue
        if family not in text_families:
            assert not "".join(pages).strip(), f"{record['file']} should have no text layer"
            continue
        for cell in by_name[record["file"]].results():
            text = pages[cell.page - 1]
            assert _squash(cell.text) in text, (record["file"], cell.raw())
            if family in wrapped:  # a wrapped name: each of its lines is on the page
                assert all(_squash(word) in text for word in cell.label.split()), (
                    record["file"],
                    cell.raw(),
                )
            elif family != "transposed":  # headers there are split into words across cells
                assert _squash(cell.label) in text, (record["file"], cell.raw())


def test_qc_and_not_tested_rows_are_not_results(corpus: tuple[Path, list[dict[str, Any]]]) -> None:
    for record in corpus[1]:
        if record["layout"] == "synthetic-qc":
            assert "mycotoxin" in record["enumerated_categories"]
            assert not [r for r in record["results"] if r["category"] == "mycotoxin"]
            assert not [
                r for r in record["results"] if "Recovery" in r["raw"] or "Blank" in r["raw"]
            ]


def test_deterministic() -> None:
    first = samples(per_family=1, seed=7)
    second = samples(per_family=1, seed=7)
    assert [d for *_, d in first] == [d for *_, d in second]
    assert [s.truth(n) for n, _f, s, _d in first] == [s.truth(n) for n, _f, s, _d in second]
    other = samples(per_family=1, seed=8)
    assert [s.truth(n) for n, _f, s, _d in first] != [s.truth(n) for n, _f, s, _d in other]


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path), "--per-family", "1", "--seed", "3"]) == 0
    assert f"wrote {len(FAMILIES)} PDFs" in capsys.readouterr().out
    assert len(list(tmp_path.glob("*.pdf"))) == len(FAMILIES)


def _page_texts(path: Path) -> list[str]:
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        return [_squash(page.extract_text() or "") for page in pdf.pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _decimal_comma(record: dict[str, Any]) -> bool:
    """European families print decimal commas; the bilingual family does when it is German
    (a comma before one, two or four-plus digits, or after a lone 0, is never a thousands mark)."""
    if record["layout"] in ("synthetic-european", "synthetic-intl"):
        return True
    return record["layout"] == "synthetic-bilingual" and any(
        re.search(r"(?<!\d)0,\d|\d,\d{1,2}(?!\d)|\d,\d{4,}", r["raw"]) for r in record["results"]
    )


def _printed_number(raw: str, decimal_comma: bool) -> float | None:
    match = re.search(r"\s(\d[\d,]*(?:[.,]\d+)?)(?:\s|$)", raw)
    if not match or re.search(r"(E\+|x 10|\.10\^)", raw):
        return None
    text = match.group(1)
    return float(text.replace(",", ".") if decimal_comma else text.replace(",", ""))


def _printed_unit(result: dict[str, Any]) -> str | None:
    units = UNIT_FACTORS.get(result["category"], {})
    found = [u for u in units if u and result["raw"].endswith(" " + u)]
    return max(found, key=len) if found else None
