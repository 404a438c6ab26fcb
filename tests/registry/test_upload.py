"""Uploading COAs through the HTTP API, end to end: stored, parsed, found."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from werkzeug.serving import make_server

from registry.extensions import db
from registry.models import AuditEvent, Batch, Certificate, Result, Vendor
from tests.conftest import real_corpus
from tests.registry.coa import make_coa


def upload(client, headers, data: bytes, name: str = "coa.pdf", **form: str):
    return client.post(
        "/api/v1/certificates", headers=headers, data={"file": (io.BytesIO(data), name), **form}
    )


def test_upload_parse_and_read_back(app, client, uploader) -> None:
    pdf = make_coa()
    resp = upload(client, uploader, pdf)
    assert resp.status_code == 201, resp.get_json()
    cert = resp.get_json()
    assert cert["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert cert["status"] == "parsed", cert["status_reason"]
    assert cert["batch"]["lot"] == "RB-2024-0117"
    assert cert["batch"]["vendor"] == "Acme Botanicals LLC"
    doc = cert["document"]
    lead = next(r for r in doc["results"] if r["analyte"] == "lead")
    assert lead["value"] == pytest.approx(0.31) and lead["unit"] == "ug/g" and lead["page"] == 1
    assert "0.31" in lead["raw"]

    again = client.get(f"/api/v1/certificates/{cert['id']}")
    assert again.status_code == 200 and again.get_json()["document"] == doc
    original = client.get(cert["pdf_url"])
    assert original.status_code == 200 and original.mimetype == "application/pdf"
    assert original.data == pdf

    found = client.get("/api/v1/batches?lot=rb 2024 0117").get_json()
    assert found["total"] == 1 and found["items"][0]["vendor"] == "Acme Botanicals LLC"
    batch = client.get(found["items"][0]["url"]).get_json()
    assert [c["id"] for c in batch["certificates"]] == [cert["id"]]
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="certificate.upload").count() == 1


def test_same_bytes_twice_give_the_same_certificate(client, uploader) -> None:
    pdf = make_coa()
    first = upload(client, uploader, pdf)
    second = upload(client, uploader, pdf, name="renamed.pdf")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]


def test_form_fields_override_the_pdf(client, uploader) -> None:
    resp = upload(
        client, uploader, make_coa(), vendor="Other Vendor", product="Maeng Da", batch="MD-9"
    )
    body = resp.get_json()
    assert body["batch"]["vendor"] == "Other Vendor" and body["batch"]["lot"] == "MD-9"
    assert body["batch"]["product"] == "Maeng Da"


def test_vendor_spellings_meet(app, client, uploader) -> None:
    upload(client, uploader, make_coa(vendor="Acme Botanicals LLC", lot="A-1"))
    upload(client, uploader, make_coa(vendor="ACME BOTANICALS", lot="A-2"))
    with app.app_context():
        assert db.session.query(Vendor).count() == 1
        assert db.session.query(Batch).count() == 2
    vendors = client.get("/api/v1/vendors").get_json()["items"]
    assert len(vendors) == 1 and vendors[0]["batches"] == 2
    assert client.get("/api/v1/batches?vendor=acme botanicals, llc").get_json()["total"] == 2


def test_unreadable_pdf_is_kept_with_a_reason(app, client, uploader) -> None:
    pdf = make_coa()[:400]  # truncated: starts like a PDF, ends nowhere
    resp = upload(client, uploader, pdf)
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["status"] == "unreadable" and body["status_reason"]
    assert body["batch"] is None and body["results"] == []
    assert client.get(body["pdf_url"]).data == pdf


def test_twenty_concurrent_uploads_make_one_certificate(app, uploader) -> None:
    pdf = make_coa(salt="concurrent")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/certificates"

    def post(_: int) -> tuple[int, Any]:
        r = httpx.post(
            url, headers=uploader, files={"file": ("coa.pdf", pdf, "application/pdf")}, timeout=120
        )
        return r.status_code, r.json()

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(post, range(20)))
    finally:
        server.shutdown()
        thread.join()
    codes = sorted(code for code, _ in answers)
    assert codes == [200] * 19 + [201], [a for a in answers if a[0] >= 300]
    assert len({body["id"] for _, body in answers}) == 1
    with app.app_context():
        assert db.session.query(Certificate).count() == 1
        assert db.session.query(Batch).count() == 1
        assert db.session.query(Result).count() == len(answers[0][1]["results"])


#: What the child process read from each real-corpus file (by SHA-256 and limits), kept for this
#: pytest process: the corpus is read once, not once a database.
_READ: dict[str, Any] = {}


def test_real_corpus_end_to_end(app, client, uploader, shipped_profiles, monkeypatch) -> None:
    """Every real-corpus file uploaded, read, recorded and judged on this database.

    The first run (of either database) reads each file in the resource-limited child
    process as any upload is read; the run on the other database records the same
    readings, which do not depend on the database (``parsers`` knows nothing of it), so
    the real corpus is not read a second time (the child process and its limits are
    tested in ``tests/parsers_safety``; every other upload test reads its PDF anew).
    """
    import parsers

    isolated = parsers.parse_isolated

    def read_once(data: bytes, limits: Any) -> Any:
        key = f"{hashlib.sha256(data).hexdigest()} {limits!r}"
        if key not in _READ:
            _READ[key] = isolated(data, limits)
        return _READ[key]

    monkeypatch.setattr(parsers, "parse_isolated", read_once)
    corpus = real_corpus()
    truth = json.loads((corpus / "truth.canonical.json").read_text())
    batched: dict[int, str] = {}
    for record in truth:
        pdf = (corpus / record["file"]).read_bytes()
        resp = upload(client, uploader, pdf, name=record["file"])
        assert resp.status_code == 201, (record["file"], resp.get_json())
        body = resp.get_json()
        assert body["status"] in ("parsed", "needs_review"), (record["file"], body["status_reason"])
        if record["results"]:  # some reports print no panel of ours (truth lists none)
            assert body["document"]["results"], record["file"]
        assert body["document"]["layout"] and body["pdf_url"].endswith(f"/{body['id']}/pdf")
        if body["batch"] is None:  # no vendor or lot read: kept, and marked for review
            assert body["status"] == "needs_review" and "lot" in body["status_reason"]
        else:
            batched[body["batch"]["id"]] = body["batch"]["lot"]
            # judged under every shipped profile, each verdict explained
            assert {v["profile"] for v in body["verdicts"]} == set(shipped_profiles)
            for v in body["verdicts"]:
                assert v["status"] in ("pass", "fail", "incomplete")
                assert v["status"] != "fail" or v["failures"]
                assert v["status"] != "incomplete" or v["missing"] or v["inconclusive"]
    assert batched, "no certificate of the real corpus found its batch"
    listing = client.get("/api/v1/batches?per_page=100").get_json()
    assert {item["id"] for item in listing["items"]} == set(batched)
    for batch_id, lot in batched.items():
        found = client.get("/api/v1/batches", query_string={"lot": lot}).get_json()
        assert batch_id in [item["id"] for item in found["items"]], lot
        detail = client.get(f"/api/v1/batches/{batch_id}").get_json()
        assert detail["certificates"] and detail["lot"] == lot
