"""PDFs for the safety tests, built with reportlab at test time (no binaries committed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

ROWS = (
    ("Mitragynine", "1.42", "%", "0.01", "Pass"),
    ("Lead (Pb)", "0.23", "ug/g", "0.05", "Pass"),
    ("Arsenic (As)", "0.11", "ug/g", "0.05", "Pass"),
    ("Salmonella", "Absent", "/25 g", "", "Pass"),
)


def build_pdf(path: Path, pages: int = 1, rows: int = 4, encrypt: str | None = None) -> Path:
    """A COA-like PDF: a header and ``rows`` table rows on each of ``pages`` pages (rows
    beyond 60 a page are set smaller and closer so that they stay on the page)."""
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    step = 12.0 if rows <= 60 else 720.0 / rows
    for page in range(pages):
        c.setFont("Helvetica", 9)
        c.drawString(40, 810, f"Example Labs - Certificate of Analysis - page {page + 1}")
        c.drawString(40, 795, "Client: Example Botanicals LLC   Batch: RB-2024-0117")
        c.setFont("Helvetica", min(9.0, step * 0.8))
        for r in range(rows):
            y = 770 - r * step
            for x, cell in zip((40, 220, 290, 350, 410), ROWS[r % len(ROWS)], strict=True):
                c.drawString(x, y, cell)
        c.showPage()
    c.save()
    return path


@pytest.fixture
def pdf(tmp_path: Path) -> Callable[..., Path]:
    """``pdf(name, pages=1, rows=4, encrypt=None)`` builds a PDF in tmp_path."""

    def make(name: str = "coa.pdf", **kwargs: object) -> Path:
        return build_pdf(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return make
