"""Each shipped profile against hand-computed batches."""

from __future__ import annotations

from typing import Any

import pytest

from registry.thresholds import ProductInfo
from tests.thresholds.builders import clean_batch, res, shipped, verdict_of

SHIPPED = [
    "ahpa",
    "arizona",
    "eu-food-supplement",
    "georgia",
    "oklahoma",
    "prop65-lead",
    "texas",
    "usp-dietary-supplement",
    "utah-r70-580",
]
#: A label saying 4 g a day of leaf powder (AHPA's 5 g/day scope included).
FOUR_G = ProductInfo(serving_g=4, servings_per_day=1, form="leaf_powder")
TEN_G = ProductInfo(serving_g=2.5, servings_per_day=4)


def failed_rules(verdict: dict[str, Any]) -> list[str]:
    return [f["rule_id"] for f in verdict["failures"]]


def test_the_shipped_set() -> None:
    assert sorted(shipped()) == SHIPPED


@pytest.mark.parametrize("code", SHIPPED)
def test_a_clean_leaf_batch_passes_everywhere(code: str) -> None:
    verdict = verdict_of(code, clean_batch(), FOUR_G)
    # Prop 65 asks for a label at 4 g a day of a batch with any measurable lead: a warning
    expected = "warning" if code == "prop65-lead" else "pass"
    assert (
        verdict["status"],
        verdict["failures"],
        verdict["missing"],
        verdict["inconclusive"],
    ) == (expected, [], [], [])


# --- Utah R70-580 vs USP: lead at 0.7 ug/g -------------------------------------------


def test_lead_0_7_passes_utah_and_fails_usp_at_a_labelled_10_g() -> None:
    batch = clean_batch(lead=res("lead", 0.7))
    assert verdict_of("utah-r70-580", batch)["status"] == "pass"  # < 1.2 ug/g
    usp = verdict_of("usp-dietary-supplement", batch, TEN_G)
    assert usp["status"] == "fail"
    [lead] = usp["failures"]
    assert (lead["analyte"], lead["value"], lead["unit"], lead["limit"], lead["rule"]) == (
        "lead",
        7.0,
        "ug/day",
        5.0,
        "exposure",
    )  # 0.7 ug/g x 10 g/day
    assert lead["source"].startswith("USP <2232>") and lead["daily_intake_g"] == 10.0
    assert lead["measured"]["value"] == 0.7


def test_usp_at_the_labels_smaller_intake_passes() -> None:
    batch = clean_batch(lead=res("lead", 0.7))
    product = ProductInfo(serving_g=1, servings_per_day=3)  # 2.1 ug/day
    assert verdict_of("usp-dietary-supplement", batch, product)["status"] == "pass"


@pytest.mark.parametrize(
    ("analyte", "value", "status"),
    [
        # "do not exceed the amounts listed": the figure itself passes, whatever the table's "<"
        ("lead", 1.19, "pass"),
        ("lead", 1.2, "pass"),
        ("lead", 1.21, "incomplete"),
        ("arsenic", 2.0, "pass"),
        ("cadmium", 0.82, "pass"),
        ("mercury", 0.39, "pass"),
        ("total_aerobic_count", 1e7, "pass"),
        ("total_aerobic_count", 1.01e7, "incomplete"),
        ("yeast_and_mold", 1e5, "pass"),
        ("yeast_and_mold", 100001, "incomplete"),
        ("enterobacteriaceae", 9999, "pass"),
        ("enterobacteriaceae", 1e4, "pass"),
    ],
)
def test_utah_limits_at_their_edges(analyte: str, value: float, status: str) -> None:
    """Above a figure: R70-580 is being replaced, so a breach is inconclusive (unverified)."""
    batch = clean_batch(**{analyte: res(analyte, value)})
    verdict = verdict_of("utah-r70-580", batch)
    assert verdict["status"] == status
    if status == "incomplete":
        [entry] = verdict["inconclusive"]
        assert "unverified" in entry["reason"] and entry["would_fail_if"]


def test_utah_7oh_at_exactly_2_percent_passes() -> None:
    batch = clean_batch(**{"7_hydroxymitragynine": res("7_hydroxymitragynine", 0.036)})  # of 1.8
    assert verdict_of("utah-r70-580", batch)["status"] == "pass"
    batch = clean_batch(**{"7_hydroxymitragynine": res("7_hydroxymitragynine", 0.037)})
    verdict = verdict_of("utah-r70-580", batch)  # the 2026 amendment may have dropped the cap
    assert (verdict["status"], [i["rule_id"] for i in verdict["inconclusive"]]) == (
        "incomplete",
        ["7-oh-share"],
    )


def test_salmonella_detected_fails_usp() -> None:
    batch = clean_batch(salmonella=res("salmonella", qualifier="detected"))
    verdict = verdict_of("usp-dietary-supplement", batch, TEN_G)
    assert failed_rules(verdict) == ["salmonella"]
    assert verdict["failures"][0]["value"] is None and verdict["failures"][0]["limit"] is None


def test_utah_missing_tests_make_it_incomplete() -> None:
    verdict = verdict_of("utah-r70-580", clean_batch(salmonella=None, mercury=None))
    assert (verdict["status"], verdict["missing"]) == ("incomplete", ["salmonella", "mercury"])


def test_a_failure_outranks_missing() -> None:
    verdict = verdict_of("eu-food-supplement", clean_batch(mercury=None, lead=res("lead", 3.5)))
    assert (verdict["status"], verdict["missing"], failed_rules(verdict)) == (
        "fail",
        ["mercury"],
        ["lead"],
    )


def test_utah_needs_e_coli_not_only_stec() -> None:
    batch = clean_batch(e_coli=None) + [res("stec", qualifier="not_detected")]
    assert verdict_of("utah-r70-580", batch)["missing"] == ["e_coli"]


def test_utah_loq_above_the_limit_is_incomplete() -> None:
    verdict = verdict_of("utah-r70-580", clean_batch(mercury=res("mercury", 0.5, qualifier="<")))
    assert verdict["status"] == "incomplete"
    [entry] = verdict["inconclusive"]
    assert (entry["analyte"], entry["rule_id"], entry["qualifier"]) == ("mercury", "mercury", "<")
    assert "reporting limit too high" in entry["reason"]


# --- Oklahoma vs Texas and Arizona: 7-OH at 1.5 % of alkaloids --------------------------


def test_7oh_at_1_5_percent_fails_oklahoma_and_passes_texas() -> None:
    batch = clean_batch(**{"7_hydroxymitragynine": res("7_hydroxymitragynine", 0.027)})  # / 1.8
    oklahoma = verdict_of("oklahoma", batch)
    assert oklahoma["status"] == "fail"
    [share] = oklahoma["failures"]
    assert (share["analyte"], share["value"], share["unit"], share["limit"], share["rule"]) == (
        "7_hydroxymitragynine",
        1.5,
        "% of total_alkaloids",
        1.0,
        "ratio",
    )
    assert verdict_of("texas", batch)["status"] == "pass"
    assert verdict_of("arizona", batch)["status"] == "pass"
    assert verdict_of("utah-r70-580", batch)["status"] == "pass"


def test_oklahoma_1_percent_passes() -> None:
    batch = clean_batch(**{"7_hydroxymitragynine": res("7_hydroxymitragynine", 0.018)})  # / 1.8
    assert verdict_of("oklahoma", batch)["status"] == "pass"


def test_texas_cannot_fail_on_a_share_of_summed_alkaloids() -> None:
    """The printed alkaloids' sum is a lower bound on the total: the share over it is at most."""
    batch = clean_batch(
        total_alkaloids=None,
        **{
            "mitragynine": res("mitragynine", 1.0),
            "7_hydroxymitragynine": res("7_hydroxymitragynine", 0.03),
        },
    )  # 0.03 / 1.03 = 2.9 %
    verdict = verdict_of("texas", batch)
    assert (verdict["status"], failed_rules(verdict)) == ("incomplete", [])
    [entry] = verdict["inconclusive"]
    assert "at most 2.91 % of the printed alkaloids" in entry["reason"]
    assert "2.91 %" in entry["would_fail_if"]


def test_oklahoma_leaf_total_alkaloid_cap() -> None:
    batch = clean_batch(total_alkaloids=res("total_alkaloids", 3.6))
    unknown = verdict_of("oklahoma", batch)  # form unknown: cannot accuse
    assert (unknown["status"], [i["rule_id"] for i in unknown["inconclusive"]]) == (
        "incomplete",
        ["leaf-total-alkaloids"],
    )
    assert failed_rules(verdict_of("oklahoma", batch, ProductInfo(form="leaf_powder"))) == [
        "leaf-total-alkaloids"
    ]
    assert failed_rules(verdict_of("oklahoma", batch, ProductInfo(form="capsules"))) == [
        "leaf-total-alkaloids"
    ]
    extract = verdict_of("oklahoma", batch, ProductInfo(form="extract"))
    assert (extract["status"], extract["not_applicable"]) == ("pass", ["leaf-total-alkaloids"])
    assert (
        verdict_of("oklahoma", clean_batch(total_alkaloids=res("total_alkaloids", 3.5)))["status"]
        == "pass"
    )


# --- Georgia: per-gram and per-serving caps -----------------------------------------


@pytest.mark.parametrize(
    ("serving_g", "failures"),
    [
        (4, []),  # 7-OH 0.02 % x 4 g = 0.8 mg; mitragynine 1.5 % x 4 g = 60 mg
        (5, []),  # 7-OH exactly 1.0 mg per serving
        (6, ["7-oh-per-serving"]),  # 1.2 mg
        (10, ["7-oh-per-serving"]),  # 2 mg; mitragynine exactly 150 mg
        (12, ["7-oh-per-serving", "mitragynine-per-serving"]),  # 2.4 mg; 180 mg
    ],
)
def test_georgia_per_serving_caps(serving_g: float, failures: list[str]) -> None:
    batch = clean_batch(
        mitragynine=res("mitragynine", 1.5),
        **{"7_hydroxymitragynine": res("7_hydroxymitragynine", 0.02)},
    )
    verdict = verdict_of("georgia", batch, ProductInfo(serving_g=serving_g))
    assert failed_rules(verdict) == failures
    assert verdict["status"] == ("fail" if failures else "pass")


def test_georgia_reports_milligrams_per_serving() -> None:
    batch = clean_batch(
        mitragynine=res("mitragynine", 1.5),
        **{"7_hydroxymitragynine": res("7_hydroxymitragynine", 0.005)},
    )
    verdict = verdict_of("georgia", batch, ProductInfo(serving_g=12))
    [mg] = verdict["failures"]
    assert (mg["value"], mg["unit"], mg["limit"], mg["serving_g"]) == (
        180.0,
        "mg/serving",
        150.0,
        12,
    )


def test_georgia_per_gram_cap() -> None:
    batch = clean_batch(**{"7_hydroxymitragynine": res("7_hydroxymitragynine", 0.06)})  # 0.6 mg/g
    assert "7-oh-per-gram" in failed_rules(verdict_of("georgia", batch, ProductInfo(serving_g=1)))
    batch = clean_batch(**{"7_hydroxymitragynine": res("7_hydroxymitragynine", 0.05)})
    assert verdict_of("georgia", batch, ProductInfo(serving_g=1))["status"] == "pass"


def test_georgia_without_a_serving_size_is_incomplete() -> None:
    verdict = verdict_of("georgia", clean_batch())
    assert verdict["status"] == "incomplete"
    assert [i["rule_id"] for i in verdict["inconclusive"]] == [
        "7-oh-per-serving",
        "mitragynine-per-serving",
    ]
    assert "serving size is not printed" in verdict["inconclusive"][0]["reason"]


def test_georgia_per_serving_result_printed_per_serving() -> None:
    batch = clean_batch(
        **{"7_hydroxymitragynine": res("7_hydroxymitragynine", 1.5, unit="mg/serving")}
    )
    verdict = verdict_of("georgia", batch, ProductInfo(serving_g=4))
    assert failed_rules(verdict) == ["7-oh-per-serving"]
    # the per-gram cap cannot read a per-serving figure
    assert [i["rule_id"] for i in verdict["inconclusive"]] == ["7-oh-per-gram"]


# --- Prop 65: a warning, not a ban ---------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "product", "warned"),
    [
        (0.05, TEN_G, False),  # 0.5 ug/day at 10 g/day: at the MADL
        (0.06, TEN_G, True),
        (0.3, TEN_G, True),
        (0.3, ProductInfo(serving_g=1, servings_per_day=1), False),  # 0.3 ug/day
    ],
)
def test_prop65_warns_and_never_fails(
    lead: float, product: ProductInfo | None, warned: bool
) -> None:
    verdict = verdict_of("prop65-lead", clean_batch(lead=res("lead", lead)), product)
    assert verdict["status"] == ("warning" if warned else "pass")
    assert verdict["failures"] == []
    assert [w["rule_id"] for w in verdict["warnings"]] == (["lead-madl"] if warned else [])


def test_prop65_warning_entry() -> None:
    [warning] = verdict_of("prop65-lead", clean_batch(lead=res("lead", 0.3)), TEN_G)["warnings"]
    assert (warning["value"], warning["unit"], warning["limit"], warning["severity"]) == (
        3.0,
        "ug/day",
        0.5,
        "warning",
    )


def test_prop65_cannot_tell_from_a_coarse_loq() -> None:
    verdict = verdict_of("prop65-lead", clean_batch(lead=res("lead", 0.1, qualifier="<")))
    assert (verdict["status"], verdict["warnings"], len(verdict["inconclusive"])) == (
        "incomplete",
        [],
        1,
    )


def test_prop65_without_lead_is_incomplete() -> None:
    verdict = verdict_of("prop65-lead", clean_batch(lead=None))
    assert (verdict["status"], verdict["missing"]) == ("incomplete", ["lead"])


# --- EU, AHPA ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("analyte", "value", "status"),
    [
        ("lead", 3.0, "pass"),
        ("lead", 3.01, "fail"),
        ("cadmium", 1.0, "pass"),
        ("cadmium", 1.1, "fail"),
        ("mercury", 0.1, "pass"),
        ("mercury", 0.11, "fail"),
    ],
)
def test_eu_maximum_levels(analyte: str, value: float, status: str) -> None:
    assert (
        verdict_of("eu-food-supplement", clean_batch(**{analyte: res(analyte, value)}))["status"]
        == status
    )


def test_eu_limits_are_stored_in_canonical_units() -> None:
    assert {r.unit for r in shipped()["eu-food-supplement"].rules if r.kind == "max"} == {"ug/g"}


@pytest.mark.parametrize(
    ("analyte", "value", "status"),
    [
        # at a labelled 5 g/day, the top of AHPA's scope
        ("lead", 1.2, "pass"),
        ("lead", 1.21, "incomplete"),  # 6 ug/day, unverified figure
        ("cadmium", 0.82, "pass"),
        ("cadmium", 0.83, "fail"),  # 4.1 ug/day
        ("arsenic", 2.0, "pass"),
        ("arsenic", 2.1, "incomplete"),  # total As: speciation needed
        ("total_coliforms", 1e4, "pass"),
        ("total_coliforms", 1.5e4, "fail"),
        ("total_aerobic_count", 1e7, "pass"),
        ("yeast_and_mold", 2e5, "fail"),
    ],
)
def test_ahpa(analyte: str, value: float, status: str) -> None:
    label = ProductInfo(serving_g=2.5, servings_per_day=2)
    assert (
        verdict_of("ahpa", clean_batch(**{analyte: res(analyte, value)}), label)["status"] == status
    )


def test_usp_microbials_are_tighter_than_utah() -> None:
    batch = clean_batch(total_aerobic_count=res("total_aerobic_count", 5e5))
    assert verdict_of("utah-r70-580", batch)["status"] == "pass"
    assert failed_rules(verdict_of("usp-dietary-supplement", batch)) == ["total-aerobic-count"]


# --- every rule cites a source and a verification mark -----------------------------


@pytest.mark.parametrize("code", SHIPPED)
def test_every_rule_is_sourced(code: str) -> None:
    profile = shipped()[code]
    assert profile.note and profile.name and profile.jurisdiction
    for rule in profile.rules:
        assert rule.source.citation and rule.source.url and rule.source.url.startswith("https://")
        assert rule.verified in ("primary", "secondary", "unverified")
        if rule.verified != "primary":
            assert rule.note, f"{code}/{rule.id}: say why the figure is not from primary text"


def test_the_package_docstring_lists_every_profile() -> None:
    import registry.thresholds

    doc = registry.thresholds.__doc__ or ""
    for code in SHIPPED:
        assert f"| `{code}`" in doc, f"add {code} to the certainty table"


@pytest.mark.parametrize("code", SHIPPED)
def test_every_limit_says_what_decides_equality(code: str) -> None:
    """Equality follows each rule's own words: the deciding sentence is recorded."""
    profile = shipped()[code]
    assert profile.as_of is not None
    for rule in profile.rules:
        if rule.limit is not None:
            assert rule.op_wording, f"{code}/{rule.id}: record the sentence that decides <= or <"


def test_no_profile_points_outside_its_own_file() -> None:
    """The sources live in the profiles' YAML files, not in a shared notes file."""
    from registry.thresholds.loader import shipped_profile_paths

    for path in shipped_profile_paths():
        text = path.read_text(encoding="utf-8")
        assert "thresholds.md" not in text and "/".join(("..", "shared")) not in text, path.name
