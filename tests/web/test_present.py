"""Verdicts in words (``registry.web.present``), from verdicts the real engine gives
under the shipped profiles, and verdict keys the page has no words for yet."""

from __future__ import annotations

from datetime import date

from registry import thresholds
from registry.web import present


def _verdict(
    code: str, results: list[thresholds.LabResult], product: thresholds.ProductInfo | None = None
) -> tuple[dict, dict]:
    """The verdict, with the profile's rules taken as confirmed (shipped Utah rules are
    unverified today and give no fail; the wording, not the law, is under test here)."""
    from dataclasses import replace

    shipped = next(p for p in thresholds.load_shipped_profiles() if p.code == code)
    profile = replace(shipped, rules=tuple(replace(r, verified="primary") for r in shipped.rules))
    verdict = thresholds.evaluate(profile, results, product or thresholds.ProductInfo()).to_dict()
    return verdict, {"code": code, "name": profile.name, "jurisdiction": profile.jurisdiction}


def _lab(
    analyte: str, value: float | None, unit: str | None, qualifier: str = "="
) -> thresholds.LabResult:
    return thresholds.LabResult(
        analyte=analyte, value=value, unit=unit, qualifier=qualifier, tested=date(2024, 1, 19)
    )


def test_a_state_limit_reads_as_the_state_s() -> None:
    verdict, profile = _verdict(
        "utah-r70-580", [_lab("lead", 2.1, "ug/g"), _lab("mitragynine", 1.4, "%")]
    )
    words = present.reasons(verdict, profile)
    fail = [r for r in words if r.kind == "fail"]
    assert fail[0].text == "Lead 2.1 µg/g is over Utah's limit of 1.2 µg/g"
    assert fail[0].source and fail[0].source.startswith("Utah Admin. Code R70-580-5")
    missing = [r.text for r in words if r.kind == "missing"]
    assert (
        "No Salmonella test on this certificate" in missing
        and "No E. coli test on this certificate" in missing
    )


def test_a_standard_s_limit_names_the_standard() -> None:
    verdict, profile = _verdict(
        "usp-dietary-supplement",
        [_lab("lead", 2.1, "ug/g")],
        thresholds.ProductInfo(serving_g=5, servings_per_day=2),
    )
    text = [r.text for r in present.reasons(verdict, profile) if r.kind == "fail"][0]
    assert text.startswith(
        "Lead 21 µg/day (at 10 g of product a day) is over the limit of 5 µg/day set by USP"
    )


def test_a_strict_limit_met_exactly_is_at_it() -> None:
    entry = {
        "analyte": "cadmium",
        "value": 0.82,
        "unit": "ug/g",
        "limit": 0.82,
        "rule": "max",
        "op": "<",
    }
    assert (
        present.failure_sentence(entry, "Utah's")
        == "Cadmium 0.82 µg/g is at Utah's limit of 0.82 µg/g"
    )


def test_unknown_keys_are_shown_and_odd_entries_still_read() -> None:
    verdict = {
        "profile": "x",
        "status": "fail",
        "failures": [{"analyte": "lead"}, "not a dict", {"message": "odd rule broke"}],
        "missing": ["salmonella", 7],
        "inconclusive": None,
        "assumptions": ["serving size 10 g (profile default)", {"servings_per_day": 2}],
        "would_fail_if": [
            {
                "analyte": "lead",
                "value": 0.6,
                "unit": "ug/g",
                "limit": 0.5,
                "rule": "max",
                "message": "if the product is an extract",
            }
        ],
    }
    words = present.reasons(verdict, None)
    assert [r.kind for r in words] == ["fail", "fail", "missing", "missing"]
    assert words[1].text == "odd rule broke"
    extras = dict(present.extras(verdict))
    assert extras["Assumptions"] == ["serving size 10 g (profile default)", "servings per day: 2"]
    assert extras["Would fail if"] == [
        "Lead 0.6 µg/g is over the limit of 0.5 µg/g (if the product is an extract)"
    ]


def test_numbers_read_plainly() -> None:
    assert present.number(2.1000000000000001) == "2.1"
    assert present.number(10_000_000) == "10,000,000"
    assert present.number(None) == "—"
    assert present.unit_text("ug/kg") == "µg/kg" and present.unit_text("CFU/g") == "CFU/g"
