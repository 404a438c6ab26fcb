"""Metadata mechanisms for headers the parser was not tuned on (issue 8, items 1-3), each on a
small generated PDF: key/value grids, labels read by their parts, the lab as the issuer, and
fields the page does not print left empty."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import parse
from parsers.metadata import fields_of_label

#: (x, y, text[, bold[, size]]): points, top-left origin.
Item = tuple


@pytest.fixture
def make_doc(tmp_path: Path) -> Callable[..., Path]:
    """A one-page PDF with regular and bold Helvetica (labels told apart by weight)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    def build(items: list[Item], name: str = "doc.pdf") -> Path:
        path = tmp_path / name
        c = canvas.Canvas(str(path), pagesize=A4, invariant=True)
        for item in items:
            x, y, text = item[0], item[1], item[2]
            bold = len(item) > 3 and item[3]
            size = item[4] if len(item) > 4 else 9
            c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
            c.drawString(x, A4[1] - y, text)
        c.save()
        return path

    return build


RESULTS: list[Item] = [
    (40, 260, "Analyte", True),
    (240, 260, "Result", True),
    (40, 275, "Lead"),
    (240, 275, "0.12 ppm"),
]


def right(x: float, y: float, text: str, width: float = 9 * 0.5) -> Item:
    """``text`` ending at ``x`` (values printed far right, right-aligned)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return (x - stringWidth(text, "Helvetica", 9), y, text)


# --- 1. key/value grids ------------------------------------------------------------------


def test_key_value_grid_two_pairs_per_line_values_far_right(make_doc: Callable[..., Path]) -> None:
    """Bold labels without colons, two pairs per line, values right-aligned far from their
    labels, ``Client Address`` on the next line and labels of no field (``Matrix``, ``Phone``)
    under the known ones: read as label/value pairs, never as a header row over values."""
    doc = parse(
        make_doc(
            [
                (40, 30, "Copperline Labs LLC", True, 14),
                (40, 80, "Client", True),
                right(290, 80, "Acme Herbs LLC"),
                (310, 80, "Report No.", True),
                right(560, 80, "R-1234"),
                (40, 94, "Client Address", True),
                right(290, 94, "12 Main St, Austin, TX 78701"),
                (310, 94, "Lot Number", True),
                right(560, 94, "RV/24/101"),
                (40, 108, "Matrix", True),
                right(290, 108, "Dried Leaf"),
                (310, 108, "Sample Name", True),
                right(560, 108, "Red Vein Powder"),
                (40, 122, "Phone", True),
                right(290, 122, "(555) 555-0142"),
                (310, 122, "Date Received", True),
                right(560, 122, "01/16/2024"),
                (40, 136, "Lab ID", True),
                right(290, 136, "24-71272"),
                (310, 136, "Report Date", True),
                right(560, 136, "01/22/2024"),
                *RESULTS,
            ]
        )
    )
    assert (doc.vendor, doc.product, doc.batch) == (
        "Acme Herbs LLC",
        "Red Vein Powder",
        "RV/24/101",
    )
    assert (doc.sample_id, doc.report_number) == ("24-71272", "R-1234")
    assert (doc.dates.received, doc.dates.reported) == ("2024-01-16", "2024-01-22")


def test_values_below_labels_and_labels_split_over_two_lines(make_doc: Callable[..., Path]) -> None:
    """A ruled form: small labels over their values; ``Date Sample`` / ``Received`` is one label."""
    doc = parse(
        make_doc(
            [
                (40, 30, "Granite Peak Analytical", True, 12),
                (43, 128, "Customer Name", False, 6),
                (176, 128, "Product Description", False, 6),
                (309, 126, "Production", False, 6),
                (309, 133, "Lot", False, 6),
                (442, 128, "Lab ID", False, 6),
                (43, 140, "Riverstone Herbals LLC"),
                (176, 140, "Super Green Malay Powder"),
                (309, 140, "W4905-24"),
                (442, 140, "24-17343"),
                (43, 158, "Report ID", False, 6),
                (176, 156, "Date Sample", False, 6),
                (176, 163, "Received", False, 6),
                (43, 170, "CA288690"),
                (176, 172, "04/07/2023"),
                *RESULTS,
            ]
        )
    )
    assert (doc.vendor, doc.product, doc.batch) == (
        "Riverstone Herbals LLC",
        "Super Green Malay Powder",
        "W4905-24",
    )
    assert (doc.sample_id, doc.report_number, doc.dates.received) == (
        "24-17343",
        "CA288690",
        "2023-04-07",
    )


def test_party_heading_over_generic_sub_labels_and_footnote_marks(
    make_doc: Callable[..., Path],
) -> None:
    doc = parse(
        make_doc(
            [
                (40, 30, "Tidewater Testing Services", True, 13),
                (40, 70, "Client Info", True),
                (40, 82, "Business Name: Acme Herbs LLC"),
                (40, 94, "License #: MMTC-2017-0010"),
                (300, 70, "Product: +   Gold Bali Powder"),
                (300, 82, "Lot: +   L-2201"),
                (40, 140, "+ As provided by the client."),
                *RESULTS,
            ]
        )
    )
    assert (doc.vendor, doc.product, doc.batch) == ("Acme Herbs LLC", "Gold Bali Powder", "L-2201")


def test_party_heading_over_an_unlabelled_name_and_address_block(
    make_doc: Callable[..., Path],
) -> None:
    doc = parse(
        make_doc(
            [
                (40, 30, "Alder & Finch Analytical", True, 14),
                (40, 64, "LABORATORY", True),
                (40, 76, "Alder & Finch Analytical"),
                (40, 86, "9 Lakeside Pkwy"),
                (40, 96, "Austin, TX 78701"),
                (306, 64, "DISTRIBUTOR", True),
                (306, 76, "Mekong Botanicals Inc."),
                (306, 86, "1180 Commerce Dr"),
                (306, 96, "Tampa, FL 33602"),
                (40, 130, "Product: Red Vein Powder"),
                *RESULTS,
            ]
        )
    )
    assert doc.vendor == "Mekong Botanicals Inc."
    assert doc.lab.name == "Alder & Finch Analytical"


# --- 2. labels by their parts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Kunde / Customer", "vendor"),
        ("Probenbezeichnung / Sample description", "product"),
        ("Chargennummer / Lot number", "batch"),
        ("Berichtsnummer / Report No.", "report_number"),
        ("Eingangsdatum / Receipt date", "received"),
        ("Fecha de emisión / Date of issue", "reported"),
        ("TRACK Sample ID", "sample_id"),
        ("LIMS Sample ID", "sample_id"),
        ("Report Submitted", "reported"),
        ("Report Generated", "reported"),
        ("Date Submitted", "received"),
    ],
)
def test_labels_read_by_their_parts(label: str, field: str) -> None:
    assert field in [name for name, _rank in fields_of_label(label)]


@pytest.mark.parametrize(
    "label",
    [
        "Customer Sample ID",
        "Client Sample ID",
        "Previous Report",
        "NOT TESTED",
        "COLLECTED, RECEIVED",
        "Lab Batch",
    ],
)
def test_qualifiers_and_negations_change_the_field(label: str) -> None:
    names = [name for name, _rank in fields_of_label(label)]
    assert "sample_id" not in names and "report_number" not in names and "tested" not in names
    assert "batch" not in names and "received" not in names


def test_prefix_qualifier_verb_title_number_and_product_with_lot(
    make_doc: Callable[..., Path],
) -> None:
    doc = parse(
        make_doc(
            [
                (40, 30, "Quillmark Labs", True, 14),
                (360, 30, "Test Report No. TR-24-0001", True, 11),
                (40, 70, "Sample: Red Vein Powder (Batch RV/24/101)"),
                (40, 84, "Customer Sample ID: CS-794"),
                (300, 84, "TRACK Sample ID: NW110621"),
                (40, 98, "Received On: 2024-03-01"),
                (300, 98, "Report Submitted: 2024-03-05"),
                *RESULTS,
            ]
        )
    )
    assert (doc.product, doc.batch) == ("Red Vein Powder", "RV/24/101")
    assert (doc.sample_id, doc.report_number) == ("NW110621", "TR-24-0001")
    assert (doc.dates.received, doc.dates.reported) == ("2024-03-01", "2024-03-05")


def test_a_value_sharing_a_cell_with_the_next_label(make_doc: Callable[..., Path]) -> None:
    """``Red Vein Powder (Batch 39392B) Customer Sample ID:`` printed too close to split."""
    doc = parse(
        make_doc(
            [
                (40, 30, "Quillmark Labs", True, 14),
                (40, 70, "Sample:"),
                (110, 70, "Red Vein Powder (Batch 39392B) Customer Sample ID:"),
                (380, 70, "CS-926"),
                *RESULTS,
            ]
        )
    )
    assert (doc.product, doc.batch) == ("Red Vein Powder", "39392B")
    assert doc.sample_id != "CS-926"  # the customer's own sample id is not the lab's


def test_bilingual_labels(make_doc: Callable[..., Path]) -> None:
    pairs = [
        ("Auftraggeber / Client:", "Blattwerk Handel KG"),
        ("Produkt / Product:", "Kratom Pulver Grün"),
        ("Charge / Batch:", "RV/24/518"),
        ("Labornummer / Lab No.:", "ACC-832751"),
        ("Prüfbericht-Nr. / Test report no.:", "2024-17063"),
        ("Probeneingang / Date received:", "18.08.2024"),
        ("Prüfdatum / Date of analysis:", "22.08.2024"),
        ("Ausstellungsdatum / Date of issue:", "24.08.2024"),
    ]
    items: list[Item] = [(40, 30, "Hanseatic Labor GmbH", True, 14)]
    for n, (label, value) in enumerate(pairs):
        items += [(40, 70 + 12 * n, label), (230, 70 + 12 * n, value)]
    doc = parse(make_doc(items + RESULTS))
    assert (doc.vendor, doc.product, doc.batch) == (
        "Blattwerk Handel KG",
        "Kratom Pulver Grün",
        "RV/24/518",
    )
    assert (doc.sample_id, doc.report_number) == ("ACC-832751", "2024-17063")
    assert (doc.dates.received, doc.dates.tested, doc.dates.reported) == (
        "2024-08-18",
        "2024-08-22",
        "2024-08-24",
    )


# --- 3. the lab: the document's issuer -----------------------------------------------------


def test_a_lab_without_a_lab_word_named_by_its_domain(make_doc: Callable[..., Path]) -> None:
    doc = parse(
        make_doc(
            [
                (40, 30, "ANALYTICAL SERVICES", True, 11),
                (40, 70, "Client: Acme Herbs LLC"),
                *RESULTS,
                (
                    40,
                    800,
                    "Northwind Scientific Inc.  |  18 Harbor St, Tampa, FL 33602  |  www.northwindscientific.com",
                    False,
                    6.5,
                ),
            ]
        )
    )
    assert doc.lab.name == "Northwind Scientific Inc."


def test_a_lab_named_in_its_own_sentences_not_its_director(make_doc: Callable[..., Path]) -> None:
    doc = parse(
        make_doc(
            [
                (40, 70, "Client: Acme Herbs LLC"),
                *RESULTS,
                (270, 700, "Richard Dillen"),
                (270, 712, "Laboratory Director"),
                (
                    40,
                    740,
                    "This report shall not be reproduced without written consent from Modern Canna, LLC. The",
                ),
                (40, 752, "Copyright © 2025 Modern Canna, LLC. All rights reserved."),
            ]
        )
    )
    assert doc.lab.name == "Modern Canna, LLC"


def test_headings_method_notes_and_sentence_ends_are_not_the_lab(
    make_doc: Callable[..., Path],
) -> None:
    doc = parse(
        make_doc(
            [
                (40, 30, "Official Test Results for Laboratory Sample # WA-221015-052", True, 12),
                (40, 70, "Client: Acme Herbs LLC"),
                *RESULTS,
                (40, 300, "LABORATORY", True),
                (
                    40,
                    400,
                    "Unless otherwise stated all quality control samples performed within specifications set by the",
                ),
                (40, 410, "Laboratory."),
                (40, 420, "* Analyzed by Plating"),
                (270, 712, "Laboratory Director"),
            ]
        )
    )
    assert doc.lab.name is None


# --- never fill a field the page does not print ------------------------------------------------


def test_a_title_does_not_take_the_line_under_it(make_doc: Callable[..., Path]) -> None:
    """``Certificate of Analysis`` over ``Verano | EGP190626-8666``: no report number."""
    doc = parse(
        make_doc(
            [
                (189, 33, "Certificate of Analysis", True, 20),
                (23, 100, "Verano", True, 12),
                (246, 100, "EGP190626-8666", True, 12),
                (26, 124, "Cultivation Facility:"),
                (116, 124, "Apollo Beach"),
                *RESULTS,
            ]
        )
    )
    assert doc.report_number is None
    assert doc.vendor == "Verano"


def test_a_lone_code_under_a_title_is_its_number(make_doc: Callable[..., Path]) -> None:
    doc = parse(
        make_doc(
            [
                (256, 27, "Certificate of Analysis", True, 14),
                (305, 60, "T6E0349", True, 10),
                (45, 80, "MÜV", True),
                (45, 93, "Client Lic#: MMTC-2017-0010"),
                (45, 103, "5909 N US Highway 41 Apollo Beach,"),
                (45, 113, "FL 33572"),
                *RESULTS,
            ]
        )
    )
    assert doc.report_number == "T6E0349"
    assert doc.vendor == "MÜV"


def test_a_date_under_the_product_is_no_batch(make_doc: Callable[..., Path]) -> None:
    doc = parse(
        make_doc(
            [
                (40, 30, "Quillmark Labs", True, 14),
                (40, 70, "Product: Gold Bali Powder"),
                (40, 82, "2023-10-13"),
                *RESULTS,
            ]
        )
    )
    assert doc.product == "Gold Bali Powder"
    assert doc.batch is None


def test_the_text_layer_tells_bold_words(make_doc: Callable[..., Path]) -> None:
    """Words carry their font's weight: a standard bold font (no weight, a bold name) counts;
    a label printed right after a regular value on the same line is looked up afresh."""
    from parsers.pdf import read_bytes, read_pdf

    pdf = read_pdf(
        read_bytes(
            make_doc(
                [
                    (40, 80, "Client", True),
                    (120, 80, "Acme Herbs LLC"),
                    (260, 80, "Report No.", True),
                    (340, 80, "R-1234"),
                ]
            )
        )
    )
    weights = {
        w.text: w.bold for line in pdf.pages[0].lines for cell in line.cells for w in cell.words
    }
    assert weights == {
        "Client": True,
        "Acme": False,
        "Herbs": False,
        "LLC": False,
        "Report": True,
        "No.": True,
        "R-1234": False,
    }
