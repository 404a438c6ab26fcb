"""``parse()``: one COA PDF in, one contract :class:`Document` out.

Text is read through pypdfium2 (characters with boxes), scanned pages through
Tesseract; the layout catalog picks a layout and the layout reads the document. Bad input
raises a :class:`~parsers.errors.ParseError` subclass, never anything else.
"""

from __future__ import annotations

import dataclasses
import os

from parsers.document import Document
from parsers.errors import CorruptPDF, ParseError
from parsers.layout_catalog import choose
from parsers.missed import unread_analytes
from parsers.pdf import PdfText, read_bytes, read_pdf
from parsers.values import implausible

PARSER_VERSION = "1.0.0"

#: Key fields whose absence sends a document to review.
KEY_FIELDS = ("vendor", "product", "batch")


def parse(
    source: str | os.PathLike[str] | bytes, *, max_pages: int = 60, ocr: bool = True
) -> Document:
    """Parse one certificate of analysis into the contract document.

    ``source`` is a path or the PDF bytes. Raises :class:`ParseError` (``not_pdf``,
    ``encrypted``, ``corrupt``, ``no_text``, ``too_many_pages``) for bad input, and lets
    ``MemoryError`` through (under :func:`parsers.parse_isolated` it becomes
    :class:`~parsers.errors.MemoryLimitExceeded`).
    """
    data = read_bytes(source)
    try:
        pdf = read_pdf(data, max_pages=max_pages, use_ocr=ocr)
        return _review(_plausible(choose(pdf).parse(pdf)), pdf)
    except (ParseError, MemoryError):
        raise  # MemoryError: the sandbox reports "memory limit exceeded", not a corrupt file
    except Exception as exc:  # a broken file must never escape as a traceback
        raise CorruptPDF(f"unreadable PDF ({type(exc).__name__}: {exc})") from exc


def _plausible(doc: Document) -> Document:
    """Results that cannot be what the page printed are dropped with a warning (the
    analyte is then unread, so :func:`_review` sends the document to review)."""
    kept, warnings = [], list(doc.warnings)
    for r in doc.results:
        why = implausible(r.category, r.value, r.unit, r.raw)
        if why is None:
            kept.append(r)
        else:
            warnings.append(f"{r.analyte} rejected (page {r.page}: {r.raw!r}): {why}")
    if len(kept) == len(doc.results):
        return doc
    return dataclasses.replace(doc, results=tuple(kept), warnings=tuple(warnings))


def _review(doc: Document, pdf: PdfText) -> Document:
    """Flag OCR'd or incomplete documents for human review.

    Review when key fields are missing, OCR was unsure, an unreadable text layer could
    not be OCR'd, or an analyte named as a result was not read (:mod:`parsers.missed`).
    """
    missing = [name for name in KEY_FIELDS if getattr(doc, name) is None]
    warnings = list(doc.warnings)
    if missing:
        warnings.append("missing key fields: " + ", ".join(missing))
    unread = unread_analytes(pdf.pages, doc.results)
    if missed := [(code, page, label) for code, page, label, doubtful in unread if not doubtful]:
        warnings.append(
            "analytes named on a results page but not read: "
            + ", ".join(f"{code} (page {page}: {label!r})" for code, page, label in missed)
        )
    if doubted := [(code, page, label) for code, page, label, doubtful in unread if doubtful]:
        warnings.append(
            "analytes read as a number where their row also prints a non-detect (a limit?): "
            + ", ".join(f"{code} (page {page}: {label!r})" for code, page, label in doubted)
        )
    low_conf = any("low OCR confidence" in w for w in pdf.warnings)
    unreadable = any("text layer is unreadable" in w for w in pdf.warnings)
    needs = (
        bool(missing) and bool(pdf.ocr_pages) or low_conf or not doc.results and bool(pdf.ocr_pages)
    )
    rejected = any(" rejected (page " in w for w in doc.warnings)
    flagged = needs or bool(missing) or bool(unread) or rejected or unreadable and not pdf.ocr_pages
    return dataclasses.replace(doc, warnings=tuple(warnings), needs_review=flagged)
