"""Search (``GET /api/v1/batches``) through the HTTP API, on every backend.

The catalog is seeded through the catalog services (vendors, aliases, products, labs,
batches, ``touch_batch``) with certificates, results and verdicts inserted directly,
so these tests depend on no parser.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from typing import Any

import pytest

from registry.extensions import db

DEFAULT = "utah-r70-580"
OTHER = "aka-gmp"

# name: (vendor, lot, product, lab, tested, analytes, {profile: status})
BATCHES: dict[
    str, tuple[str, str, str | None, str, date | None, tuple[str, ...], dict[str, str]]
] = {
    "b1": (
        "Golden Leaf Botanicals LLC",
        "RB-2024-0117",
        "Red Bali Kratom Powder",
        "Example Analytical Labs",
        date(2024, 1, 19),
        ("mitragynine", "lead"),
        {DEFAULT: "fail", OTHER: "pass"},
    ),
    "b2": (
        "Golden Leaf Botanicals LLC",
        "RB-2024-0118",
        "Red Bali Kratom Powder",
        "Summit Testing",
        date(2024, 2, 1),
        ("mitragynine", "salmonella"),
        {DEFAULT: "pass"},
    ),
    "b3": (
        "Golden Leaf Botanicals LLC",
        "GMD-2023-0001",
        "Green Maeng Da Capsules",
        "Example Analytical Labs",
        date(2023, 6, 1),
        ("lead",),
        {DEFAULT: "incomplete"},
    ),
    "b4": (
        "Red River Kratom Inc.",
        "WB 2024/55",
        "White Borneo Powder",
        "Summit Testing",
        None,
        ("lead",),
        {},
    ),
    "b5": (
        "Red River Kratom Inc.",
        "rb 2024-0117",
        None,
        "Example Analytical Labs",
        date(2024, 3, 3),
        ("arsenic",),
        {DEFAULT: "fail"},
    ),
}
NEWEST_FIRST = ["b5", "b2", "b1", "b3", "b4"]  # tested DESC, undated last


def seed(app: Any) -> dict[str, int]:
    """Insert BATCHES; answers their ids by name."""
    from registry.models import (
        Certificate,
        CertificateStatus,
        ProfileVersion,
        Result,
        VerdictRecord,
    )
    from registry.services import catalog, search_summary

    ids: dict[str, int] = {}
    with app.app_context():
        s = db.session
        for code in (DEFAULT, OTHER):  # the profiles the verdicts name (search checks they exist)
            s.add(ProfileVersion(code=code, version=1, name=code, digest=code, definition={}))
        golden = catalog.get_or_create_vendor(s, "Golden Leaf Botanicals LLC")
        catalog.add_alias(s, golden, "GLB Kratom")
        for n, (
            vendor_name,
            lot,
            product_name,
            lab_name,
            tested,
            analytes,
            verdicts,
        ) in BATCHES.items():
            vendor = catalog.get_or_create_vendor(s, vendor_name)
            product = (
                catalog.get_or_create_product(s, vendor, product_name) if product_name else None
            )
            lab = catalog.get_or_create_lab(s, lab_name, None)
            batch = catalog.get_or_create_batch(s, vendor, lot, product)
            cert = Certificate(
                sha256=hashlib.sha256(n.encode()).hexdigest(),
                size_bytes=1000,
                batch=batch,
                lab=lab,
                tested=tested,
                status=CertificateStatus.PARSED,
            )
            s.add(cert)
            catalog.touch_batch(batch, tested, lab.name)
            s.flush()
            for analyte in analytes:
                s.add(
                    Result(
                        certificate=cert,
                        batch_id=batch.id,
                        analyte=analyte,
                        category="heavy_metal",
                        value=0.1,
                        unit="ug/g",
                        qualifier="=",
                    )
                )
            for profile, status in verdicts.items():
                s.add(
                    VerdictRecord(
                        batch_id=batch.id,
                        profile_code=profile,
                        profile_version=1,
                        status=status,
                        detail={"failures": [], "missing": []},
                    )
                )
            ids[n] = batch.id
        # Rows inserted directly: the search summary as judge_batches would keep it.
        search_summary.refresh(s, list(ids.values()))
        s.commit()
    return ids


@pytest.fixture
def ids(app: Any) -> dict[str, int]:
    return seed(app)


def search(client: Any, **params: Any) -> dict[str, Any]:
    resp = client.get("/api/v1/batches", query_string=params)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def names(body: dict[str, Any], ids: dict[str, int]) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[item["id"]] for item in body["items"]]


def found(client: Any, ids: dict[str, int], **params: Any) -> set[str]:
    body = search(client, per_page=100, **params)
    assert body["total"] == len(body["items"])
    return set(names(body, ids))


def test_items_have_the_contract_fields_newest_first(client, ids) -> None:
    body = search(client)
    assert body["total"] == 5 and body["page"] == 1 and body["per_page"] == 20
    assert names(body, ids) == NEWEST_FIRST
    first = body["items"][0]
    assert first == {
        "id": ids["b5"],
        "vendor": "Red River Kratom Inc.",
        "vendor_slug": "red-river-kratom",
        "product": None,
        "lot": "rb 2024-0117",
        "status": "fail",
        "profile": DEFAULT,
        "tested": "2024-03-03",
        "worst_status": "fail",
        "failing_profiles": [DEFAULT],
        "url": f"/api/v1/batches/{ids['b5']}",
    }
    undated = body["items"][-1]
    assert undated["tested"] is None and undated["status"] is None  # not judged
    assert undated["worst_status"] is None and undated["failing_profiles"] == []


@pytest.mark.parametrize(
    "spelling",
    [
        "GOLDEN LEAF BOTANICALS, INC.",
        "golden leaf botanicals",
        "Golden  Leaf Botanicals, L.L.C.",
        "glb kratom",
        "GLB KRATOM LLC",
        "golden-leaf-botanicals",
    ],
)
def test_vendor_by_any_spelling_alias_or_slug(client, ids, spelling: str) -> None:
    assert found(client, ids, vendor=spelling) == {"b1", "b2", "b3"}


def test_unknown_vendor_finds_nothing(client, ids) -> None:
    assert search(client, vendor="Nobody Botanicals") == {
        "items": [],
        "total": 0,
        "page": 1,
        "per_page": 20,
        "total_exact": True,
        "next_cursor": None,
    }


@pytest.mark.parametrize(
    ("lot", "expected"),
    [
        ("RB-2024-0117", {"b1", "b5"}),  # exact, across vendors
        ("rb 2024\u20130117", {"b1", "b5"}),  # en dash, spaces, lower case
        ("RB20240117", {"b1", "b5"}),
        ("rb-2024-01", {"b1", "b2", "b5"}),  # a prefix
        ("wb 2024/", {"b4"}),
        ("2024-0117", set()),  # a prefix, not a substring
        ("%", set()),
        ("_", set()),  # LIKE wildcards are literal
    ],
)
def test_lot_exact_and_prefix_after_folding(client, ids, lot: str, expected: set[str]) -> None:
    assert found(client, ids, lot=lot) == expected


def test_lot_and_vendor_together(client, ids) -> None:
    assert found(client, ids, lot="RB-2024-0117", vendor="red river kratom") == {"b5"}


@pytest.mark.parametrize(
    ("product", "expected"),
    [("red bali", {"b1", "b2"}), ("BORNEO", {"b4"}), ("Maeng-Da", {"b3"}), ("nothing", set())],
)
def test_product_by_folded_words(client, ids, product: str, expected: set[str]) -> None:
    assert found(client, ids, product=product) == expected


@pytest.mark.parametrize(
    ("lab", "expected"),
    [("summit", {"b2", "b4"}), ("Example Analytical", {"b1", "b3", "b5"}), ("nowhere", set())],
)
def test_lab(client, ids, lab: str, expected: set[str]) -> None:
    assert found(client, ids, lab=lab) == expected


@pytest.mark.parametrize(
    ("analyte", "expected"),
    [("lead", {"b1", "b3", "b4"}), ("salmonella", {"b2"}), ("mercury", set())],
)
def test_analyte(client, ids, analyte: str, expected: set[str]) -> None:
    assert found(client, ids, analyte=analyte) == expected


def test_status_under_the_default_or_asked_profile(client, ids) -> None:
    assert found(client, ids, status="fail") == {"b1", "b5"}
    assert found(client, ids, status="pass") == {"b2"}
    assert found(client, ids, status="incomplete") == {"b3"}
    assert found(client, ids, status="fail", profile=OTHER) == set()
    body = search(client, status="pass", profile=OTHER)
    assert names(body, ids) == ["b1"]
    assert body["items"][0]["status"] == "pass" and body["items"][0]["profile"] == OTHER
    # Without a status filter the item's status is the asked profile's (None: not judged).
    statuses = {
        n: i["status"]
        for n, i in zip(
            names(search(client, profile=OTHER), ids),
            search(client, profile=OTHER)["items"],
            strict=True,
        )
    }
    assert statuses == {"b1": "pass", "b2": None, "b3": None, "b4": None, "b5": None}


def test_status_with_analyte_and_other_filters(client, ids) -> None:
    assert found(client, ids, status="fail", analyte="lead") == {"b1"}
    assert found(client, ids, status="fail", vendor="Red River Kratom") == {"b5"}
    assert found(client, ids, status="fail", q="golden", analyte="lead", lab="example") == {"b1"}
    assert found(client, ids, status="pass", lot="rb-2024") == {"b2"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bali", {"b1", "b2"}),  # product
        ("SUMMIT", {"b2", "b4"}),  # lab
        ("golden bali", {"b1", "b2"}),  # every word
        ("golden  zzz", set()),
        ("rb-2024-0117", {"b1"}),  # the lot as printed (b5 prints "rb 2024-0117")
        ("river", {"b4", "b5"}),  # vendor
        ("%", set()),
        ("_", set()),
    ],
)
def test_q_matches_every_word(client, ids, q: str, expected: set[str]) -> None:
    assert found(client, ids, q=q) == expected


def test_tested_after_and_before_are_inclusive(client, ids) -> None:
    assert found(client, ids, tested_after="2024-01-19") == {"b1", "b2", "b5"}
    assert found(client, ids, tested_before="2023-12-31") == {"b3"}
    assert found(client, ids, tested_after="2024-01-01", tested_before="2024-02-01") == {"b1", "b2"}
    assert found(client, ids, tested_after="2030-01-01") == set()


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 5, 6])
def test_pages_cover_every_match_once_in_order(client, ids, per_page: int) -> None:
    seen: list[str] = []
    for page in range(1, 8):
        body = search(client, page=page, per_page=per_page)
        assert body["total"] == 5 and body["page"] == page and body["per_page"] == per_page
        assert len(body["items"]) == max(0, min(per_page, 5 - (page - 1) * per_page))
        seen += names(body, ids)
    assert seen == NEWEST_FIRST


def test_pages_of_a_filtered_search(client, ids) -> None:
    bodies = [search(client, q="summit", per_page=1, page=p) for p in (1, 2, 3)]
    assert [b["total"] for b in bodies] == [2, 2, 2]
    assert [names(b, ids) for b in bodies] == [["b2"], ["b4"], []]


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": 101},
        {"page": 0},
        {"status": "bad"},
        {"tested_after": "yesterday"},
        {"colour": "red"},
    ],
)
def test_bad_arguments_are_problems(client, ids, params: dict[str, Any]) -> None:
    resp = client.get("/api/v1/batches", query_string=params)
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"


def test_csv_export_streams_every_match_with_a_header(client, ids) -> None:
    resp = client.get("/api/v1/batches", query_string={"format": "csv"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.is_streamed
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == [
        "id",
        "vendor",
        "vendor_slug",
        "product",
        "lot",
        "status",
        "profile",
        "tested",
        "worst_status",
        "failing_profiles",
        "url",
    ]
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(ids.values())
    by_id = {int(r[0]): r for r in rows[1:]}
    assert by_id[ids["b1"]][1:] == [
        "Golden Leaf Botanicals LLC",
        "golden-leaf-botanicals",
        "Red Bali Kratom Powder",
        "RB-2024-0117",
        "fail",
        DEFAULT,
        "2024-01-19",
        "fail",
        DEFAULT,
        f"/api/v1/batches/{ids['b1']}",
    ]
    filtered = client.get("/api/v1/batches", query_string={"format": "csv", "lab": "summit"})
    assert len(list(csv.reader(io.StringIO(filtered.get_data(as_text=True))))) == 1 + 2


def test_jsonl_export_streams_every_match(client, ids) -> None:
    resp = client.get("/api/v1/batches", query_string={"format": "jsonl", "status": "fail"})
    assert resp.status_code == 200 and resp.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in resp.get_data(as_text=True).splitlines()]
    assert {item["id"] for item in lines} == {ids["b1"], ids["b5"]}
    assert all(item["status"] == "fail" and item["url"].endswith(str(item["id"])) for item in lines)


def test_export_walks_past_its_chunk_size(app, ids) -> None:
    from registry.services import search as service

    with app.app_context():
        items = list(
            service.iter_batches(db.session, service.BatchFilters(), profile=DEFAULT, chunk=2)
        )
        assert [i["id"] for i in items] == [ids[n] for n in NEWEST_FIRST]  # the JSON's order
        lead = list(
            service.iter_batches(
                db.session, service.BatchFilters(analyte="lead"), profile=DEFAULT, chunk=1
            )
        )
        assert {i["id"] for i in lead} == {ids["b1"], ids["b3"], ids["b4"]}
        assert (
            list(
                service.iter_batches(
                    db.session, service.BatchFilters(vendor="nobody"), profile=DEFAULT
                )
            )
            == []
        )


def test_public_search_is_open_to_any_origin(client, ids) -> None:
    resp = client.get(
        "/api/v1/batches", query_string={"q": "bali"}, headers={"Origin": "https://example.org"}
    )
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    export = client.get(
        "/api/v1/batches", query_string={"format": "csv"}, headers={"Origin": "https://example.org"}
    )
    assert export.headers["Access-Control-Allow-Origin"] == "*"
