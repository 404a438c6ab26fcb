"""Point 7 of issue 10, through the HTTP API: each result of a batch names the
certificate it was read from and carries its value in the unit the COA printed beside the
canonical one. A ``< LOQ`` row under a table that prints only an LOD column (the Method
Testing Labs panel) has no upper bound: a reading below the LOQ may lie above the LOD, so
no profile passes or fails lead on it; each says it has no value to judge by."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.corpus import REAL
from tests.registry.coa import make_coa

PPB = (
    ("Mitragynine", "1.42", "%", "0.01"),
    ("Lead (Pb)", "310", "ppb", "50"),
    ("Arsenic (As)", "0.12", "ppm", "0.05"),
    ("Total Yeast and Mold", "800", "CFU/g", "10"),
)


def upload(client: Any, headers: dict[str, str], pdf: bytes) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/certificates",
        headers=headers,
        data={
            "file": (io.BytesIO(pdf), "coa.pdf"),
            "vendor": "Provenance Botanicals",
            "batch": "PV-1",
        },
    )
    assert resp.status_code in (200, 201, 202), resp.get_data(as_text=True)
    return client.get(f"/api/v1/certificates/{resp.get_json()['id']}").get_json()


def test_each_result_names_its_certificate_and_the_printed_unit(
    client, uploader, shipped_profiles
) -> None:
    first = upload(client, uploader, make_coa(lot="PV-1", results=PPB, tested="2024-01-19"))
    second = upload(
        client,
        uploader,
        make_coa(
            lot="PV-1",
            tested="2024-03-02",
            salt="retest",
            results=(("Arsenic (As)", "0.09", "ppm", "0.05"),),
        ),
    )
    batch = client.get(f"/api/v1/batches/{first['batch']['id']}").get_json()
    by = {r["analyte"]: r for r in batch["results"]}
    # the retest's arsenic, the first certificate's lead: each result says which certificate
    assert by["arsenic"]["certificate_id"] == second["id"]
    assert by["lead"]["certificate_id"] == first["id"]
    assert (by["lead"]["value"], by["lead"]["unit"]) == (0.31, "ug/g")
    assert (by["lead"]["printed_value"], by["lead"]["printed_unit"]) == (310, "ppb")
    assert (by["arsenic"]["printed_value"], by["arsenic"]["printed_unit"]) == (0.09, "ppm")
    assert (by["mitragynine"]["printed_value"], by["mitragynine"]["printed_unit"]) == (1.42, "%")
    cert_results = {r["analyte"]: r for r in first["results"]}
    assert cert_results["lead"]["certificate_id"] == first["id"]
    assert cert_results["lead"]["printed_unit"] == "ppb"


def test_below_loq_under_an_lod_column_is_judged_by_no_one(
    client, uploader, shipped_profiles
) -> None:
    pdf = (REAL / "hemp-mtl-2023-11-gummies-full-panel.pdf").read_bytes()
    cert = upload(client, uploader, pdf)
    lead = next(r for r in cert["results"] if r["analyte"] == "lead")
    assert lead["qualifier"] == "<"
    assert (lead["value"], lead["loq"]) == (None, None)  # the LOD (20.7 ug/kg) is no bound
    batch = client.get(f"/api/v1/batches/{cert['batch']['id']}").get_json()
    judged = [
        rule
        for v in batch["verdicts"]
        for rule in (*v["passed"], *v.get("failed", []))
        if "lead" in str(rule)
    ]
    assert not judged, judged
    reasons = [
        str(i)
        for v in batch["verdicts"]
        for i in v.get("inconclusive", [])
        if i.get("analyte") == "lead"
    ]
    assert reasons, batch["verdicts"]


BELOW_LOQ = (
    ("Mitragynine", "1.42", "%", "0.01"),
    ("Lead (Pb)", "<0.05", "ppm", "0.05"),
    ("Mercury (Hg)", "ND", "ppm", "0.01"),
    ("Total Yeast and Mold", "800", "CFU/g", "10"),
)


def test_a_below_loq_result_keeps_the_loq_its_row_prints(
    client, uploader, shipped_profiles
) -> None:
    """A ``<`` or ND result whose COA row prints an LOQ keeps that LOQ in the API: in the
    batch, in the certificate and in ``/api/v1/results`` (JSON and CSV), in the canonical
    unit."""
    cert = upload(client, uploader, make_coa(lot="PV-LOQ", results=BELOW_LOQ))
    expected = {"lead": ("<", 0.05), "mercury": ("nd", 0.01)}
    on_cert = {r["analyte"]: r for r in cert["results"]}
    batch = client.get(f"/api/v1/batches/{cert['batch']['id']}").get_json()
    on_batch = {r["analyte"]: r for r in batch["results"]}
    rows = client.get(
        "/api/v1/results", query_string={"vendor": "Provenance Botanicals", "per_page": 100}
    ).get_json()["items"]
    in_rows = {r["analyte"]: r for r in rows}
    for analyte, (qualifier, loq) in expected.items():
        for where, got in (("certificate", on_cert), ("batch", on_batch), ("results", in_rows)):
            assert got[analyte]["qualifier"] == qualifier, (where, got[analyte])
            assert got[analyte]["loq"] == loq, (where, got[analyte])
            assert got[analyte]["unit"] == "ug/g", (where, got[analyte])
    text = client.get(
        "/api/v1/results", query_string={"vendor": "Provenance Botanicals", "format": "csv"}
    ).get_data(as_text=True)
    csv_rows = {r["analyte"]: r for r in csv.DictReader(io.StringIO(text))}
    assert float(csv_rows["lead"]["loq"]) == 0.05
    assert float(csv_rows["mercury"]["loq"]) == 0.01
