"""A PDF page as a PNG image (pypdfium2, which the parser already uses), for people who
check what the parser read against the print. Untrusted PDFs are rendered through
:func:`parsers.sandbox.render_page_isolated`, in the same resource-limited child as a
parse; this module is what that child runs."""

from __future__ import annotations

import io
import math

import pypdfium2 as pdfium

#: 108 dpi: the print readable beside the parsed fields.
SCALE = 1.5
#: The largest image drawn (pixels); a page whose size would exceed it is drawn smaller.
MAX_PIXELS = 16_000_000


def page_png(pdf: bytes | str, number: int, scale: float = SCALE) -> bytes | None:
    """Page ``number`` (from 1) of ``pdf`` (bytes or a path) as PNG bytes; None when there
    is no such page or the PDF cannot be opened."""
    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        return None
    try:
        if not 1 <= number <= len(doc):
            return None
        page = doc[number - 1]
        width, height = page.get_size()  # points
        area = max(width * height, 1.0)
        scale = min(scale, math.sqrt(MAX_PIXELS / area))
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        doc.close()
