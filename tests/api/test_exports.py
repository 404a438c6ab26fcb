"""Point 8 of issue 10 through the HTTP API: ``GET /api/v1/results`` gives one row per
result (batch, vendor, lot, lab, test date, analyte, value, unit, qualifier, limit and
verdict under the chosen profile) as JSON, CSV or JSON Lines; batch exports come in the
JSON's order; bad filters are refused before the first byte."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.registry.coa import make_coa

LEAD_HIGH = (
    ("Mitragynine", "1.42", "%", "0.01"),
    ("Lead (Pb)", "2100", "ppb", "50"),
    ("Salmonella spp.", "Absent in 25 g", "", ""),
)


@pytest.fixture
def uploaded(client, uploader, shipped_profiles, app) -> dict[str, int]:
    from tests.conftest import confirm_utah

    confirm_utah(app)
    ids = {}
    for lot, tested, results in (
        ("EX-1", "2024-01-19", LEAD_HIGH),
        ("EX-2", "2024-03-02", None),
        ("EX-3", "2023-05-05", None),
    ):
        kwargs = {"results": results} if results else {}
        resp = client.post(
            "/api/v1/certificates",
            headers=uploader,
            data={
                "file": (
                    io.BytesIO(
                        make_coa(
                            lot=lot, tested=tested, salt=lot, vendor="Export Botanicals", **kwargs
                        )
                    ),
                    "coa.pdf",
                )
            },
        )
        assert resp.status_code == 201, resp.get_data(as_text=True)
        ids[lot] = resp.get_json()["batch"]["id"]
    return ids


def rows_of(client: Any, fmt: str, **params: Any) -> list[dict[str, Any]]:
    resp = client.get("/api/v1/results", query_string={**params, "format": fmt})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    text = resp.get_data(as_text=True)
    if fmt == "csv":
        assert resp.mimetype == "text/csv"
        return list(csv.DictReader(io.StringIO(text)))
    assert resp.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in text.splitlines()]


def test_one_row_per_result_with_its_limit_and_verdict(client, uploaded) -> None:
    body = client.get(
        "/api/v1/results", query_string={"vendor": "export", "per_page": 100}
    ).get_json()
    rows = body["items"]
    assert body["total"] == 3
    lead = next(r for r in rows if r["batch_id"] == uploaded["EX-1"] and r["analyte"] == "lead")
    assert {
        k: lead[k]
        for k in (
            "vendor",
            "lot",
            "lab",
            "tested",
            "value",
            "unit",
            "qualifier",
            "printed_value",
            "printed_unit",
            "limit",
            "limit_unit",
            "verdict",
            "profile",
        )
    } == {
        "vendor": "Export Botanicals",
        "lot": "EX-1",
        "lab": "Example Analytical Labs",
        "tested": "2024-01-19",
        "value": 2.1,
        "unit": "ug/g",
        "qualifier": "=",
        "printed_value": 2100,
        "printed_unit": "ppb",
        "limit": 1.2,
        "limit_unit": "ug/g",
        "verdict": "fail",
        "profile": "utah-r70-580",
    }
    mitragynine = next(
        r for r in rows if r["batch_id"] == uploaded["EX-1"] and r["analyte"] == "mitragynine"
    )
    assert mitragynine["verdict"] is None or mitragynine["limit"] is not None
    other = next(r for r in rows if r["batch_id"] == uploaded["EX-2"] and r["analyte"] == "lead")
    assert (other["value"], other["verdict"]) == (0.31, "pass")
    # the batch search's order: newest test first
    assert list(dict.fromkeys(r["batch_id"] for r in rows)) == [
        uploaded[k] for k in ("EX-2", "EX-1", "EX-3")
    ]

    for fmt in ("csv", "jsonl"):
        exported = rows_of(client, fmt, vendor="export")
        assert len(exported) == len(rows)
        assert [(int(r["batch_id"]), r["analyte"]) for r in exported] == [
            (r["batch_id"], r["analyte"]) for r in rows
        ]
    [csv_lead] = [
        r
        for r in rows_of(client, "csv", vendor="export", analyte="Pb")
        if r["lot"] == "EX-1" and r["analyte"] == "lead"
    ]
    assert (csv_lead["value"], csv_lead["limit"], csv_lead["verdict"], csv_lead["tested"]) == (
        "2.1",
        "1.2",
        "fail",
        "2024-01-19",
    )


def test_rows_under_another_profile(client, uploaded) -> None:
    rows = rows_of(client, "jsonl", vendor="export", profile="usp-dietary-supplement")
    assert {r["profile"] for r in rows} == {"usp-dietary-supplement"}
    lead = next(r for r in rows if r["lot"] == "EX-1" and r["analyte"] == "lead")
    assert lead["limit_unit"] != "ug/g" or lead["limit"] != 1.2  # USP's own rule, not Utah's


def test_batch_exports_come_in_the_json_order(client, uploader, uploaded) -> None:
    resp = client.post(
        "/api/v1/certificates",
        headers=uploader,
        data={
            "file": (
                io.BytesIO(
                    make_coa(lot="EX-0", tested="", salt="undated", vendor="Export Botanicals")
                ),
                "coa.pdf",
            )
        },
    )
    undated = resp.get_json()["batch"]["id"]
    assert resp.get_json()["tested"] is None and undated > max(uploaded.values())
    page = client.get(
        "/api/v1/batches", query_string={"vendor": "export", "per_page": 100}
    ).get_json()
    order = [i["id"] for i in page["items"]]
    # newest test first, undated last (an export by id alone would put the undated one first)
    assert order == [uploaded[k] for k in ("EX-2", "EX-1", "EX-3")] + [undated]
    for fmt in ("csv", "jsonl"):
        resp = client.get("/api/v1/batches", query_string={"vendor": "export", "format": fmt})
        text = resp.get_data(as_text=True)
        got = (
            [int(r["id"]) for r in csv.DictReader(io.StringIO(text))]
            if fmt == "csv"
            else [json.loads(line)["id"] for line in text.splitlines()]
        )
        assert got == order


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
@pytest.mark.parametrize(("param", "value"), [("analyte", "unobtainium"), ("profile", "nowhere")])
def test_bad_filters_are_refused_before_the_first_byte(
    client, shipped_profiles, fmt, param, value
) -> None:
    resp = client.get("/api/v1/results", query_string={param: value, "format": fmt})
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    assert set(resp.get_json()["errors"]) == {param}


def test_result_exports_without_the_default_profile_answer_before_the_first_byte(
    client,
) -> None:
    """No profile in force (a database never loaded): the result export answers one
    problem, as the JSON page does, instead of a 200 that breaks off mid-stream."""
    for fmt in ("json", "csv", "jsonl"):
        resp = client.get("/api/v1/results", query_string={"format": fmt})
        assert resp.status_code == 404 and resp.mimetype == "application/problem+json", fmt
        assert "utah-r70-580" in resp.get_json()["detail"]
