"""General mechanisms found on the second real corpus (issue 8), each on a small generated PDF:
a presence call in an untitled column, ``Activity of Water``, a ``<LOD`` row's bound, and the
header fields (a value naming its own batch label, a code titling the sample's block, an
analysis record's ``Batch:``, the signature's date, ``Document Created``, ``Sample Alias``, an
account code before a name on a grid row, the lab named only on the last page)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import parse

#: (x, y, text[, bold[, size]]): points, top-left origin.
Item = tuple


@pytest.fixture
def make_pages(tmp_path: Path) -> Callable[..., Path]:
    """A PDF of one page per list of items, regular and bold Helvetica."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    def build(*pages: list[Item]) -> Path:
        path = tmp_path / "doc.pdf"
        c = canvas.Canvas(str(path), pagesize=A4, invariant=True)
        for items in pages:
            for item in items:
                x, y, text = item[0], item[1], item[2]
                bold = len(item) > 3 and item[3]
                c.setFont(
                    "Helvetica-Bold" if bold else "Helvetica", item[4] if len(item) > 4 else 9
                )
                c.drawString(x, A4[1] - y, text)
            c.showPage()
        c.save()
        return path

    return build


HEADER: list[Item] = [
    (40, 30, "Northwind Testing Labs", True, 14),
    (40, 60, "Client: Acme Herbs LLC"),
    (40, 74, "Product: Red Vein Powder"),
    (300, 60, "Lot: RV-2401"),
]


def _row(y: float, *cells: tuple[float, str]) -> list[Item]:
    return [(x, y, text) for x, text in cells]


# --- results ----------------------------------------------------------------------------


def test_presence_call_in_an_untitled_column_beside_a_pass_result(
    make_pages: Callable[..., Path],
) -> None:
    """The Result column prints the verdict (``Pass``), an untitled last column the call
    (``No detection in 1 gram``): the row is not detected, never its limit or LOD."""
    cols = (40, 170, 215, 250, 290, 330)
    doc = parse(
        make_pages(
            [
                *HEADER,
                *[
                    (x, 120, t, True)
                    for x, t in zip(
                        cols, ("Analyte", "Result", "Level", "LOD", "LOQ", "Units"), strict=True
                    )
                ],
                *_row(
                    135,
                    (40, "Salmonella"),
                    (170, "Pass"),
                    (215, "1"),
                    (250, "0.00"),
                    (290, "0.00"),
                    (330, "CFU/g"),
                    (380, "No detection in 1 gram"),
                ),
                *_row(
                    150,
                    (40, "Aspergillus Niger"),
                    (170, "Pass"),
                    (215, "1"),
                    (250, "0.00"),
                    (290, "0.00"),
                    (330, "CFU/g"),
                    (380, "No detection in 1 gram"),
                ),
            ]
        )
    )
    got = {r.analyte: (r.qualifier, r.value) for r in doc.results}
    assert got == {
        "salmonella": ("not_detected", None),
        "aspergillus_niger": ("not_detected", None),
    }


def test_activity_of_water_is_water_activity(make_pages: Callable[..., Path]) -> None:
    """``Activity of Water (Aw)`` under ``Result | Diln | Reg. Limit``: 0.57 aw, not the 0.85 limit."""
    doc = parse(
        make_pages(
            [
                *HEADER,
                *[
                    (x, 120, t, True)
                    for x, t in (
                        (40, "Analyte ( Aw )"),
                        (140, "Result"),
                        (185, "Diln"),
                        (215, "Reg. Limit"),
                        (265, "MDL"),
                        (300, "PQL"),
                    )
                ],
                *_row(
                    135,
                    (40, "Activity of Water (Aw)"),
                    (145, "0.57"),
                    (190, "1"),
                    (220, "0.85"),
                    (265, "0.040"),
                    (300, "0.040"),
                ),
            ]
        )
    )
    assert [(r.analyte, r.value, r.unit) for r in doc.results] == [("water_activity", 0.57, "aw")]


def test_below_lod_takes_its_bound_from_the_lod_column_never_the_limit(
    make_pages: Callable[..., Path],
) -> None:
    """``<LOD`` with an LOD column reads the LOD (10000), never the action limit beside it
    (100000); ``<LOD`` without any LOD/LOQ column keeps no number."""
    doc = parse(
        make_pages(
            [
                *HEADER,
                *[
                    (x, 120, t, True)
                    for x, t in (
                        (40, "Analyte"),
                        (160, "Action Limit"),
                        (230, "LOD"),
                        (270, "Results"),
                        (320, "Status"),
                    )
                ],
                *_row(
                    135,
                    (40, "Total Yeast and Mold*"),
                    (160, "100000"),
                    (230, "10000"),
                    (270, "<LOD"),
                    (320, "Pass"),
                ),
                *[
                    (x, 170, t, True)
                    for x, t in (
                        (40, "Analyte"),
                        (160, "Action Limit"),
                        (230, "Result"),
                        (280, "Units"),
                    )
                ],
                *_row(
                    185, (40, "Total Aerobic Count"), (160, "100000"), (230, "<LOD"), (280, "CFU/g")
                ),
            ]
        )
    )
    got = {r.analyte: (r.qualifier, r.value) for r in doc.results}
    assert got["yeast_and_mold"] == ("<", 10000.0)
    assert got["total_aerobic_count"] == ("<", None)


# --- header fields ----------------------------------------------------------------------


def test_a_value_naming_its_own_batch_label(make_pages: Callable[..., Path]) -> None:
    """``Sample ID: T411103-01 CCB ID:LOT 24007``: an identifier label the vocabulary does not
    know, whose value says it is a lot, gives the batch."""
    doc = parse(
        make_pages(
            [
                (40, 30, "Northwind Testing Labs", True, 14),
                (40, 60, "Client: Acme Herbs LLC"),
                (40, 74, "Product: Red Vein Powder"),
                (40, 88, "Sample ID: T411103-01 CCB ID:LOT 24007"),
                (40, 120, "Analyte", True),
                (240, 120, "Result", True),
                (40, 135, "Lead"),
                (240, 135, "0.12 ppm"),
            ]
        )
    )
    assert (doc.sample_id, doc.batch) == ("T411103-01", "24007")


def test_a_code_titling_the_sample_block_is_the_batch_not_the_analysis_run(
    make_pages: Callable[..., Path],
) -> None:
    """An unlabelled code heading the block of ``Label: value`` lines (``17484_0006800467`` over
    ``Sample Alias:`` / ``Sample Date:``) is the lot; ``Batch:`` on the line of an analysis's
    record (``Prep By:``, ``Ana. By:``) is the lab's run, never the lot."""
    doc = parse(
        make_pages(
            [
                (40, 30, "Certificate of Analysis", True, 14),
                (40, 60, "Acme Herbs", True, 11),
                (40, 74, "816 Commerce Blvd. Midway, FL 32343"),
                (40, 110, "17484_0006800467", True, 11),
                (40, 130, "Sample Alias:"),
                (120, 130, "TRU-Pod-1g-Durban-S-FL"),
                (400, 130, "Lab ID:"),
                (450, 130, "IK22005-12"),
                (40, 142, "Sample Date:"),
                (120, 142, "11/22/24"),
                (400, 142, "Received:"),
                (450, 142, "11/22/24"),
                (40, 154, "Sample Matrix:"),
                (120, 154, "Pod"),
                (400, 154, "Completed:"),
                (450, 154, "11/27/24"),
                (200, 190, "Batch: B6F2315", True),
                (300, 190, "Prep By: 1005", True),
                (400, 190, "Ana. By: 1048", True),
                (40, 200, "Water Activity by REH", True),
                (40, 220, "Analyte", True),
                (240, 220, "Result", True),
                (40, 235, "Lead"),
                (240, 235, "0.12 ppm"),
            ]
        )
    )
    assert (doc.product, doc.batch, doc.sample_id) == (
        "TRU-Pod-1g-Durban-S-FL",
        "17484_0006800467",
        "IK22005-12",
    )


def test_an_analysis_record_batch_is_never_the_lot(make_pages: Callable[..., Path]) -> None:
    """``Prepared By:`` / ``Prep Date:`` stacked over ``Batch ID: JAN1325A-POT``: the lab's run."""
    doc = parse(
        make_pages(
            [
                (40, 30, "Northwind Testing Labs", True, 14),
                (40, 60, "Client: Acme Herbs LLC"),
                (40, 74, "Product: Red Vein Powder"),
                (40, 120, "Analyte", True),
                (240, 120, "Result", True),
                (40, 135, "Lead"),
                (240, 135, "0.12 ppm"),
                (200, 300, "Prepared By:"),
                (260, 300, "TJS"),
                (200, 310, "Prep Date:"),
                (260, 310, "1/13/2025"),
                (200, 320, "Batch ID:"),
                (260, 320, "JAN1325A-POT"),
            ]
        )
    )
    assert doc.batch is None


def test_the_signature_line_dates_the_report_and_document_created_too(
    make_pages: Callable[..., Path],
) -> None:
    """``Laboratory Director - 1/27/2022`` under the signatory's name dates the report; so does
    ``Document Created:`` over its date. An order's ``Create Date:`` dates nothing of the report."""
    results = [
        (40, 120, "Analyte", True),
        (240, 120, "Result", True),
        (40, 135, "Lead"),
        (240, 135, "0.12 ppm"),
    ]
    signed = parse(
        make_pages(
            [
                *HEADER,
                (40, 88, "Date Received: 01/26/22"),
                *results,
                (180, 700, "Chuanwen Lu"),
                (180, 711, "Laboratory Director - 1/27/2022"),
            ]
        )
    )
    assert (signed.dates.received, signed.dates.reported) == ("2022-01-26", "2022-01-27")
    created = parse(
        make_pages(
            [
                *HEADER,
                *results,
                (30, 700, "Document Created:"),
                (160, 700, "Legends and disclaimers on the last page."),
                (30, 709, "2022-10-17 09:07"),
            ]
        )
    )
    assert created.dates.reported == "2022-10-17"
    order = parse(
        make_pages(
            [*HEADER, *results, (40, 88, "Order Information"), (200, 88, "Create Date: 05/08/2024")]
        )
    )
    assert order.dates.reported is None


def test_the_lab_named_only_on_the_last_page(make_pages: Callable[..., Path]) -> None:
    """A header whose lab name is a logo: the disclaimer on the last page names the issuer."""
    page = [
        (40, 60, "Origination:", True),
        (40, 70, "Skord"),
        (40, 90, "Sample Name:", True),
        (40, 100, "Dirty Banana Breath"),
        (40, 140, "Analyte", True),
        (240, 140, "Result", True),
        (40, 155, "Lead"),
        (240, 155, "0.12 ppm"),
    ]
    doc = parse(
        make_pages(
            page,
            page,
            page,
            [
                *page[:4],
                (
                    20,
                    200,
                    "These testing results are certified by scientific examination of a single sample. Brightwater "
                    "Analytics and its agents did not",
                ),
                (20, 210, "observe or participate in the sample selection process."),
            ],
        )
    )
    assert doc.lab.name == "Brightwater Analytics"


def test_a_name_after_an_account_code_on_a_grid_row(make_pages: Callable[..., Path]) -> None:
    """``Customer | IC-C-0001 | Coastal Herbals Inc. | Batch No | BN19000000015`` over rows of
    labels with blank values: the vendor is the name after the account code, the product the name
    after the item code, and the batch the code beside its label (not ``Packaging Date`` below it)."""
    doc = parse(
        make_pages(
            [
                (100, 40, "NORTHWIND LABORATORIES, INC.", True, 12),
                (56, 102, "Customer"),
                (124, 102, "IC-C-0001"),
                (208, 102, "Coastal Herbals Inc."),
                (356, 102, "Batch No"),
                (429, 102, "BN19000000015"),
                (56, 114, "Customer PO"),
                (356, 114, "Manufacturing /"),
                (429, 114, "19-Dec-2024"),
                (56, 126, "Customer Item"),
                (356, 126, "Packaging Date"),
                (56, 138, "Order No"),
                (356, 138, "Exp. Date"),
                (429, 138, "19-Dec-2027"),
                (56, 150, "Product"),
                (123, 150, "03451-GF-KG0025"),
                (208, 150, "Magnesium Glycinate"),
                (356, 150, "Ship To"),
                (56, 200, "Test", True),
                (240, 200, "Method", True),
                (400, 200, "Units", True),
                (480, 200, "Result", True),
                (56, 215, "QCL-Pb-ICPMS"),
                (240, 215, "Lead - QC WI 54"),
                (400, 215, "ppm"),
                (480, 215, "<0.05"),
            ]
        )
    )
    assert (doc.vendor, doc.product, doc.batch) == (
        "Coastal Herbals Inc.",
        "Magnesium Glycinate",
        "BN19000000015",
    )


def test_a_code_titling_a_block_without_sample_labels_is_no_batch(
    make_pages: Callable[..., Path],
) -> None:
    """An unlabelled code over the client's block (``Client:`` / ``Address:``) names no lot."""
    doc = parse(
        make_pages(
            [
                (40, 30, "Northwind Testing Labs", True, 14),
                (40, 60, "WO-2024-00123", True, 11),
                (40, 78, "Client:"),
                (120, 78, "Acme Herbs LLC"),
                (40, 90, "Address:"),
                (120, 90, "12 Main St, Austin, TX 78701"),
                (40, 102, "Product:"),
                (120, 102, "Red Vein Powder"),
                (40, 140, "Analyte", True),
                (240, 140, "Result", True),
                (40, 155, "Lead"),
                (240, 155, "0.12 ppm"),
            ]
        )
    )
    assert doc.batch is None
