"""Placeholder replaced by the parsers work (issue 3)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from parsers.document import Document


@dataclass(frozen=True)
class Limits:
    seconds: float = 60.0
    memory_mb: int = 1024
    max_pages: int = 60
    max_bytes: int = 50 * 1024 * 1024


def parse_isolated(source: str | os.PathLike[str] | bytes, limits: Limits = Limits()) -> Document:
    raise NotImplementedError
