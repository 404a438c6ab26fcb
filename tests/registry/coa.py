"""Small, valid COA PDFs for registry tests, drawn with reportlab.

The layout is the plainest one labs print (labelled header lines, then an
Analyte | Result | Unit | LOQ table), so these tests exercise the registry, not the
parser's reach; the parser's accuracy is measured in tests/parsers and bench/.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

DEFAULT_RESULTS: tuple[tuple[str, str, str, str], ...] = (
    ("Mitragynine", "1.42", "%", "0.01"),
    ("7-Hydroxymitragynine", "0.02", "%", "0.01"),
    ("Lead (Pb)", "0.31", "ppm", "0.05"),
    ("Arsenic (As)", "0.12", "ppm", "0.05"),
    ("Cadmium (Cd)", "0.05", "ppm", "0.01"),
    ("Mercury (Hg)", "ND", "ppm", "0.01"),
    ("Salmonella spp.", "Absent in 25 g", "", ""),
    ("E. coli", "Absent in 10 g", "", ""),
    ("Total Aerobic Count", "12000", "CFU/g", "10"),
    ("Total Yeast and Mold", "800", "CFU/g", "10"),
)


def make_coa(
    *,
    vendor: str = "Acme Botanicals LLC",
    product: str = "Red Bali Kratom Powder",
    lot: str = "RB-2024-0117",
    lab: str = "Example Analytical Labs",
    report: str = "R-88213",
    tested: str = "2024-01-19",
    results: Sequence[tuple[str, str, str, str]] = DEFAULT_RESULTS,
    salt: str = "",
) -> bytes:
    """A one-page COA; ``salt`` changes the bytes without changing what it says."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=True)
    c.setTitle(f"COA {report} {salt}")
    y = 740
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, y, f"{lab} - Certificate of Analysis")
    c.setFont("Helvetica", 10)
    for label, value in (
        ("Client", vendor),
        ("Product", product),
        ("Lot #", lot),
        ("Report No.", report),
        ("Date Received", tested),
        ("Date Tested", tested),
        ("Date Reported", tested),
    ):
        y -= 16
        c.drawString(72, y, f"{label}: {value}")
    y -= 30
    c.setFont("Helvetica-Bold", 10)
    for x, head in zip((72, 260, 380, 460), ("Analyte", "Result", "Unit", "LOQ"), strict=True):
        c.drawString(x, y, head)
    c.setFont("Helvetica", 10)
    for row in results:
        y -= 16
        for x, cell in zip((72, 260, 380, 460), row, strict=True):
            c.drawString(x, y, cell)
    c.showPage()
    c.save()
    return buf.getvalue()
