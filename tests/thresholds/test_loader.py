"""Loading profiles: validation errors, round trips, digests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.thresholds import (
    ProfileError,
    load_profile_file,
    load_shipped_profiles,
    profile_digest,
    profile_from_dict,
    profile_to_dict,
)
from registry.thresholds.loader import shipped_profile_paths


def minimal(**rule: Any) -> dict[str, Any]:
    """A valid profile with one rule, which ``rule`` overrides."""
    base = {
        "id": "lead",
        "kind": "max",
        "analyte": "lead",
        "limit": 1.0,
        "unit": "ug/g",
        "source": {"citation": "somewhere", "url": "https://example.org/x"},
        "verified": "primary",
    }
    base.update(rule)
    return {
        "code": "custom",
        "name": "Custom",
        "jurisdiction": "US",
        "version": 1,
        "effective": "2024-01-01",
        "note": "",
        "rules": [{k: v for k, v in base.items() if v is not None}],
    }


def error_of(data: Any) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        profile_from_dict(data)
    return caught.value


def test_minimal_profile_loads() -> None:
    profile = profile_from_dict(minimal())
    assert (profile.code, profile.version, profile.rules[0].op, profile.rules[0].severity) == (
        "custom",
        1,
        "<=",
        "fail",
    )
    assert profile.defaults.serving_g is None


@pytest.mark.parametrize(
    ("change", "path", "text"),
    [
        (
            {"kind": "maximum"},
            "rules.0.kind",
            "unknown rule kind 'maximum'; known kinds: max, absent",
        ),
        ({"analyte": "leed"}, "rules.0.analyte", "unknown analyte code 'leed'"),
        ({"limit": None}, "rules.0.limit", "required by kind 'max'"),
        ({"unit": "ppb"}, "rules.0.unit", "canonical unit 'ug/g'"),
        ({"analyte": "salmonella", "unit": None}, "rules.0.unit", "required by kind 'max'"),
        ({"analyte": "salmonella"}, "rules.0.unit", "presence test: use kind 'absent'"),
        ({"kind": "absent"}, "rules.0.limit", "not used by kind 'absent'"),
        ({"kind": "exposure", "unit": "ug/g"}, "rules.0.unit", "takes ug/day or mg/day"),
        (
            {"kind": "exposure", "analyte": "total_aerobic_count", "unit": "ug/day"},
            "rules.0.analyte",
            "not a mass fraction",
        ),
        (
            {"kind": "per_serving", "unit": "ug/day"},
            "rules.0.unit",
            "takes mg/serving or ug/serving",
        ),
        (
            {"kind": "ratio", "denominator": "total_alkaloids", "analyte": "7_hydroxymitragynine"},
            "rules.0.unit",
            "percentage",
        ),
        (
            {
                "kind": "ratio",
                "denominator": "lead",
                "analyte": "7_hydroxymitragynine",
                "unit": "%",
            },
            "rules.0.denominator",
            "same unit",
        ),
        ({"kind": "required"}, "rules.0.analytes", "required by kind 'required'"),
        ({"op": "=="}, "rules.0.op", "Must be one of"),
        ({"severity": "ban"}, "rules.0.severity", "Must be one of"),
        ({"verified": "yes"}, "rules.0.verified", "Must be one of"),
        ({"limit": -1}, "rules.0.limit", "greater than or equal to 0"),
        ({"limit": float("nan")}, "rules.0.limit", "Special numeric values"),
        ({"source": {"url": "https://x.org"}}, "rules.0.source.citation", "Missing data"),
        (
            {"source": {"citation": "x", "url": "not a url"}},
            "rules.0.source.url",
            "Not a valid URL",
        ),
        ({"id": "Bad Id"}, "rules.0.id", "String does not match"),
        ({"colour": "red"}, "rules.0.colour", "Unknown field"),
    ],
)
def test_rule_errors(change: dict[str, Any], path: str, text: str) -> None:
    data = minimal()
    data["rules"][0].update(change)
    data["rules"][0] = {k: v for k, v in data["rules"][0].items() if v is not None}
    error = error_of(data)
    assert f"{path}: " in str(error) and text in str(error), str(error)
    node: Any = error.errors
    for key in path.split("."):
        node = node[int(key) if key.isdigit() else key]
    assert any(text in message for message in node)


@pytest.mark.parametrize(
    ("change", "path", "text"),
    [
        ({"version": "1.0"}, "version", "Not a valid integer"),
        ({"version": 0}, "version", "greater than or equal to 1"),
        ({"code": "Utah R70"}, "code", "String does not match"),
        ({"effective": "someday"}, "effective", "Not a valid date"),
        ({"rules": []}, "rules", "Shorter than minimum length 1"),
        ({"defaults": {"serving_g": 0}}, "defaults.serving_g", "greater than 0"),
        ({"extra": 1}, "extra", "Unknown field"),
    ],
)
def test_profile_errors(change: dict[str, Any], path: str, text: str) -> None:
    data = minimal()
    data.update(change)
    error = error_of(data)
    assert f"{path}: " in str(error) and text in str(error), str(error)


def test_missing_top_level_fields_are_listed_together() -> None:
    message = str(error_of({"code": "x", "rules": minimal()["rules"]}))
    for name in ("name", "jurisdiction", "version", "effective", "note"):
        assert f"{name}: Missing data" in message


def test_duplicate_rule_ids() -> None:
    data = minimal()
    data["rules"].append(copy.deepcopy(data["rules"][0]))
    assert "rules: duplicate rule ids: lead" in str(error_of(data))


def test_not_a_mapping() -> None:
    assert "expected a mapping, got list" in str(error_of([1, 2]))


def test_error_names_the_profile() -> None:
    data = minimal(analyte="leed")
    assert str(error_of(data)).startswith("profile 'custom' is invalid:")


def test_units_are_stored_canonically() -> None:
    assert profile_from_dict(minimal(unit="mg/kg")).rules[0].unit == "ug/g"
    assert profile_from_dict(minimal(unit="µg/g")).rules[0].unit == "ug/g"
    exposure = profile_from_dict(minimal(kind="exposure", unit="µg/day")).rules[0]
    assert exposure.unit == "ug/day"


def test_round_trip_of_every_shipped_profile() -> None:
    for profile in load_shipped_profiles():
        data = profile_to_dict(profile)
        assert json.loads(json.dumps(data)) == data
        assert profile_from_dict(data) == profile


def test_shipped_files_are_named_after_their_codes() -> None:
    paths = shipped_profile_paths()
    assert [p.stem for p in paths] == sorted(p.code for p in load_shipped_profiles())


def test_digest_is_stable_and_ignores_formatting(tmp_path: Path) -> None:
    for source in shipped_profile_paths():
        profile = load_profile_file(source)
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        shuffled = tmp_path / source.name
        shuffled.write_text(
            yaml.safe_dump(dict(reversed(list(data.items()))), sort_keys=False, width=200),
            encoding="utf-8",
        )
        assert profile_digest(load_profile_file(shuffled)) == profile_digest(profile)
        assert len(profile_digest(profile)) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"limit": 1.1},
        {"op": "<"},
        {"source": {"citation": "elsewhere"}},
        {"note": "new"},
        {"verified": "secondary"},
    ],
)
def test_digest_changes_with_any_figure_or_text(change: dict[str, Any]) -> None:
    assert profile_digest(profile_from_dict(minimal(**change))) != profile_digest(
        profile_from_dict(minimal())
    )


def test_digest_changes_with_the_version() -> None:
    data = minimal()
    data["version"] = 2
    assert profile_digest(profile_from_dict(data)) != profile_digest(profile_from_dict(minimal()))


def test_file_named_differently_from_its_code(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(minimal()), encoding="utf-8")
    with pytest.raises(
        ProfileError, match="other.yaml: code 'custom' does not match the file name"
    ):
        load_profile_file(path)


def test_file_with_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "custom.yaml"
    path.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="custom.yaml: not valid YAML"):
        load_profile_file(path)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "custom.yaml"
    path.write_text(yaml.safe_dump(minimal(kind="maximum")), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"^custom.yaml 'custom' is invalid: rules.0.kind"):
        load_profile_file(path)
