"""Open a PDF safely and turn its pages into positioned lines (text layer or OCR).

Bad input becomes a :class:`~parsers.errors.ParseError`: not a PDF, encrypted,
truncated/corrupt, too many pages, no text and no OCR available.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsers import ocr
from parsers.errors import CorruptPDF, EncryptedPDF, NotAPDF, NoText, TooManyPages
from parsers.layout_text import Page, Word, build_lines
from parsers.pdftext import page_words

#: A page with fewer words than this is treated as a scan (when it has something to read).
MIN_TEXT_WORDS = 5
#: A page without text or images but with this many paths may be text drawn as outlines (OCR it).
OUTLINED_TEXT_PATHS = 200


@dataclass(slots=True)
class PdfText:
    """All pages of a document as lines, plus how they were read."""

    pages: list[Page]
    page_count: int
    ocr_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: bytes | None = None
    _plumber: Any = field(default=None, repr=False, compare=False)  # pdfplumber document, opened once

    @property
    def lines(self) -> list[str]:
        return [line.text for page in self.pages for line in page.lines]


def read_bytes(source: str | os.PathLike[str] | bytes) -> bytes:
    """The bytes of ``source``; a path that cannot be read is a ParseError."""
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    try:
        with open(source, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise NotAPDF(f"cannot read file ({exc.strerror or exc})") from None


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    """A pdfium document for ``data``, or a ParseError saying why not."""
    if b"%PDF-" not in data[:1024]:
        raise NotAPDF("not a PDF (no %PDF- header)")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise EncryptedPDF("encrypted PDF (password required)") from None
        raise CorruptPDF(f"corrupt or truncated PDF ({exc})") from None


def read_pdf(data: bytes, *, max_pages: int = 60, use_ocr: bool = True) -> PdfText:
    """Lines of every page; scanned pages go through OCR when available."""
    doc = open_pdf(data)
    try:
        count = len(doc)
        if count > max_pages:
            raise TooManyPages(f"too many pages ({count} > {max_pages})")
        if count == 0:
            raise CorruptPDF("PDF has no pages")
        return _read_pages(doc, data, count, use_ocr)
    finally:
        doc.close()


def _read_pages(doc: pdfium.PdfDocument, data: bytes, count: int, use_ocr: bool) -> PdfText:
    out = PdfText([], count, data=data)
    try:
        for index in range(count):
            page = doc[index]
            try:
                out.pages.append(_read_page(page, index + 1, use_ocr, out))
            finally:
                page.close()
    finally:
        if out._plumber is not None:
            out._plumber.close()
            out._plumber = None
    if not any(p.lines for p in out.pages):
        hint = "" if ocr.available() or not use_ocr else " (install tesseract-ocr for scans)"
        raise NoText(f"no text layer and no OCR text{hint}")
    return out


def _garbled(words: list[Word]) -> bool:
    """True when pdfium could not map the fonts to Unicode (symbols instead of letters)."""
    text = "".join(w.text for w in words)
    if len(text) < 50:
        return False
    odd = sum(1 for ch in text if ord(ch) > 0x17F and ch not in "µμ×·–—’“”•°±≤≥")
    return odd > 0.15 * len(text)


def _plumber_words(out: PdfText, index: int) -> list[Word]:
    """Words of one page through pdfplumber (slower, but maps more broken fonts).

    The pdfplumber document is opened once per file (opening it parses the whole file).
    """
    import io

    import pdfplumber

    if out._plumber is None:
        out._plumber = pdfplumber.open(io.BytesIO(out.data or b""))
    page = out._plumber.pages[index]
    try:
        return [Word(w["text"], w["x0"], w["top"], w["x1"], w["bottom"], float(w["bottom"] - w["top"]))
                for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)]
    finally:
        page.close()


def _has_ink(page: pdfium.PdfPage) -> bool:
    """True when a page without text could hold a scan: an image, or enough paths to be outlined text."""
    paths = 0
    for obj in page.get_objects(max_depth=3):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths += 1
            if paths >= OUTLINED_TEXT_PATHS:
                return True
    return False


def _read_page(page: pdfium.PdfPage, number: int, use_ocr: bool, out: PdfText) -> Page:
    width, height = page.get_size()
    words = page_words(page)
    if _garbled(words) and out.data is not None:
        words = _plumber_words(out, number - 1)
    if len(words) >= MIN_TEXT_WORDS or not use_ocr or not ocr.available() or not _has_ink(page):
        return Page(number, width, height, build_lines(words, number))
    ocr_words, confidence = ocr.page_words(page)
    out.ocr_pages.append(number)
    if confidence is not None and confidence < ocr.LOW_CONFIDENCE:
        out.warnings.append(f"page {number}: low OCR confidence ({confidence:.0f})")
    return Page(number, width, height, build_lines(ocr_words, number, ocr=True), True, confidence)
