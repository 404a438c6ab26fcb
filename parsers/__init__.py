"""Read a lab's certificate-of-analysis PDF into the parse contract document.

A plain library: it knows nothing of Flask or the database.

    >>> from parsers import parse
    >>> doc = parse("coa.pdf")          # in this process
    >>> doc = parse_isolated("coa.pdf")  # in a resource-limited child process
    >>> png = render_page_isolated(pdf_bytes, 1)  # a page as PNG, in such a child too
    >>> doc.to_dict()["results"][0]["analyte"]

Bad input raises a :class:`ParseError` subclass with a stable ``code``.
"""

from parsers.api import PARSER_VERSION, parse
from parsers.document import Dates, Document, ParsedLab, ParsedResult
from parsers.errors import (
    CorruptPDF,
    EncryptedPDF,
    MemoryLimitExceeded,
    NotAPDF,
    NoText,
    ParseError,
    TimeLimitExceeded,
    TooLarge,
    TooManyPages,
)
from parsers.sandbox import Limits, parse_isolated, render_page_isolated

__all__ = [
    "PARSER_VERSION",
    "CorruptPDF",
    "Dates",
    "Document",
    "EncryptedPDF",
    "ParsedLab",
    "Limits",
    "MemoryLimitExceeded",
    "NoText",
    "NotAPDF",
    "ParseError",
    "ParsedResult",
    "TimeLimitExceeded",
    "TooLarge",
    "TooManyPages",
    "parse",
    "parse_isolated",
    "render_page_isolated",
]
