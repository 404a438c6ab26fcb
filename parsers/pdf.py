"""Open a PDF safely and turn its pages into positioned lines (text layer or OCR).

Bad input becomes a :class:`~parsers.errors.ParseError`: not a PDF, encrypted,
truncated/corrupt, too many pages, no text and no OCR available.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from parsers import ocr
from parsers.errors import CorruptPDF, EncryptedPDF, NotAPDF, NoText, TooManyPages
from parsers.layout_text import Page, build_lines
from parsers.pdftext import page_words

#: A page with fewer characters than this is treated as a scan.
MIN_TEXT_WORDS = 5


@dataclass(slots=True)
class PdfText:
    """All pages of a document as lines, plus how they were read."""

    pages: list[Page]
    page_count: int
    ocr_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

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
        return _read_pages(doc, count, use_ocr)
    finally:
        doc.close()


def _read_pages(doc: pdfium.PdfDocument, count: int, use_ocr: bool) -> PdfText:
    out = PdfText([], count)
    for index in range(count):
        page = doc[index]
        try:
            out.pages.append(_read_page(page, index + 1, use_ocr, out))
        finally:
            page.close()
    if not any(p.lines for p in out.pages):
        hint = "" if ocr.available() or not use_ocr else " (install tesseract-ocr for scans)"
        raise NoText(f"no text layer and no OCR text{hint}")
    return out


def _read_page(page: pdfium.PdfPage, number: int, use_ocr: bool, out: PdfText) -> Page:
    width, height = page.get_size()
    words = page_words(page)
    if len(words) >= MIN_TEXT_WORDS or not use_ocr or not ocr.available():
        return Page(number, width, height, build_lines(words, number))
    ocr_words, confidence = ocr.page_words(page)
    out.ocr_pages.append(number)
    if confidence is not None and confidence < ocr.LOW_CONFIDENCE:
        out.warnings.append(f"page {number}: low OCR confidence ({confidence:.0f})")
    return Page(number, width, height, build_lines(ocr_words, number, ocr=True), True, confidence)
