"""Fixtures for the parser tests: small reportlab PDFs built on the fly, the real corpus."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from parsers import Document, parse
from tests.corpus import REAL, truth

REPO = Path(__file__).resolve().parents[2]


def real_corpus() -> Path:
    """The real corpus the repository carries (``tests/corpus/real``)."""
    return REAL


def real_truth() -> list[dict[str, Any]]:
    return truth(REAL)


@cache
def parse_once(path: Path) -> Document:
    """``parse(path)``, once per pytest process: several modules check the same real
    corpus file (results, metadata, OCR), and a parse is a function of the file alone
    (a frozen ``Document``), so each file is read once and each check sees that reading."""
    return parse(path)


def needs_tesseract() -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract missing: apt-get install tesseract-ocr")


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Build a one-page PDF from (x, y, text[, size]) tuples (points, top-left origin)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    def build(
        items: list[tuple[float, float, str] | tuple[float, float, str, float]],
        name: str = "doc.pdf",
    ) -> Path:
        path = tmp_path / name
        c = canvas.Canvas(str(path), pagesize=A4)
        height = A4[1]
        for item in items:
            x, y, text = item[0], item[1], item[2]
            size = item[3] if len(item) > 3 else 10  # type: ignore[misc]
            c.setFont("Helvetica", size)
            c.drawString(x, height - y, text)
        c.save()
        return path

    return build
