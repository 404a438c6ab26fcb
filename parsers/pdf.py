"""Open a PDF safely and turn its pages into positioned lines (text layer or OCR).

Bad input becomes a :class:`~parsers.errors.ParseError`: not a PDF, encrypted,
truncated/corrupt, too many pages, no text and no OCR available.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsers import ocr
from parsers.errors import CorruptPDF, EncryptedPDF, NotAPDF, NoText, TooManyPages
from parsers.layout_text import TextPage, Word, build_lines
from parsers.pdftext import page_words

#: A page with fewer words than this is treated as a scan (when it has something to read).
MIN_TEXT_WORDS = 5
#: A page without text or images but with this many paths may be text drawn as outlines (OCR it).
OUTLINED_TEXT_PATHS = 200


@dataclass(slots=True)
class PdfText:
    """All pages of a document as lines, plus how they were read."""

    pages: list[TextPage]
    page_count: int
    ocr_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: bytes | None = None
    _plumber: Any = field(
        default=None, repr=False, compare=False
    )  # pdfplumber document, opened once

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


#: Share of odd characters (control, private-use, unmapped) above which a text layer is unreadable.
ODD_SHARE = 0.15
#: Share of one-glyph words above which a page's text layer is a glyph soup.
SINGLES_SHARE = 0.7
#: Share of word-like characters below which a text layer is nonsense.
WORDLIKE_SHARE = 0.5

_NUMBER_LIKE = re.compile(r"[<>≤≥~±]?[\d.,/:%+\-^xX×E]*\d[\d.,/:%+\-^xX×E]*")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")
_WORD_EDGES = ".,:;()[]{}\"'*#†‡¹²³°!?"
_COMMON_SYMBOLS = frozenset("µμ×·–—’“”•°±≤≥‘€£")


def _garbled(words: list[Word]) -> bool:
    """True when a page's text layer does not say what the page shows.

    PDFs whose fonts lack a usable Unicode map give one of three kinds of nonsense, each
    told by a general measure rather than by the producer: odd characters (control
    codes, private-use or unassigned code points, symbols from far blocks), a soup of
    one-glyph words, or words of ordinary characters that are not word-like
    (``fqvsAR7x5``: no word's case pattern, no vowels, letters mixed with digits).
    """
    text = "".join(w.text for w in words)
    if len(text) < 50:
        return False
    odd = sum(1 for ch in text if _odd(ch))
    if odd > ODD_SHARE * len(text):
        return True
    if len(words) >= 50 and sum(1 for w in words if len(w.text) == 1) > SINGLES_SHARE * len(words):
        return True
    return _wordlike_share(words) < WORDLIKE_SHARE


def _odd(ch: str) -> bool:
    if ch in _COMMON_SYMBOLS:
        return False
    return ord(ch) > 0x17F or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")


def _wordlike_share(words: list[Word]) -> float:
    """Share of the characters (in words of two or more) that belong to word-like words."""
    good = total = 0
    for w in words:
        token = w.text.strip(_WORD_EDGES)
        if len(token) < 2:
            continue
        total += len(token)
        good += len(token) if _wordlike(token) else 0
    return good / total if total >= 200 else 1.0


def _wordlike(token: str) -> bool:
    """A number, or words (joined by ``- / & .``) each in one case pattern, with a vowel when long."""
    if _NUMBER_LIKE.fullmatch(token):
        return True
    for part in re.split(r"[-/&.]", token):
        if not part:
            continue
        if not part.isalpha() or not (
            part.islower() or part.isupper() or part[0].isupper() and part[1:].islower()
        ):
            return False
        if len(part) >= 4 and part.isascii() and not _VOWEL.search(part):
            return False
    return True


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
        return [
            Word(w["text"], w["x0"], w["top"], w["x1"], w["bottom"], float(w["bottom"] - w["top"]))
            for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)
        ]
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


def _read_page(page: pdfium.PdfPage, number: int, use_ocr: bool, out: PdfText) -> TextPage:
    width, height = page.get_size()
    words: list[Word] = page_words(page)
    width, height = getattr(words, "size", None) or (width, height)  # a page read turned
    if _garbled(words) and out.data is not None:
        words = _plumber_words(out, number - 1)
    unreadable = _garbled(words)
    can_ocr = use_ocr and ocr.available()
    if not can_ocr or not unreadable and (len(words) >= MIN_TEXT_WORDS or not _has_ink(page)):
        if unreadable:
            out.warnings.append(
                f"page {number}: the text layer is unreadable (fonts without a Unicode map)"
                + ("" if use_ocr else "; OCR is off")
            )
        return TextPage(number, width, height, build_lines(words, number))
    ocr_words, confidence = ocr.page_words(page)
    out.ocr_pages.append(number)
    if unreadable:
        out.warnings.append(
            f"page {number}: the text layer is unreadable (fonts without a Unicode map); read by OCR"
        )
    if confidence is not None and confidence < ocr.LOW_CONFIDENCE:
        out.warnings.append(f"page {number}: low OCR confidence ({confidence:.0f})")
    return TextPage(
        number, width, height, build_lines(ocr_words, number, ocr=True), True, confidence
    )
