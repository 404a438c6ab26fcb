"""Fixtures for the parser tests: small reportlab PDFs built on the fly, the real corpus."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
REAL = REPO.parent / "shared" / "corpus" / "real"


def real_corpus() -> Path:
    """The shared real corpus, or skip."""
    if not (REAL / "truth.canonical.json").exists():
        pytest.skip(f"real COA corpus not found at {REAL} (it lives in ../shared beside the repo)")
    return REAL


def real_truth() -> list[dict[str, Any]]:
    if not (REAL / "truth.canonical.json").exists():
        return []
    data: list[dict[str, Any]] = json.loads((REAL / "truth.canonical.json").read_text(encoding="utf-8"))
    return data


def needs_tesseract() -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract missing: apt-get install tesseract-ocr")


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Build a one-page PDF from (x, y, text[, size]) tuples (points, top-left origin)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    def build(items: list[tuple[float, float, str] | tuple[float, float, str, float]],
              name: str = "doc.pdf") -> Path:
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
