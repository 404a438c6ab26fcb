"""Errors for bad input. Each has a stable ``code`` and a one-line message.

``ParseError`` is the base; the registry maps ``code`` to its certificate status and
HTTP problems, and ``python -m parsers`` prints ``FILE: message`` and exits non-zero.
"""

from __future__ import annotations


class ParseError(Exception):
    """A PDF that cannot be read into a document."""

    code = "unreadable"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAPDF(ParseError):
    code = "not_pdf"


class EncryptedPDF(ParseError):
    code = "encrypted"


class CorruptPDF(ParseError):
    """Truncated or structurally broken."""

    code = "corrupt"


class NoText(ParseError):
    """No text layer and no OCR result (Tesseract missing or read nothing)."""

    code = "no_text"


class TooManyPages(ParseError):
    code = "too_many_pages"


class TooLarge(ParseError):
    code = "too_large"


class TimeLimitExceeded(ParseError):
    code = "timeout"


class MemoryLimitExceeded(ParseError):
    code = "memory"


ERRORS: dict[str, type[ParseError]] = {
    cls.code: cls
    for cls in (
        ParseError,
        NotAPDF,
        EncryptedPDF,
        CorruptPDF,
        NoText,
        TooManyPages,
        TooLarge,
        TimeLimitExceeded,
        MemoryLimitExceeded,
    )
}


def error_from_code(code: str, message: str) -> ParseError:
    """Rebuild an error sent across a process boundary."""
    return ERRORS.get(code, ParseError)(message)
