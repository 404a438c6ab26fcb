"""A PDF page as a PNG for the review desk (pypdfium2, which the parser already uses)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium

SCALE = 1.5  # 108 dpi: the print readable beside the fields


def render_png(pdf: bytes, number: int) -> bytes | None:
    """Page ``number`` (from 1) of ``pdf`` as PNG bytes; None when there is no such page
    or the PDF cannot be opened."""
    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        return None
    try:
        if not 1 <= number <= len(doc):
            return None
        image = doc[number - 1].render(scale=SCALE).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        doc.close()
