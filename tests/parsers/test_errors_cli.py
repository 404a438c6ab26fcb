"""Bad input: ParseError subclasses, one-line CLI errors, no tracebacks; --layouts; JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import CorruptPDF, NotAPDF, NoText, TooManyPages, parse
from parsers.__main__ import main
from parsers.layout_catalog import BUILTIN, layouts
from parsers.layouts.base import Layout

REPO = Path(__file__).resolve().parents[2]


def test_not_a_pdf(tmp_path: Path) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_text("hello")
    with pytest.raises(NotAPDF):
        parse(bad)
    with pytest.raises(NotAPDF):
        parse(tmp_path / "missing.pdf")


def test_truncated(make_pdf: Callable[..., Path]) -> None:
    data = make_pdf([(50, 50, "Lead 0.1 ppm")]).read_bytes()
    with pytest.raises(CorruptPDF):
        parse(data[: len(data) // 3])


def test_too_many_pages(make_pdf: Callable[..., Path]) -> None:
    with pytest.raises(TooManyPages):
        parse(make_pdf([(50, 50, "Lead 0.1 ppm")]), max_pages=0)


def test_no_text_without_ocr(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(path))
    c.rect(10, 10, 100, 100)
    c.save()
    with pytest.raises(NoText):
        parse(path, ocr=False)


def test_catalog_contract() -> None:
    assert BUILTIN[-1].name == "generic"
    for layout in layouts():
        assert isinstance(layout, Layout)


def test_cli_json(make_pdf: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(make_pdf([(50, 50, "Lead: 0.1 ppm")]))]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["results"][0]["analyte"] == "lead" and doc["layout"] == "generic"


def test_cli_layouts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--layouts"]) == 0
    assert capsys.readouterr().out.split() == [layout.name for layout in layouts()]


def test_cli_bad_input_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "parsers", str(bad)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bad}: ") and "Traceback" not in proc.stderr
