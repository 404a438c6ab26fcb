"""OCR for pages without a text layer: pypdfium2 renders, Tesseract reads.

Words come back with their boxes in PDF points, so OCR pages go through the same line
and table logic as text pages. Without the ``tesseract`` binary, :func:`available` is
False and scans end in :class:`~parsers.errors.NoText`
(``apt-get install tesseract-ocr``).
"""

from __future__ import annotations

import shutil
from functools import lru_cache

import pypdfium2 as pdfium

from parsers.layout_text import Word

#: Render resolution for OCR (dots per inch).
DPI = 300
#: Mean word confidence (0-100) below which a page needs review.
LOW_CONFIDENCE = 70.0


@lru_cache(maxsize=1)
def available() -> bool:
    """True when the tesseract binary and pytesseract are installed."""
    if shutil.which("tesseract") is None:
        return False
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return False
    return True


def page_words(page: pdfium.PdfPage) -> tuple[list[Word], float | None]:
    """Words of a rendered page with their boxes (points) and the mean confidence."""
    import pytesseract

    scale = DPI / 72.0
    image = page.render(scale=scale, grayscale=True).to_pil()
    data = pytesseract.image_to_data(image, config="--psm 11", output_type=pytesseract.Output.DICT)
    words: list[Word] = []
    confidences: list[float] = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if not text.strip() or conf < 0:
            continue
        confidences.append(conf)
        x, y, w, h = (data[k][i] / scale for k in ("left", "top", "width", "height"))
        words.append(Word(text.strip(), x, y, x + w, y + h, max(h, 1.0)))
    mean = sum(confidences) / len(confidences) if confidences else None
    return words, mean
