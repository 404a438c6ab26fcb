"""The layout contract: every lab layout has a name, detects itself and parses.

``detect`` gets the already-extracted text (:class:`~parsers.pdf.PdfText`) and returns a
confidence in 0..1; the layout catalog picks the most confident layout, the generic parser
(always last) answering a small constant so it wins only when nothing else fits.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from parsers.document import Document
from parsers.pdf import PdfText


@runtime_checkable
class Layout(Protocol):
    """A lab report layout the parser knows."""

    name: str

    def detect(self, pdf: PdfText) -> float:
        """Confidence (0..1) that ``pdf`` is in this layout."""
        ...

    def parse(self, pdf: PdfText) -> Document:
        """The contract document for ``pdf``."""
        ...
