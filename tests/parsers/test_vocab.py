"""Analyte vocabulary: synonyms in several languages, fuzzy matching, no false friends."""

from __future__ import annotations

import pytest

from parsers.vocab import lookup, match_prefix


@pytest.mark.parametrize(
    "label, code",
    [
        ("Mitragynine", "mitragynine"),
        ("mitragynin", "mitragynine"),
        ("7-OH", "7_hydroxymitragynine"),
        ("7-hydroxymitragynin", "7_hydroxymitragynine"),
        ("olovo", "lead"),
        ("Blei", "lead"),
        ("kadmium", "cadmium"),
        ("arsen", "arsenic"),
        ("rtuť", "mercury"),
        ("nikl", "nickel"),
        ("Lead (Pb)", "lead"),
        ("Arsenic(As)", "arsenic"),
        ("kvasinky", "yeasts"),
        ("plísně", "molds"),
        ("Hefen", "yeasts"),
        ("Schimmelpilze", "molds"),
        ("Total Yeast and Mold", "yeast_and_mold"),
        ("TotalYeast/Mold", "yeast_and_mold"),
        ("Aerobic Plate Count", "total_aerobic_count"),
        ("Salmonella spp.", "salmonella"),
        ("E. coli", "e_coli"),
        ("Shiga Toxin E. coli", "stec"),
        ("Bile-tolerant gram-negative bacteria", "enterobacteriaceae"),
        ("A atoxin B1", "aflatoxin_b1"),  # dropped 'fl' ligature
        ("Aspergillus slavus", "aspergillus_flavus"),  # wrong glyph in the PDF
        ("Afalatoxin B2", "aflatoxin_b2"),
        ("Water Activity", "water_activity"),
        ("Moisture Content", "moisture"),
    ],
)
def test_lookup(label: str, code: str) -> None:
    assert lookup(label) == code


@pytest.mark.parametrize(
    "label",
    [
        "CBD",
        "Total THC",
        "Linalool",
        "Nerol",
        "Chlordane",
        "Acephate",
        "benzo[a]pyrene",
        "Piperonylbutoxide",
        "Caryophyllene Oxide",
        "Ethyl ether",
        "Spinosad",
        "Total Terpenes",
    ],
)
def test_non_vocabulary_never_matches(label: str) -> None:
    assert lookup(label) is None
    assert match_prefix(label.split()) is None


def test_fuzzy_keeps_digits() -> None:
    assert lookup("Aflatoxin B3") is None
    assert lookup("Aflatoxin G2") == "aflatoxin_g2"
