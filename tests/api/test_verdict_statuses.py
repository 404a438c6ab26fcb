"""Point 9 of issue 10 through the HTTP API: a batch none of whose profile's rules could
judge anything is ``incomplete`` (never ``pass``), and a Prop 65 warning is its own,
searchable status ``warning``."""

from __future__ import annotations

import io
from typing import Any

from tests.registry.coa import DEFAULT_RESULTS, make_coa

LEAD_ONLY = {
    "code": "lead-only",
    "name": "Lead only",
    "jurisdiction": "test",
    "version": 1,
    "effective": None,
    "note": "a custom profile that reads lead and nothing else",
    "rules": [
        {
            "id": "pb",
            "kind": "max",
            "analyte": "lead",
            "limit": 1.0,
            "unit": "ug/g",
            "verified": "primary",
            "source": {"citation": "test limit"},
        }
    ],
}


def post(client: Any, headers: dict[str, str], pdf: bytes, **form: Any) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/certificates", headers=headers, data={"file": (io.BytesIO(pdf), "coa.pdf"), **form}
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()


def verdict(body: dict[str, Any], profile: str) -> dict[str, Any]:
    return next(v for v in body["verdicts"] if v["profile"] == profile)


def test_a_profile_that_judges_nothing_gives_incomplete(
    client, admin, uploader, shipped_profiles
) -> None:
    resp = client.put("/api/v1/profiles/lead-only", headers=admin, json=LEAD_ONLY)
    assert resp.status_code == 201, resp.get_json()
    potency = post(
        client, uploader, make_coa(lot="P-1", results=(("Mitragynine", "1.42", "%", "0.01"),))
    )
    got = verdict(potency, "lead-only")
    assert (got["status"], got["reason"]) == (
        "incomplete",
        "nothing this profile judges was tested",
    )
    assert got["not_tested"] == ["lead"]
    found = client.get(
        "/api/v1/batches", query_string={"profile": "lead-only", "status": "pass"}
    ).get_json()
    assert found["total"] == 0
    found = client.get(
        "/api/v1/batches", query_string={"profile": "lead-only", "status": "incomplete"}
    ).get_json()
    assert [i["id"] for i in found["items"]] == [potency["batch"]["id"]]

    tested = post(client, uploader, make_coa(lot="P-2", salt="lead"))
    got = verdict(tested, "lead-only")
    assert (got["status"], got["reason"]) == ("pass", None)


def test_a_prop65_warning_is_its_own_searchable_status(client, uploader, shipped_profiles) -> None:
    results = tuple(
        (a, "0.3" if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS
    )
    warned = post(
        client, uploader, make_coa(lot="W-1", results=results), serving_g="5", servings_per_day="2"
    )
    got = verdict(warned, "prop65-lead")
    assert got["status"] == "warning" and got["failures"] == []
    assert [w["rule_id"] for w in got["warnings"]] == ["lead-madl"]
    clean = post(
        client,
        uploader,
        make_coa(
            lot="W-2",
            salt="clean",
            results=tuple(
                (a, "0.01" if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS
            ),
        ),
        serving_g="5",
        servings_per_day="2",
    )
    assert verdict(clean, "prop65-lead")["status"] == "pass"

    found = client.get(
        "/api/v1/batches", query_string={"profile": "prop65-lead", "status": "warning"}
    )
    assert found.status_code == 200
    assert [i["id"] for i in found.get_json()["items"]] == [warned["batch"]["id"]]
    worst = client.get(
        "/api/v1/batches", query_string={"profile": "any", "status": "warning"}
    ).get_json()
    assert warned["batch"]["id"] in [i["id"] for i in worst["items"]]
    page = client.get(f"/batches/{warned['batch']['id']}")
    assert page.status_code == 200 and 'class="badge warning"' in page.get_data(as_text=True)


def test_every_status_the_api_gives_is_a_verdict_status(
    client, admin, uploader, shipped_profiles
) -> None:
    """Every verdict status the API emits (a batch's verdicts and history, search items'
    ``status`` and ``worst_status``, a certificate's verdicts) is a ``VerdictStatus``
    member, and the search's ``status`` parameter offers exactly the members."""
    from registry.thresholds.model import VerdictStatus

    members = {s.value for s in VerdictStatus}
    assert (
        client.put("/api/v1/profiles/lead-only", headers=admin, json=LEAD_ONLY).status_code == 201
    )
    heavy = tuple((a, "1.9" if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS)
    certs = [
        post(client, uploader, make_coa(lot="S-1")),
        post(client, uploader, make_coa(lot="S-2", results=heavy)),
        post(client, uploader, make_coa(lot="S-3", results=(("Mitragynine", "1.4", "%", "0.01"),))),
    ]
    seen: set[str] = set()
    for cert in certs:
        seen |= {v["status"] for v in cert["verdicts"]}
        batch = client.get(f"/api/v1/batches/{cert['batch']['id']}").get_json()
        for v in batch["verdicts"]:
            seen.add(v["status"])
            seen |= {
                h[k] for h in v.get("history", []) for k in ("old_status", "new_status") if h.get(k)
            }
    for profile in ("any", "lead-only", "prop65-lead"):
        items = client.get("/api/v1/batches", query_string={"profile": profile}).get_json()["items"]
        seen |= {i["status"] for i in items if i["status"]} | {i["worst_status"] for i in items}
    assert seen <= members, seen - members
    assert {"fail", "incomplete"} <= seen  # the batches above give more than one status

    doc = client.get("/api/v1/openapi.json").get_json()
    param = next(
        p for p in doc["paths"]["/api/v1/batches"]["get"]["parameters"] if p["name"] == "status"
    )
    assert set(param["schema"]["enum"]) == members
