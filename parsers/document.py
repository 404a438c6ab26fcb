"""The parse contract as frozen dataclasses.

Every parser returns a :class:`Document`; ``Document.to_dict()`` gives the JSON shape
of ``docs/parse-document.md`` and ``Document.from_dict()`` reads it back (the registry
receives documents from a child process as JSON).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Result categories of the contract.
CATEGORIES = ("alkaloid", "heavy_metal", "microbial", "mycotoxin", "physical")

#: Qualifiers of the contract.
QUALIFIERS = ("=", "<", ">", "nd", "not_detected", "detected")


@dataclass(frozen=True, slots=True)
class ParsedLab:
    name: str | None = None
    accreditation: str | None = None


@dataclass(frozen=True, slots=True)
class Dates:
    received: str | None = None  # ISO 8601 dates (YYYY-MM-DD)
    tested: str | None = None
    reported: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedResult:
    """One analyte measurement, in the contract's canonical unit."""

    analyte: str
    category: str
    value: float | None
    unit: str | None
    qualifier: str = "="
    loq: float | None = None
    lab_status: str | None = None  # "pass", "fail" or None, as the lab printed it
    page: int | None = None  # 1-based
    raw: str = ""  # the printed text the value came from
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom (points)
    uncertainty: float | None = (
        None  # expanded uncertainty U as printed (``± U``), same unit as value
    )
    printed_value: float | None = None  # ``value`` in the unit the COA printed (``printed_unit``)
    printed_unit: str | None = (
        None  # the unit printed for the row or its column (normalised: ``ppb``)
    )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["bbox"] = list(self.bbox) if self.bbox is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ParsedResult:
        bbox = d.get("bbox")
        return cls(
            analyte=d["analyte"],
            category=d["category"],
            value=d.get("value"),
            unit=d.get("unit"),
            qualifier=d.get("qualifier") or "=",
            loq=d.get("loq"),
            lab_status=d.get("lab_status"),
            page=d.get("page"),
            raw=d.get("raw") or "",
            bbox=tuple(bbox) if bbox else None,
            uncertainty=d.get("uncertainty"),
            printed_value=d.get("printed_value"),
            printed_unit=d.get("printed_unit"),
        )


@dataclass(frozen=True, slots=True)
class Document:
    """What one COA says, per the parse contract."""

    layout: str = "generic"
    lab: ParsedLab = field(default_factory=ParsedLab)
    vendor: str | None = None
    product: str | None = None
    batch: str | None = None
    sample_id: str | None = None
    report_number: str | None = None
    dates: Dates = field(default_factory=Dates)
    results: tuple[ParsedResult, ...] = ()
    warnings: tuple[str, ...] = ()
    # Extensions (the contract allows added fields):
    pages: int | None = None
    ocr: bool = False  # True when any page was read by OCR
    needs_review: bool = False  # low OCR confidence or key fields missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "lab": asdict(self.lab),
            "vendor": self.vendor,
            "product": self.product,
            "batch": self.batch,
            "sample_id": self.sample_id,
            "report_number": self.report_number,
            "dates": asdict(self.dates),
            "results": [r.to_dict() for r in self.results],
            "warnings": list(self.warnings),
            "pages": self.pages,
            "ocr": self.ocr,
            "needs_review": self.needs_review,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        return cls(
            layout=d.get("layout") or "generic",
            lab=ParsedLab(**(d.get("lab") or {})),
            vendor=d.get("vendor"),
            product=d.get("product"),
            batch=d.get("batch"),
            sample_id=d.get("sample_id"),
            report_number=d.get("report_number"),
            dates=Dates(**(d.get("dates") or {})),
            results=tuple(ParsedResult.from_dict(r) for r in d.get("results") or ()),
            warnings=tuple(d.get("warnings") or ()),
            pages=d.get("pages"),
            ocr=bool(d.get("ocr")),
            needs_review=bool(d.get("needs_review")),
        )
