"""The review desk's first parts: signing in with a token (a session after), the queue
of unsure and unreadable certificates, and ``GET /api/v1/certificates`` with filters."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from flask import Flask

from tests.conftest import make_token
from tests.web.conftest import Catalogue
from tests.web.test_pages import HTML, _csrf

BROKEN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"\x00" * 64


def _unreadable(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    resp = client.post("/api/v1/certificates", headers=headers,
                       data={"file": (io.BytesIO(BROKEN_PDF), "scan-of-a-coa.pdf")})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["status"] == "unreadable", body
    return body


def _sign_in(client: Any, token: str) -> Any:
    csrf = _csrf(client, "/review/login")
    return client.post("/review/login", data={"token": token, "csrf_token": csrf}, headers=HTML)


def test_the_queue_needs_a_reviewer_and_lists_what_waits(app: Flask, catalogue: Catalogue) -> None:
    client = app.test_client()
    uploader = make_token(app, "uploader", name="desk-uploader")
    broken = _unreadable(client, {"Authorization": f"Bearer {uploader}"})
    assert client.get("/review/", headers=HTML).headers["Location"].startswith("/review/login")
    refused = _sign_in(client, "not-a-token")
    assert refused.status_code == 401 and "unknown, revoked" in refused.get_data(as_text=True)
    signed = _sign_in(client, uploader)
    assert signed.status_code == 302 and signed.headers["Location"] == "/review/"
    page = client.get("/review/", headers=HTML).get_data(as_text=True)
    assert f"#{broken['id']} scan-of-a-coa.pdf" in page and "Unreadable" in page
    assert "RB-2024-0117" not in page  # parsed certificates are not in the queue
    # A revoked token ends its sessions at their next request.
    from registry import unit_of_work
    from registry.extensions import db
    from registry.services import tokens

    with app.app_context():
        unit_of_work.commit(db.session, lambda: tokens.revoke(db.session, "desk-uploader"))
    assert client.get("/review/", headers=HTML).status_code == 302


def test_signing_out_takes_a_form_with_its_token(app: Flask, catalogue: Catalogue) -> None:
    client = app.test_client()
    _sign_in(client, make_token(app, "admin"))
    assert client.get("/review/", headers=HTML).status_code == 200
    assert client.post("/review/logout", headers=HTML).status_code == 400  # no CSRF token
    assert client.get("/review/", headers=HTML).status_code == 200
    client.post("/review/logout", data={"csrf_token": _csrf(client, "/review/login")}, headers=HTML)
    assert client.get("/review/", headers=HTML).status_code == 302


def test_certificates_list_with_filters(app: Flask, catalogue: Catalogue, uploader: dict[str, str]) -> None:
    client = app.test_client()
    broken = _unreadable(client, uploader)

    def ids(query: str) -> list[int]:
        resp = client.get("/api/v1/certificates?" + query)
        assert resp.status_code == 200, resp.get_json()
        return [i["id"] for i in resp.get_json()["items"]]

    everything = ids("per_page=100")
    assert len(everything) == 5 and everything == sorted(everything, reverse=True)  # newest first
    assert ids("status=needs_review&status=unreadable&order=oldest") == [broken["id"]]
    golden = ids("vendor=golden leaf")
    assert len(golden) == 1
    assert ids(f"vendor={catalogue.vendors['leaded']}&lab=example analytical") == sorted(
        ids(f"vendor={catalogue.vendors['leaded']}"), reverse=True)
    today = date.today()
    assert len(ids(f"uploaded_after={today - timedelta(days=1)}&uploaded_before={today + timedelta(days=1)}"
                   "&per_page=100")) == 5
    assert ids(f"uploaded_before={today - timedelta(days=2)}") == []
    item = client.get("/api/v1/certificates?status=parsed&per_page=1").get_json()["items"][0]
    assert item["pdf_url"].endswith("/pdf") and item["vendor"] and item["lot"]
    assert client.get("/api/v1/certificates?status=lost").status_code == 422
    assert client.get("/api/v1/certificates?colour=red").status_code == 422


def _form_token(client: Any, certificate_id: int) -> str:
    return _csrf(client, f"/review/certificates/{certificate_id}")


def test_corrections_are_logged_and_rejudge_the_batch(app: Flask, catalogue: Catalogue) -> None:
    from registry.extensions import db
    from registry.models import AuditEvent, Certificate, Result, Verdict

    client = app.test_client()
    batch_id = catalogue.batches["leaded"]
    with app.app_context():
        cert = db.session.query(Certificate).filter_by(batch_id=batch_id).one()
        lead = next(r for r in cert.results if r.analyte == "lead")
        cert_id, lead_id = cert.id, lead.id
        db.session.remove()
    # Not signed in: refused, nothing changed.
    assert client.post(f"/review/certificates/{cert_id}/results/{lead_id}", headers=HTML).status_code in (400, 401)
    _sign_in(client, make_token(app, "admin", name="desk-admin"))
    token = _form_token(client, cert_id)
    resp = client.post(f"/review/certificates/{cert_id}/results/{lead_id}", headers=HTML, data={
        f"r{lead_id}-csrf_token": token, f"r{lead_id}-qualifier": "=", f"r{lead_id}-value": "210",
        f"r{lead_id}-unit": "ppb"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    resp = client.post(f"/review/certificates/{cert_id}/results", headers=HTML, data={
        "csrf_token": token, "analyte": "Enterobacteriaceae", "qualifier": "=", "value": "100", "unit": "CFU/g",
        "page": "1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    bad = client.post(f"/review/certificates/{cert_id}/results", headers=HTML, data={
        "csrf_token": token, "analyte": "Pb", "qualifier": "=", "value": "1", "unit": "CFU/g"})
    assert bad.status_code == 422  # CFU/g is no unit of lead: nothing written
    with app.app_context():
        lead = db.session.get(Result, lead_id)
        assert (lead.value, lead.unit, lead.raw) == (0.21, "ug/g", "Lead (Pb) 2.1 ppm")  # printed text kept
        utah = db.session.query(Verdict).filter_by(batch_id=batch_id, profile_code="utah-r70-580").one()
        assert utah.status != "fail" and not any(f["analyte"] == "lead" for f in utah.detail["failures"])
        events = db.session.query(AuditEvent).filter(AuditEvent.action.like("review.%")).order_by(AuditEvent.id).all()
        assert [e.action for e in events] == ["review.correct_result", "review.add_result"]
        assert events[0].actor.endswith(":desk-admin") and events[0].at is not None
        assert events[0].details["printed"]["value"] == 2.1 and events[0].details["corrected"]["value"] == 0.21
        assert db.session.query(Result).filter_by(certificate_id=cert_id, analyte="lead").count() == 1
        db.session.remove()
    page = client.get(f"/batches/{batch_id}", headers=HTML).get_data(as_text=True)
    assert "Corrected by a reviewer" in page
    other = client.get(f"/batches/{catalogue.batches['other']}", headers=HTML).get_data(as_text=True)
    assert "Corrected by a reviewer" not in other


def test_a_reviewed_certificate_exports_as_a_truth_record(app: Flask, catalogue: Catalogue) -> None:
    import json

    from registry import unit_of_work
    from registry.extensions import db
    from registry.models import Certificate
    from registry.services import corrections
    from tests.corpus import truth

    with app.app_context():
        cert = db.session.query(Certificate).filter_by(batch_id=catalogue.batches["leaded"]).one()
        cert_id, lead_id = cert.id, next(r.id for r in cert.results if r.analyte == "lead")
        db.session.remove()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["corpus", "export", str(cert_id)])
    assert refused.exit_code == 1 and "was not reviewed" in refused.output
    with app.app_context():
        unit_of_work.commit(db.session, lambda: corrections.correct_result(
            db.session, cert_id, lead_id, value=0.21, unit="ug/g", qualifier="=", actor="test"))
    done = runner.invoke(args=["corpus", "export", str(cert_id)])
    assert done.exit_code == 0, done.output
    record = json.loads(done.output)
    assert set(truth()[0]) <= set(record)  # every key the corpus's records have
    assert record["batch"] == "RB-2024-0117" and record["report_number"] == "R-88213"
    assert record["dates"]["tested"] == "2024-01-19"
    lead = next(r for r in record["results"] if r["analyte"] == "lead")
    assert (lead["value"], lead["unit"], lead["raw"]) == (0.21, "ug/g", "Lead (Pb) 2.1 ppm")
