"""Metadata grammar: dates in every common format, the label vocabulary, key/value geometry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import parse
from parsers.metadata import fields_of_label, normalise_label, to_iso


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2024-01-17", False, "2024-01-17"),
        ("2024/01/17", False, "2024-01-17"),
        ("2024-01-17T10:00:00", False, "2024-01-17"),
        ("01/17/2024", False, "2024-01-17"),
        ("1/7/2024", False, "2024-01-07"),
        ("03/24/22", False, "2022-03-24"),
        ("09/08/2023 12:15", False, "2023-09-08"),
        ("17/01/2024", False, "2024-01-17"),  # a day over 12 comes first whatever the document does
        ("03/04/2024", True, "2024-04-03"),  # a day-first document
        ("17.01.2024", False, "2024-01-17"),
        ("16.1.2026", False, "2026-01-16"),
        ("16. 1. 2026", False, "2026-01-16"),
        ("17-01-2024", False, "2024-01-17"),
        ("17-Jan-2024", False, "2024-01-17"),
        ("17 Jan 2024", False, "2024-01-17"),
        ("17 Jan. 2024", False, "2024-01-17"),
        ("5 November 2021", False, "2021-11-05"),
        ("12 NOVEMBER 2021", False, "2021-11-12"),
        ("January 17, 2024", False, "2024-01-17"),
        ("Jan 13, 2025", False, "2025-01-13"),
        ("Apr 03, 2022 | CURALEAF FLORIDA LLC", False, "2022-04-03"),
        ("Sept 5th, 2023", False, "2023-09-05"),
        ("16. ledna 2026", False, "2026-01-16"),
        ("3. März 2024", False, "2024-03-03"),
        ("received 11/03/2021 08:48", False, "2021-11-03"),
        ("17. Januar 2024", False, "2024-01-17"),
        ("17. Jänner 2024", False, "2024-01-17"),
        ("17 de enero de 2024", False, "2024-01-17"),
        ("3 de septiembre del 2024", False, "2024-09-03"),
        ("17-ene-2024", False, "2024-01-17"),
        ("1er mars 2024", False, "2024-03-01"),
        ("17 janv. 2024", False, "2024-01-17"),
        ("April 14,2023", False, "2023-04-14"),  # OCR punctuation
        ("April.10, 2023", False, "2023-04-10"),
        ("February 05,.2023", False, "2023-02-05"),
    ],
)
def test_dates_in_every_common_format(text: str, day_first: bool, expected: str) -> None:
    assert to_iso(text, day_first) == expected


@pytest.mark.parametrize(
    "text",
    [
        "nothing",
        "13/13/2024",
        "31.02.2024",
        "0.12 mg/g",
        "Page 1 of 2",
        "ISO/IEC 17025:2017",
        "",
        "1/15",
    ],
)
def test_not_dates(text: str) -> None:
    assert to_iso(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16.1.2026 - 22.1.2026", "2026-01-22"),
        ("06-12 November 2021", "2021-11-12"),
        ("02/27/2025 - 03/07/2025", "2025-03-07"),
    ],
)
def test_date_ranges_end_on_the_last_day(text: str, expected: str) -> None:
    assert to_iso(text, last=True) == expected


@pytest.mark.parametrize(
    ("label", "normalised"),
    [
        ("Batch No.:", "batch"),
        ("Lot #", "lot"),
        ("BATCH NUMBER", "batch"),
        ("Sample ID #", "sample id"),
        ("Report No", "report"),
        ("Order No.:", "order"),
        ("Označení vzorků zákazníkem", "oznaceni vzorku zakaznikem"),
        ("____ Report Date", "report date"),
    ],
)
def test_label_normal_form(label: str, normalised: str) -> None:
    assert normalise_label(label) == normalised


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Client", "vendor"),
        ("Client Name", "vendor"),
        ("Customer", "vendor"),
        ("Company", "vendor"),
        ("Manufacturer", "vendor"),
        ("Distributor", "vendor"),
        ("Prepared for", "vendor"),
        ("REPORT PREPARED FOR", "vendor"),
        ("Zákazník", "vendor"),
        ("Auftraggeber", "vendor"),
        ("Sample Name", "product"),
        ("Product", "product"),
        ("Product Name", "product"),
        ("Description", "product"),
        ("Strain", "product"),
        ("Označení vzorku", "product"),
        ("Probenbezeichnung", "product"),
        ("Batch", "batch"),
        ("Lot", "batch"),
        ("Lot #", "batch"),
        ("Batch No.", "batch"),
        ("Lot Number", "batch"),
        ("Harvest/Lot ID", "batch"),
        ("Šarže", "batch"),
        ("Charge", "batch"),
        ("Customer Lot", "batch"),
        ("Product Batch ID", "batch"),
        ("Sample ID", "sample_id"),
        ("Sample #", "sample_id"),
        ("Lab ID", "sample_id"),
        ("Číslo vzorku", "sample_id"),
        ("Report No.", "report_number"),
        ("COA #", "report_number"),
        ("Certificate #", "report_number"),
        ("Číslo protokolu", "report_number"),
        ("Prüfbericht Nr.", "report_number"),
        ("Order #", "report_number"),
        ("Date Received", "received"),
        ("Received", "received"),
        ("Receipt Date", "received"),
        ("Lab Received Date", "received"),
        ("Datum příjmu vzorků", "received"),
        ("Eingangsdatum", "received"),
        ("Date Tested", "tested"),
        ("Analysis Date", "tested"),
        ("Date/Time Analyzed", "tested"),
        ("Datum provedení zkoušek", "tested"),
        ("Report Date", "reported"),
        ("Date Issued", "reported"),
        ("Completion Date", "reported"),
        ("Completed Date", "reported"),
        ("Datum vystavení", "reported"),
        ("Ausstellungsdatum", "reported"),
        ("Prüfzeitraum", "tested"),
        ("Cliente", "vendor"),
        ("Producto", "product"),
        ("Lote", "batch"),
        ("Fecha de recepción", "received"),
        ("Fecha de análisis", "tested"),
        ("Fecha de emisión", "reported"),
        ("Date de réception", "received"),
        ("Date d'analyse", "tested"),
        ("Produit", "product"),
    ],
)
def test_label_vocabulary(label: str, field: str) -> None:
    assert field in [name for name, _rank in fields_of_label(label)]


@pytest.mark.parametrize(
    "label",
    [
        "Batch Date",
        "Lab Batch",
        "Analytical Batch",
        "Batch Size",
        "Order Date",
        "Order Information Create Date",
        "Create Date",
        "Expiration Date",
        "Sampling Date",
        "Sample Matrix",
        "Product Image",
        "Total Batch Wgt",
        "Seed to Sale",
    ],
)
def test_other_labels_name_no_field(label: str) -> None:
    assert not fields_of_label(label)


def test_label_ranks_prefer_the_specific_label() -> None:
    product = dict(fields_of_label("Product Name"))["product"]
    assert product < dict(fields_of_label("Strain"))["product"]
    assert (
        dict(fields_of_label("Report No."))["report_number"]
        < dict(fields_of_label("Order #"))["report_number"]
    )
    assert (
        dict(fields_of_label("Report Date"))["reported"]
        < dict(fields_of_label("Completed"))["reported"]
    )


def test_pairs_on_one_line_and_in_one_cell(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (50, 40, "Riverside Analytical Labs"),
                (50, 70, "Client: Acme Botanicals LLC"),
                (330, 70, "Sample: 2502RLI0135-0489"),
                (50, 85, "Strain: Garlic Gravity"),
                (330, 85, "Batch#: SW3725J-GG; Batch Size: 1034 units"),
                (50, 100, "Lab Batch #: QC-99"),
                (330, 100, "Sample Received: 02/27/2025; Report Created: 03/07/2025;"),
                (50, 115, "Batch Date: 2025-01-01"),
                (330, 115, "Report ID: S-2"),
                (50, 140, "Lead"),
                (200, 140, "0.12 ppm"),
            ]
        )
    )
    assert doc.vendor == "Acme Botanicals LLC"
    assert doc.product == "Garlic Gravity"
    assert doc.batch == "SW3725J-GG"
    assert doc.sample_id == "2502RLI0135-0489"
    assert doc.report_number == "S-2"
    assert (doc.dates.received, doc.dates.reported) == ("2025-02-27", "2025-03-07")
    assert doc.lab.name == "Riverside Analytical Labs"


def test_label_cells_with_values_to_the_right(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (40, 30, "Cascade Analytical Laboratories", 14),
                (40, 50, "1200 Industrial Way, Suite 4, Portland, OR 97201", 8),
                (40, 90, "Submitted by:", 9),
                (155, 90, "Kratom Harbor Inc.", 9),
                (306, 90, "Description:", 9),
                (421, 90, "Red Bali Kratom Leaf Powder", 9),
                (40, 103, "Lot:", 9),
                (155, 103, "L0210202401", 9),
                (306, 103, "Sample No.:", 9),
                (421, 103, "S240210-047", 9),
                (40, 116, "Certificate #:", 9),
                (155, 116, "915/24", 9),
                (306, 116, "Date Received:", 9),
                (421, 116, "10-Feb-2024", 9),
                (40, 129, "Tested:", 9),
                (155, 129, "13-Feb-2024", 9),
                (306, 129, "Reported:", 9),
                (421, 129, "16-Feb-2024", 9),
                (40, 160, "Analyte", 8),
                (240, 160, "Result", 8),
                (40, 175, "Lead", 8),
                (240, 175, "0.12 ppm", 8),
            ]
        )
    )
    assert (doc.vendor, doc.product) == ("Kratom Harbor Inc.", "Red Bali Kratom Leaf Powder")
    assert (doc.batch, doc.sample_id, doc.report_number) == ("L0210202401", "S240210-047", "915/24")
    assert (doc.dates.received, doc.dates.tested, doc.dates.reported) == (
        "2024-02-10",
        "2024-02-13",
        "2024-02-16",
    )
    assert doc.lab.name == "Cascade Analytical Laboratories"


def test_header_row_with_values_below(make_pdf: Callable[..., Path]) -> None:
    """A row of column labels over rows of values; wrapped values are joined."""
    doc = parse(
        make_pdf(
            [
                (116, 60, "Client:"),
                (621, 60, "Laboratory:"),
                (116, 74, "Curaleaf Mass"),
                (630, 74, "MCR Labs"),
                (116, 86, "30 Worcester Road"),
                (563, 86, "85 Speen St. Lower Level"),
                (453, 118, "Date"),
                (120, 124, "Sample ID #"),
                (206, 124, "Sample Name"),
                (315, 124, "Batch"),
                (382, 124, "Matrix"),
                (515, 124, "Date Tested"),
                (442, 130, "Received"),
                (125, 150, "MCR-S21-"),
                (185, 150, "CL,Popcorn,(S)Redline,,"),
                (300, 150, "210916RL.F9-"),
                (437, 150, "5 November"),
                (506, 150, "06-12 November"),
                (382, 156, "Flower"),
                (135, 162, "68302"),
                (228, 162, ",Bulk"),
                (312, 162, "4-PR-D"),
                (453, 162, "2021"),
                (532, 162, "2021"),
                (116, 200, "Lead"),
                (250, 200, "0.12 ppm"),
            ]
        )
    )
    assert doc.vendor == "Curaleaf Mass"
    assert doc.lab.name == "MCR Labs"
    assert doc.sample_id == "MCR-S21-68302"
    assert doc.product == "CL,Popcorn,(S)Redline,,,Bulk"
    assert doc.batch == "210916RL.F9-4-PR-D"
    assert (doc.dates.received, doc.dates.tested) == ("2021-11-05", "2021-11-12")


def test_labels_above_values_and_label_lists(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (30, 40, "SAMPLE ID", 7),
                (240, 40, "TERPENES", 7),
                (30, 50, "398339", 9),
                (30, 70, "SAMPLE NAME", 7),
                (240, 70, "Chemical Residue", 12),
                (30, 80, "Autumn Brands 3.5g Mother's Milk", 9),
                (30, 100, "BATCH ID", 7),
                (30, 110, "1A4060300001519000007658", 9),
                (30, 130, "COLLECTED, RECEIVED", 7),
                (30, 140, "11/02/2021 15:06, 11/03/2021 08:48", 9),
                (30, 160, "DISTRIBUTOR INFO", 7),
                (30, 170, "LCISM CORP", 9),
                (30, 180, "11630 PENDLETON ST", 9),
                (240, 200, "Lead: 0.12 ppm", 9),
                (70, 760, "1801 Carnegie Ave, Santa Ana CA 92705", 8),
                (70, 770, "www.cannalysis.com", 8),
            ]
        )
    )
    assert (doc.sample_id, doc.product, doc.batch) == (
        "398339",
        "Autumn Brands 3.5g Mother's Milk",
        "1A4060300001519000007658",
    )
    assert doc.dates.received == "2021-11-03"
    assert doc.vendor == "LCISM CORP"
    assert doc.lab.name == "Cannalysis"  # only the lab's web address names it


def test_unlabelled_client_block_and_product_title(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (430, 40, "Red Bali Kratom Powder"),
                (430, 50, "Sample Matrix:"),
                (430, 60, "Plant, Powder"),
                (41, 60, "721 Cortaro Dr."),
                (41, 70, "Sun City Center, FL 33573"),
                (38, 120, "Green Leaf Botanicals", 10),
                (38, 132, "6749 Ben Bostic Rd", 10),
                (38, 144, "Quincy, FL 32351", 10),
                (168, 120, "Batch # RB-2024-0117", 10),
                (38, 160, "Order # TRU220427-050001", 10),
                (38, 172, "Sample # AACT433", 10),
                (168, 172, "Completion Date: 2022-05-02", 10),
                (50, 220, "Lead"),
                (200, 220, "0.12 ppm"),
                (
                    50,
                    700,
                    "This report shall not be reproduced without written approval from Sunshine Laboratory.",
                ),
                (50, 712, "Sunshine Laboratory is accredited to the ISO/IEC 17025:2017 standard."),
            ]
        )
    )
    assert doc.vendor == "Green Leaf Botanicals"
    assert doc.product == "Red Bali Kratom Powder"
    assert (doc.batch, doc.sample_id, doc.report_number) == (
        "RB-2024-0117",
        "AACT433",
        "TRU220427-050001",
    )
    assert doc.dates.reported == "2022-05-02"
    assert doc.lab.name == "Sunshine Laboratory"
    assert doc.lab.accreditation == "ISO/IEC 17025:2017"


def test_lab_batch_and_dates_of_other_events_are_not_taken(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (50, 40, "Client: Acme Botanicals LLC"),
                (50, 55, "Lab Batch #: QC-2024-11"),
                (50, 70, "Batch Date: 2024-01-01"),
                (50, 85, "Order Date: 2024-01-02"),
                (50, 100, "Expiration Date: 2025-01-02"),
                (50, 115, "External Batch ID: N/A"),
                (50, 140, "Lead"),
                (200, 140, "0.12 ppm"),
            ]
        )
    )
    assert doc.batch is None
    assert doc.dates == type(doc.dates)()
    assert any(w.startswith("missing key fields") for w in doc.warnings) and doc.needs_review


def test_wrapped_name_under_its_label(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (43, 60, "Order Name: Cresco Budder 1g - Buddha's", 12),
                (43, 72, "Hand", 12),
                (43, 86, "Retail Batch #: 8474 5221 8191 0310", 12),
                (43, 120, "Lead"),
                (200, 120, "0.12 ppm"),
            ]
        )
    )
    assert doc.product == "Cresco Budder 1g - Buddha's Hand"
    assert doc.batch == "8474 5221 8191 0310"


def test_czech_labels(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (43, 60, "Zákazník:"),
                (185, 60, "Vivadzen s.r.o."),
                (185, 72, "Freyova 82/27"),
                (43, 90, "Objednávka:"),
                (185, 90, "16.1.2026"),
                (43, 102, "Protokol o zkouškách ML: 63/26"),
                (43, 130, "olovo"),
                (150, 130, "0,64"),
                (230, 130, "mg/kg"),
            ]
        )
    )
    assert doc.vendor == "Vivadzen s.r.o."
    assert doc.report_number == "63/26"
    assert doc.dates.received is None  # "Objednávka" (order) is not the receipt


def test_two_column_key_value_box(make_pdf: Callable[..., Path]) -> None:
    rows = [
        ("Customer Name", "Kratom King LLC"),
        ("Product Description", "Maeng Da Kratom Powder 250 g"),
        ("Lot Number", "MD-0423-B"),
        ("Lab Sample ID", "24-01187"),
        ("Date Sample Received", "March 1, 2024"),
        ("Date of Analysis", "03/04/2024"),
        ("Report Issue Date", "2024-03-06"),
        ("COA Number", "COA-24-0093"),
    ]
    items: list[tuple[float, float, str] | tuple[float, float, str, float]] = [
        (50, 40, "NorthStar Analytical Laboratory, Inc.", 14),
        (50, 56, "455 Research Pkwy, Boulder, CO 80301", 8),
    ]
    for k, (label, value) in enumerate(rows):
        items += [(56, 90 + k * 16, label), (200, 90 + k * 16, value)]
    items += [
        (50, 260, "Analyte"),
        (250, 260, "Result"),
        (50, 275, "Mitragynine"),
        (250, 275, "1.2 %"),
    ]
    doc = parse(make_pdf(items))
    assert doc.lab.name == "NorthStar Analytical Laboratory, Inc."
    assert (doc.vendor, doc.product) == ("Kratom King LLC", "Maeng Da Kratom Powder 250 g")
    assert (doc.batch, doc.sample_id, doc.report_number) == ("MD-0423-B", "24-01187", "COA-24-0093")
    assert (doc.dates.received, doc.dates.tested, doc.dates.reported) == (
        "2024-03-01",
        "2024-03-04",
        "2024-03-06",
    )


def test_header_row_of_bare_labels_over_one_row_of_values(make_pdf: Callable[..., Path]) -> None:
    header = [
        ("Client", 40),
        ("Product", 140),
        ("Batch No.", 270),
        ("Received", 350),
        ("Reported", 430),
        ("Sample ID", 510),
    ]
    values = [
        ("Herbal Roots", 40),
        ("Green Malay", 140),
        ("GM-5521", 270),
        ("10-Jan-2024", 350),
        ("15-Jan-2024", 430),
        ("S-0098", 510),
    ]
    doc = parse(
        make_pdf(
            [(40, 40, "Certificate of Analysis", 16), (40, 60, "Quality Labs of Texas", 10)]
            + [(x, 100, t, 8) for t, x in header]
            + [(x, 114, t, 8) for t, x in values]
            + [(40, 160, "Mercury"), (200, 160, "<0.01 ppm")]
        )
    )
    assert doc.lab.name == "Quality Labs of Texas"
    assert (doc.vendor, doc.product, doc.batch, doc.sample_id) == (
        "Herbal Roots",
        "Green Malay",
        "GM-5521",
        "S-0098",
    )
    assert (doc.dates.received, doc.dates.reported) == ("2024-01-10", "2024-01-15")


def test_leader_dots_times_and_more_label_words(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (50, 40, "Vendor ........ Blue Lotus Imports"),
                (50, 55, "Product/Sample Name: Green Malay Powder"),
                (50, 70, "Accession Number: 24-7781"),
                (50, 85, "Analysis Date/Time: 11:10"),
                (50, 100, "Work Order: WO-5512"),
                (50, 115, "Mfg Lot: ML-2024-3"),
                (50, 140, "Lead"),
                (200, 140, "0.12 ppm"),
            ]
        )
    )
    assert (doc.vendor, doc.product) == ("Blue Lotus Imports", "Green Malay Powder")
    assert (doc.sample_id, doc.report_number, doc.batch) == ("24-7781", "WO-5512", "ML-2024-3")
    assert doc.dates.tested is None  # a time of day is not a date


def test_a_label_inside_a_sentence_yields_to_a_printed_field(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (50, 40, "Results were sent to the client: see the attached letter."),
                (50, 60, "Client: Acme Botanicals LLC"),
                (50, 90, "Lead"),
                (200, 90, "0.12 ppm"),
            ]
        )
    )
    assert doc.vendor == "Acme Botanicals LLC"


@pytest.mark.parametrize(
    ("lines", "received"),
    [
        (
            ["Date Received: 03/04/2024", "Tested: 17/04/2024"],
            "2024-04-03",
        ),  # 17/04 shows day-first
        (
            ["Date Received: 03/04/2024", "Tested: 04/17/2024"],
            "2024-03-04",
        ),  # 04/17 shows month-first
        (["Date Received: 03/04/2024", "Rev. 1.2.2024"], "2024-04-03"),  # a European document
        (["Date Received: 03/04/2024"], "2024-03-04"),  # US by default
    ],
)
def test_day_or_month_first_from_the_document(
    lines: list[str], received: str, make_pdf: Callable[..., Path]
) -> None:
    items: list[tuple[float, float, str]] = [
        (50, 40 + 15 * k, text) for k, text in enumerate(lines)
    ]
    doc = parse(make_pdf([*items, (50, 120, "Lead"), (200, 120, "0.12 ppm")]))
    assert doc.dates.received == received


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Nº de lote", "batch"),
        ("Número de informe", "report_number"),
        ("Nº de muestra", "sample_id"),
        ("Manufactured by", "vendor"),
        ("Distributed by", "vendor"),
    ],
)
def test_number_words_and_maker_labels(label: str, field: str) -> None:
    assert field in [name for name, _rank in fields_of_label(label)]


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Código de muestra", "sample_id"),
        ("Laboratorní číslo vzorku", "sample_id"),
        ("Proben-Nr.", "sample_id"),
        ("Labor-Nr.", "sample_id"),
        ("Nº de laboratorio", "sample_id"),
        ("Labor", "lab"),
        ("Laboratorio", "lab"),
        ("Zadavatel", "vendor"),
        ("Analysedatum", "tested"),
        ("Untersuchungsdatum", "tested"),
        ("Freigabedatum", "reported"),
        ("Datum vydání", "reported"),
        ("Fecha de ensayo", "tested"),
        ("Datum", "reported"),
        ("Protokol č.", "report_number"),
        ("Informe nº", "report_number"),
        ("Lab", "lab"),
        ("Lab No.", "sample_id"),
        ("Lab #", "sample_id"),
        ("Lab Number", "sample_id"),
    ],
)
def test_foreign_labels_compounds_and_numbered_lab_labels(label: str, field: str) -> None:
    assert [name for name, _rank in fields_of_label(label)] == [field]


@pytest.mark.parametrize("label", ["Probenahmedatum", "Auftragsdatum"])
def test_compound_dates_of_other_events(label: str) -> None:
    assert not fields_of_label(label)


@pytest.mark.parametrize(
    "name",
    [
        "Phytolab Süd GmbH",
        "LabTech Olomouc s.r.o.",
        "Laboratorio Iberia S.L.",
        "Analytik Zentrum Nord GmbH",
    ],
)
def test_a_company_named_by_a_lab_compound(name: str, make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (45, 30, name, 14),
                (45, 70, "Laboratorní cislo vzorku:"),
                (174, 70, "2024-6404.4"),
                (45, 85, "Kunde:"),
                (174, 85, "Naturwaren Becker KG"),
                (45, 100, "Datum:"),
                (174, 100, "17. Januar 2024"),
                (45, 130, "Blei"),
                (200, 130, "0,12 mg/kg"),
            ]
        )
    )
    assert doc.lab.name == name
    assert doc.vendor == "Naturwaren Becker KG"
    assert doc.sample_id == "2024-6404.4"
    assert doc.dates.reported == "2024-01-17"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Green.Malay Kratom Leaf Powder", "Green Malay Kratom Leaf Powder"),
        ("White Sumatra:Kratom Powder.", "White Sumatra Kratom Powder"),
        ("White Borneo Kratom Capsules'500 mg", "White Borneo Kratom Capsules 500 mg"),
        ("Kratom Harbor Inc.", "Kratom Harbor Inc."),
        ("St. John Botanicals", "St. John Botanicals"),
        ("White Sumatra Kratom Capsules.500.mg", "White Sumatra Kratom Capsules 500 mg"),
        ("Emerald -Mitra Supply LLC", "Emerald Mitra Supply LLC"),
        ("Red Bali - Kratom", "Red Bali - Kratom"),
    ],
)
def test_ocr_specks_in_names(text: str, expected: str) -> None:
    from parsers.metadata.names import _ocr_name

    assert _ocr_name(text) == expected


def test_an_ocr_label_with_a_tall_box_takes_the_value_beside_it() -> None:
    """A speck under ``Reported:`` makes its box twice as tall; the date beside it is still its value."""
    from parsers.layout_text import TextPage, Word, build_lines
    from parsers.metadata import read_metadata

    words = [
        Word("Tested:", 40, 160, 75, 168.6, 8.6),
        Word("2024-01-09", 155, 160, 200, 168.6, 8.6),
        Word("Reported:", 40, 180.8, 85, 199.2, 18.4),
        Word("2024-01-13", 155, 181.2, 200, 189.9, 8.6),
        Word("Test", 40, 205, 60, 213.6, 8.6),
        Word("Result", 300, 205, 330, 213.6, 8.6),
    ]
    meta = read_metadata([TextPage(1, 612, 792, build_lines(words, 1, ocr=True), True)])
    assert meta.dates.reported == "2024-01-13"


def test_a_signature_title_is_not_the_lab(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (40, 30, "Cascade Analytical Laboratories", 14),
                (40, 70, "Client: Acme LLC"),
                (40, 100, "Lead"),
                (200, 100, "0.12 ppm"),
                (40, 300, "Approved by: J. Alvarez, Laboratory:Director"),
            ]
        )
    )
    assert doc.lab.name == "Cascade Analytical Laboratories"


def test_lab_compounds_tails_and_mixed_case_prefixes(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (36, 30, "Northstar Analytical Services"),
                (459, 30, "Report Number:"),
                (539, 30, "CoA 240110-05"),
                (36, 70, "Customer:"),
                (141, 70, "Mitra Botanica Distributors"),
                (36, 100, "Lead"),
                (200, 100, "0.12 ppm"),
            ]
        )
    )
    assert doc.lab.name == "Northstar Analytical Services"
    assert doc.report_number == "CoA 240110-05"
    doc = parse(
        make_pdf(
            [
                (36, 30, "Summit BioAnalytics"),
                (36, 70, "Client: Acme LLC"),
                (36, 100, "Lead"),
                (200, 100, "0.12 ppm"),
            ],
            name="bio.pdf",
        )
    )
    assert doc.lab.name == "Summit BioAnalytics"


def test_random_pages_never_raise() -> None:
    """Metadata runs on every parse: no arrangement of words may make it raise."""
    import random

    from parsers.layout_text import TextPage, Word, build_lines
    from parsers.metadata import LABELS, read_metadata

    vocab = [label for labels in LABELS.values() for label in labels] + [
        "Client:",
        "Batch #",
        "Lot:",
        "Date Received:",
        "12/13/2024",
        "2024-01-01",
        "|",
        ";",
        ":",
        "#",
        "No.",
        "Nº",
        "Labs",
        "Laboratories",
        "Inc.",
        "(FL)",
        "www.x.com",
        "a@b.c",
        "123 Main St",
        "Austin, TX 78701",
        "Matrix:",
        "Flower",
        ",",
        "-",
        "CoA",
        "O1I",
        "$12",
        "....",
        "…",
        "ř",
        "10^4",
    ]
    rng = random.Random(7)
    for _ in range(300):
        words = []
        for _k in range(rng.randint(0, 50)):
            text = (
                rng.choice(vocab)
                if rng.random() < 0.7
                else "".join(rng.choice("aZ0:#.,;|-/ ()$ř") for _c in range(rng.randint(1, 8)))
            )
            x, y, size = (
                rng.uniform(0, 600),
                rng.uniform(0, 800),
                rng.choice([1.0, 4.0, 8.0, 12.0, 30.0]),
            )
            words.append(Word(text.strip() or "x", x, y, x + rng.uniform(1, 80), y + size, size))
        read_metadata([TextPage(1, 612, 792, build_lines(words, 1))])
