"""Generic layout: any lab, any language the vocabulary knows.

Lab: any (fallback; always last in the layout catalog). Layout versions: any table-, list- or
narrative-style certificate with a text layer or readable by OCR.

| field | read |
|---|---|
| lab name | ✓ (``... Laboratories/Labs/Testing`` phrase, or a ``laboratoř`` line) |
| lab accreditation | ✓ (ISO/IEC 17025, ORELAP, A2LA, ČIA mentions) |
| vendor, product, batch, sample id, report number | ✓ (labelled fields in several languages) |
| dates received / tested / reported | ✓ |
| results: value, qualifier, unit, LOQ, lab status | ✓ (header columns, headings, narrative lines) |
| multi-line headers, side-by-side tables, labels left of centred titles | ✓ |
| one measurement in several unit columns (%, mg/g, mg/serving) | ✓ (reported once, canonical unit) |
| transposed tables (analytes as columns; Result/Unit/LOQ/Status or unit-titled rows) | ✓ |
| summary boxes (value printed above its label) | ✓ (number with a fitting unit only) |
| QA/QC tables, out-of-scope sections (filth, terpenes, solvents), footnotes | skipped |
"""

from __future__ import annotations

import re

from parsers.document import Document
from parsers.metadata import read_metadata
from parsers.pdf import PdfText
from parsers.results import extract_results

_DECIMAL_COMMA = re.compile(r"(?<![\d,.])\d+,\d{1,2}(?![\d,])")
_DECIMAL_POINT = re.compile(r"(?<![\d,.])\d+\.\d{1,2}(?![\d.]|[eE][+-]?\d)")
#: Method and standard numbers (``AOAC 2003.09``, ``ISO 4833-1``, ``BAM Ch. 3``): not measurements.
_CODE_NUMBER = re.compile(r"\b[A-Z]{2,}(?:\s+Ch\.)?\s+[\d.,:-]+")


def uses_decimal_comma(pdf: PdfText) -> bool:
    """True when the document writes ``0,12`` rather than ``0.12`` (method numbers and
    ``1.0E+06`` limits, written alike everywhere, do not count)."""
    text = _CODE_NUMBER.sub(" ", " ".join(pdf.lines))
    return len(_DECIMAL_COMMA.findall(text)) > len(_DECIMAL_POINT.findall(text))


class GenericParser:
    """Reads certificates from labs it has never seen."""

    name = "generic"

    def detect(self, pdf: PdfText) -> float:
        """Always applicable, with low confidence."""
        return 0.1

    def parse(self, pdf: PdfText) -> Document:
        """Metadata and results by the general mechanisms."""
        meta = read_metadata(pdf.pages)
        results, warnings = extract_results(pdf.pages, uses_decimal_comma(pdf))
        return Document(
            layout=self.name,
            lab=meta.lab,
            vendor=meta.vendor,
            product=meta.product,
            batch=meta.batch,
            sample_id=meta.sample_id,
            report_number=meta.report_number,
            dates=meta.dates,
            results=tuple(results),
            warnings=tuple(pdf.warnings + warnings),
            pages=pdf.page_count,
            ocr=bool(pdf.ocr_pages),
        )
