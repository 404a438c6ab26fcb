"""Placeholder replaced by the parsers work (issue 3)."""

from __future__ import annotations

import os

from parsers.document import Document

PARSER_VERSION = "0.0.0"


def parse(source: str | os.PathLike[str] | bytes, *, max_pages: int = 60, ocr: bool = True) -> Document:
    raise NotImplementedError
