"""Verdicts: which result counts, status precedence, the contract's JSON shape."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from registry.thresholds import Defaults, LabResult, ProductInfo, evaluate, latest_results
from registry.thresholds.evaluate import status_of
from tests.thresholds.builders import make_profile, make_rule, res

LEAD = make_rule("max", id="lead", analyte="lead", limit=1.0, unit="ug/g")
SALMONELLA = make_rule("absent", id="salmonella", analyte="salmonella")
REQUIRED = make_rule("required", id="required", analytes=("lead", "salmonella"))
PROFILE = make_profile(LEAD, SALMONELLA, REQUIRED)
JAN, FEB = date(2024, 1, 10), date(2024, 2, 10)


def lead(value: float, cert: int | None = None, tested: date | None = None) -> LabResult:
    return res("lead", value, certificate_id=cert, tested=tested)


@pytest.mark.parametrize(
    ("results", "kept"),
    [
        ([lead(1, 1, JAN), lead(2, 2, FEB)], 2),  # later test date
        ([lead(2, 2, FEB), lead(1, 1, JAN)], 2),  # order does not matter
        ([lead(1, 5, FEB), lead(2, 2, JAN)], 1),  # the date wins over the certificate id
        ([lead(1, 1, JAN), lead(2, 2, JAN)], 2),  # same day: the later certificate
        ([lead(1, 9, None), lead(2, 2, JAN)], 2),  # undated counts as older
        ([lead(1, None, JAN), lead(2, 1, JAN)], 2),  # no certificate id counts as older
        ([lead(1, 3, JAN), lead(2, 3, JAN)], 1),  # exact tie: the first one
    ],
)
def test_latest_results_picks_one_per_analyte(results: list[LabResult], kept: float) -> None:
    [chosen] = latest_results(results)
    assert chosen.value == kept


def test_latest_results_keeps_analytes_only_older_certificates_tested() -> None:
    old = [res("salmonella", qualifier="detected", certificate_id=1, tested=JAN), lead(2.0, 1, JAN)]
    retest = [lead(0.5, 2, FEB)]
    latest = latest_results(old + retest)
    assert [(r.analyte, r.certificate_id) for r in latest] == [("salmonella", 1), ("lead", 2)]


def test_evaluate_judges_the_latest_result() -> None:
    batch = [
        lead(2.0, 1, JAN),
        res("salmonella", qualifier="not_detected", certificate_id=1, tested=JAN),
        lead(0.5, 2, FEB),
    ]
    assert evaluate(PROFILE, batch).status == "pass"
    assert evaluate(PROFILE, list(reversed(batch))).status == "pass"


@pytest.mark.parametrize(
    ("failed", "incomplete", "status"),
    [
        (True, True, "fail"),
        (True, False, "fail"),
        (False, True, "incomplete"),
        (False, False, "pass"),
    ],
)
def test_status_precedence(failed: bool, incomplete: bool, status: str) -> None:
    assert status_of(failed, incomplete) == status


@pytest.mark.parametrize(
    ("batch", "status", "missing", "inconclusive"),
    [
        ([lead(0.5), res("salmonella", qualifier="not_detected")], "pass", [], 0),
        ([lead(0.5)], "incomplete", ["salmonella"], 0),
        (
            [res("lead", 2.0, qualifier="<"), res("salmonella", qualifier="not_detected")],
            "incomplete",
            [],
            1,
        ),
        ([lead(1.5)], "fail", ["salmonella"], 0),
        ([res("lead", 2.0, qualifier="<"), res("salmonella", qualifier="detected")], "fail", [], 1),
    ],
)
def test_verdict_status(
    batch: list[LabResult], status: str, missing: list[str], inconclusive: int
) -> None:
    verdict = evaluate(PROFILE, batch)
    assert (verdict.status, list(verdict.missing), len(verdict.inconclusive)) == (
        status,
        missing,
        inconclusive,
    )


def test_verdict_json_matches_the_contract() -> None:
    batch = [lead(2.1, 7, FEB), res("salmonella", qualifier="not_detected")]
    data = evaluate(PROFILE, batch).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data)[:7] == [
        "profile",
        "profile_version",
        "status",
        "failures",
        "missing",
        "inconclusive",
        "warnings",
    ]
    assert (data["profile"], data["profile_version"], data["status"]) == ("test", 1, "fail")
    [failure] = data["failures"]
    assert list(failure)[:6] == ["analyte", "value", "unit", "limit", "rule", "source"]
    assert {k: failure[k] for k in list(failure)[:6]} == {
        "analyte": "lead",
        "value": 2.1,
        "unit": "ug/g",
        "limit": 1.0,
        "rule": "max",
        "source": "test source",
    }
    assert failure["measured"] == {
        "analyte": "lead",
        "value": 2.1,
        "unit": "ug/g",
        "qualifier": "=",
        "loq": None,
        "certificate_id": 7,
        "tested": "2024-02-10",
    }
    assert data["passed"] == ["salmonella", "required"]


def test_untested_optional_rules_are_listed() -> None:
    profile = make_profile(LEAD, SALMONELLA)
    verdict = evaluate(profile, [res("salmonella", qualifier="not_detected")])
    assert (verdict.status, verdict.not_tested) == ("pass", ("lead",))


def test_missing_analytes_are_not_also_untested() -> None:
    verdict = evaluate(PROFILE, [])
    assert (verdict.missing, verdict.not_tested) == (("lead", "salmonella"), ())


def test_a_broken_warning_rule_is_the_status_warning_not_fail() -> None:
    warn = make_rule(
        "exposure", id="warn", analyte="lead", limit=0.5, unit="ug/day", severity="warning"
    )
    profile = make_profile(warn, defaults=Defaults(serving_g=2.5, servings_per_day=4))
    label = ProductInfo(serving_g=2.5, servings_per_day=4)
    assert evaluate(profile, [lead(0.3)], label).status == "warning"
    assert evaluate(profile, [lead(0.01)], label).status == "pass"
    assert [w["rule_id"] for w in evaluate(profile, [lead(0.3)], label).warnings] == ["warn"]
    assert evaluate(profile, [res("lead", 0.3, qualifier="<")], label).status == "incomplete"
    # without the label's intake, nobody can say whether the warning is needed
    assert evaluate(profile, [lead(0.3)]).status == "incomplete"


def test_a_profile_that_judges_nothing_is_incomplete_never_pass() -> None:
    profile = make_profile(make_rule("max", id="pb", analyte="lead", limit=1.0, unit="ug/g"))
    potency_only = [res("mitragynine", 1.4, unit="%")]
    for verdict in (evaluate(profile, potency_only), evaluate(profile, iter(potency_only))):
        assert (verdict.status, verdict.reason) == (
            "incomplete",
            "nothing this profile judges was tested",
        )
        assert verdict.not_tested == ("lead",)
    judged = evaluate(profile, [lead(0.3)])
    assert (judged.status, judged.reason) == ("pass", None)


def test_intake_is_reported_and_never_taken_from_the_defaults() -> None:
    profile = make_profile(LEAD, defaults=Defaults(serving_g=2.5, servings_per_day=4))
    intake = evaluate(profile, [], ProductInfo(servings_per_day=2)).to_dict()["intake"]
    assert intake == {
        "serving_g": None,
        "servings_per_day": 2,
        "daily_intake_g": None,
        "basis": "serving_g: unknown; servings_per_day: product",
    }


def test_verdict_is_frozen() -> None:
    verdict = evaluate(PROFILE, [])
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.status = "pass"  # type: ignore[misc]


def test_lab_result_from_a_contract_item() -> None:
    item = {
        "analyte": "lead",
        "category": "heavy_metal",
        "value": 0.85,
        "unit": "ug/g",
        "qualifier": "=",
        "loq": 0.005,
        "lab_status": None,
        "page": 1,
        "raw": "Lead 0.85 ppm",
    }
    result = LabResult.from_dict(item, certificate_id=3, tested="2024-01-19")
    assert result == LabResult(
        "lead", "heavy_metal", 0.85, "ug/g", "=", 0.005, 3, date(2024, 1, 19)
    )
    assert LabResult.from_dict({"analyte": "salmonella", "qualifier": None}).qualifier == "="


@pytest.mark.parametrize(
    "result",
    [
        res("lead", 2.0, qualifier="<"),
        res("lead", 0.5, qualifier=">"),
        res("lead", None),
        res("lead", 0.5, unit="CFU/g"),
        res("lead", qualifier="detected"),
        res("lead", 0.5, qualifier="~"),
    ],
)
def test_every_inconclusive_entry_says_why(result: LabResult) -> None:
    verdict = evaluate(PROFILE, [result, res("salmonella", qualifier="not_detected")])
    [entry] = verdict.inconclusive
    assert verdict.status == "incomplete" and entry["reason"]
