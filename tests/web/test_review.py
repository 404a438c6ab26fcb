"""The review desk's first parts: signing in with a token (a session after), the queue
of unsure and unreadable certificates, and ``GET /api/v1/certificates`` with filters."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from registry.errors import Unprocessable
from tests.conftest import make_token
from tests.web.conftest import Catalogue
from tests.web.test_pages import HTML, _csrf

BROKEN_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    + b"\x00" * 64
)


def _unreadable(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/certificates",
        headers=headers,
        data={"file": (io.BytesIO(BROKEN_PDF), "scan-of-a-coa.pdf")},
    )
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


def test_certificates_list_with_filters(
    app: Flask, catalogue: Catalogue, uploader: dict[str, str]
) -> None:
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
        ids(f"vendor={catalogue.vendors['leaded']}"), reverse=True
    )
    today = date.today()
    assert (
        len(
            ids(
                f"uploaded_after={today - timedelta(days=1)}&uploaded_before={today + timedelta(days=1)}"
                "&per_page=100"
            )
        )
        == 5
    )
    assert ids(f"uploaded_before={today - timedelta(days=2)}") == []
    item = client.get("/api/v1/certificates?status=parsed&per_page=1").get_json()["items"][0]
    assert item["pdf_url"].endswith("/pdf") and item["vendor"] and item["lot"]
    assert client.get("/api/v1/certificates?status=lost").status_code == 422
    assert client.get("/api/v1/certificates?colour=red").status_code == 422


def _form_token(client: Any, certificate_id: int) -> str:
    return _csrf(client, f"/review/certificates/{certificate_id}")


def test_corrections_are_logged_and_rejudge_the_batch(app: Flask, catalogue: Catalogue) -> None:
    from registry.extensions import db
    from registry.models import AuditEvent, Certificate, Result, VerdictRecord

    client = app.test_client()
    batch_id = catalogue.batches["leaded"]
    with app.app_context():
        cert = db.session.query(Certificate).filter_by(batch_id=batch_id).one()
        lead = next(r for r in cert.results if r.analyte == "lead")
        cert_id, lead_id = cert.id, lead.id
        db.session.remove()
    # Not signed in: refused, nothing changed.
    assert client.post(
        f"/review/certificates/{cert_id}/results/{lead_id}", headers=HTML
    ).status_code in (400, 401)
    _sign_in(client, make_token(app, "admin", name="desk-admin"))
    token = _form_token(client, cert_id)
    resp = client.post(
        f"/review/certificates/{cert_id}/results/{lead_id}",
        headers=HTML,
        data={
            f"r{lead_id}-csrf_token": token,
            f"r{lead_id}-qualifier": "=",
            f"r{lead_id}-value": "210",
            f"r{lead_id}-unit": "ppb",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    resp = client.post(
        f"/review/certificates/{cert_id}/results",
        headers=HTML,
        data={
            "csrf_token": token,
            "analyte": "Enterobacteriaceae",
            "qualifier": "=",
            "value": "100",
            "unit": "CFU/g",
            "page": "1",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    bad = client.post(
        f"/review/certificates/{cert_id}/results",
        headers=HTML,
        data={
            "csrf_token": token,
            "analyte": "Pb",
            "qualifier": "=",
            "value": "1",
            "unit": "CFU/g",
        },
    )
    assert bad.status_code == 422  # CFU/g is no unit of lead: nothing written
    with app.app_context():
        lead = db.session.get(Result, lead_id)
        assert (lead.value, lead.unit, lead.raw) == (
            0.21,
            "ug/g",
            "Lead (Pb) 2.1 ppm",
        )  # printed text kept
        utah = (
            db.session.query(VerdictRecord)
            .filter_by(batch_id=batch_id, profile_code="utah-r70-580")
            .one()
        )
        assert utah.status != "fail" and not any(
            f["analyte"] == "lead" for f in utah.detail["failures"]
        )
        events = (
            db.session.query(AuditEvent)
            .filter(AuditEvent.action.like("review.%"))
            .order_by(AuditEvent.id)
            .all()
        )
        assert [e.action for e in events] == ["review.correct_result", "review.add_result"]
        assert events[0].actor.endswith(":desk-admin") and events[0].at is not None
        assert (
            events[0].details["printed"]["value"] == 2.1
            and events[0].details["corrected"]["value"] == 0.21
        )
        assert (
            db.session.query(Result).filter_by(certificate_id=cert_id, analyte="lead").count() == 1
        )
        db.session.remove()
    page = client.get(f"/batches/{batch_id}", headers=HTML).get_data(as_text=True)
    assert "Corrected by a reviewer" in page
    other = client.get(f"/batches/{catalogue.batches['other']}", headers=HTML).get_data(
        as_text=True
    )
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
        unit_of_work.commit(
            db.session,
            lambda: corrections.correct_result(
                db.session, cert_id, lead_id, value=0.21, unit="ug/g", qualifier="=", actor="test"
            ),
        )
    done = runner.invoke(args=["corpus", "export", str(cert_id)])
    assert done.exit_code == 0, done.output
    record = json.loads(done.output)
    assert set(truth()[0]) <= set(record)  # every key the corpus's records have
    assert record["batch"] == "RB-2024-0117" and record["report_number"] == "R-88213"
    assert record["dates"]["tested"] == "2024-01-19"
    lead = next(r for r in record["results"] if r["analyte"] == "lead")
    assert (lead["value"], lead["unit"], lead["raw"]) == (0.21, "ug/g", "Lead (Pb) 2.1 ppm")


def _sign_in_admin(client: Any, app: Flask) -> None:
    assert _sign_in(client, make_token(app, "admin", name="desk-names")).status_code == 302


def test_correcting_the_lot_moves_the_certificate_to_its_batch(
    app: Flask, catalogue: Catalogue
) -> None:
    """The parser misread a lot: the reviewer's lot names a new batch, which takes the
    certificate, its results and its verdicts; the misread batch, left empty, goes."""
    from registry.extensions import db
    from registry.models import AuditEvent, Batch, Certificate, VerdictRecord

    client = app.test_client()
    old_id = catalogue.batches["leaded"]
    with app.app_context():
        cert_id = db.session.query(Certificate).filter_by(batch_id=old_id).one().id
        db.session.remove()
    _sign_in_admin(client, app)
    token = _form_token(client, cert_id)
    page = client.get(f"/review/certificates/{cert_id}", headers=HTML).get_data(as_text=True)
    assert "Read from the PDF: vendor <code>Acme Botanicals LLC</code>" in page
    missing = client.post(
        f"/review/certificates/{cert_id}/batch",
        headers=HTML,
        data={"csrf_token": token, "vendor": "Acme Botanicals", "lot": ""},
    )
    assert missing.status_code == 422  # a batch needs a lot: nothing written
    resp = client.post(
        f"/review/certificates/{cert_id}/batch",
        headers=HTML,
        data={
            "csrf_token": token,
            "vendor": "ACME Botanicals, LLC",
            "product": "Red Bali Kratom Powder",
            "lot": "RB-2024-0118",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        cert = db.session.get(Certificate, cert_id)
        new = cert.batch
        assert (
            new.id != old_id
            and new.lot == "RB-2024-0118"
            and new.vendor.slug == catalogue.vendors["leaded"]
        )
        assert {r.batch_id for r in cert.results} == {new.id}
        assert db.session.get(Batch, old_id) is None  # nothing was left in it
        assert db.session.query(VerdictRecord).filter_by(batch_id=old_id).count() == 0
        utah = (
            db.session.query(VerdictRecord)
            .filter_by(batch_id=new.id, profile_code="utah-r70-580")
            .one()
        )
        assert utah.status == "fail"  # judged in the same transaction: the lead is still over
        event = db.session.query(AuditEvent).filter_by(action="review.correct_batch").one()
        assert event.details["printed"]["lot"] == "RB-2024-0117"
        assert event.details["corrected"]["lot"] == "RB-2024-0118"
        assert event.details["read"]["lot"] == "RB-2024-0117" and event.actor.endswith(
            ":desk-names"
        )
        new_id = new.id
        db.session.remove()
    assert client.get(f"/batches/{old_id}", headers=HTML).status_code == 404
    found = client.get("/search?q=rb 2024 0118&go=1", headers=HTML)
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/batches/{new_id}")
    public = client.get(f"/batches/{new_id}", headers=HTML).get_data(as_text=True)
    assert "Corrected by a reviewer" in public
    desk = client.get(f"/review/certificates/{cert_id}", headers=HTML).get_data(as_text=True)
    assert "lot: was RB-2024-0117, now RB-2024-0118" in desk


def test_a_lot_corrected_into_a_batch_with_others_keeps_both_judged(
    app: Flask, catalogue: Catalogue
) -> None:
    """Moving a certificate into an existing batch: the batch it joins is judged with it,
    the one it leaves keeps its other certificates and is judged without it."""
    from registry import unit_of_work
    from registry.extensions import db
    from registry.models import Batch, Certificate, VerdictRecord
    from registry.services import corrections
    from tests.web.conftest import LEADED, upload

    client = app.test_client()
    headers = {"Authorization": f"Bearer {make_token(app, 'uploader', name='second-coa')}"}
    second = catalogue.batches["second"]
    extra = upload(
        client, headers, lot="RB-2024-0230", report="R-90002", tested="2024-03-05", results=LEADED
    )
    assert extra["batch"]["id"] == second
    with app.app_context():
        utah = (
            db.session.query(VerdictRecord)
            .filter_by(batch_id=second, profile_code="utah-r70-580")
            .one()
        )
        assert utah.status == "fail"
        db.session.remove()
    with app.app_context():
        unit_of_work.commit(
            db.session,
            lambda: corrections.correct_batch(
                db.session,
                extra["id"],
                vendor="Acme Botanicals",
                product=None,
                lot="RB 2024 0117",
                actor="test",
            ),
        )
        cert = db.session.get(Certificate, extra["id"])
        assert cert.batch_id == catalogue.batches["leaded"]
        left = db.session.get(Batch, second)
        assert left is not None and left.tested.isoformat() == "2024-03-02"
        utah = (
            db.session.query(VerdictRecord)
            .filter_by(batch_id=second, profile_code="utah-r70-580")
            .one()
        )
        assert utah.status != "fail"  # the leaded certificate left it
        assert db.session.get(Batch, catalogue.batches["leaded"]).tested.isoformat() == "2024-03-05"
        db.session.remove()


def test_the_product_form_is_corrected_and_its_batches_judged_again(
    app: Flask, catalogue: Catalogue
) -> None:
    from registry.extensions import db
    from registry.models import AuditEvent, Certificate, Product, VerdictRecord

    client = app.test_client()
    batch_id = catalogue.batches["leaded"]
    with app.app_context():
        cert = db.session.query(Certificate).filter_by(batch_id=batch_id).one()
        cert_id, product_id, form = cert.id, cert.batch.product_id, cert.batch.product.form
        db.session.remove()
    assert form == "leaf_powder"  # "Kratom Powder" on the COA

    def oklahoma_not_applicable() -> list[str]:
        with app.app_context():
            verdict = (
                db.session.query(VerdictRecord)
                .filter_by(batch_id=batch_id, profile_code="oklahoma")
                .one()
            )
            out = [str(entry) for entry in verdict.detail.get("not_applicable") or []]
            db.session.remove()
            return out

    assert not any("leaf-total-alkaloids" in e for e in oklahoma_not_applicable())
    _sign_in_admin(client, app)
    token = _form_token(client, cert_id)
    bad = client.post(
        f"/review/certificates/{cert_id}/product",
        headers=HTML,
        data={"csrf_token": token, "form": "powdered-unicorn"},
    )
    assert bad.status_code == 422
    resp = client.post(
        f"/review/certificates/{cert_id}/product",
        headers=HTML,
        data={"csrf_token": token, "form": "extract", "serving_g": "2.5", "servings_per_day": "3"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        product = db.session.get(Product, product_id)
        assert (product.form, product.serving_g, product.servings_per_day) == ("extract", 2.5, 3.0)
        event = db.session.query(AuditEvent).filter_by(action="review.correct_product").one()
        assert (
            event.details["printed"]["form"] == "leaf_powder"
            and event.details["corrected"]["form"] == "extract"
        )
        db.session.remove()
    # The leaf-only rule no longer applies to an extract: the batch was judged again.
    assert any("leaf-total-alkaloids" in e for e in oklahoma_not_applicable())


def test_an_unreadable_certificate_is_entered_by_hand_and_confirmed(
    app: Flask, catalogue: Catalogue
) -> None:
    from registry import unit_of_work
    from registry.extensions import db
    from registry.models import Certificate, CertificateStatus
    from registry.services import corrections

    client = app.test_client()
    broken = _unreadable(
        client, {"Authorization": f"Bearer {make_token(app, 'uploader', name='scanner')}"}
    )
    with app.app_context():
        with pytest.raises(Unprocessable, match="nothing to confirm"):
            corrections.confirm(db.session, broken["id"], actor="test")
        db.session.rollback()

        def enter() -> None:
            corrections.correct_batch(
                db.session,
                broken["id"],
                vendor="Scanned Leaf Co",
                product="Maeng Da",
                lot="SC-1",
                actor="test",
            )
            corrections.add_result(
                db.session,
                broken["id"],
                analyte="lead",
                value=0.3,
                unit="ppm",
                qualifier="=",
                page=1,
                actor="test",
            )
            corrections.confirm(db.session, broken["id"], actor="test")

        unit_of_work.commit(db.session, enter)
        cert = db.session.get(Certificate, broken["id"])
        assert cert.status is CertificateStatus.PARSED and cert.batch.lot == "SC-1"
        assert [(r.analyte, r.value, r.unit) for r in cert.results] == [("lead", 0.3, "ug/g")]
        db.session.remove()
    assert client.get("/search?q=SC-1&go=1", headers=HTML).status_code == 302


def test_page_images_are_drawn_for_signed_in_reviewers(app: Flask, catalogue: Catalogue) -> None:
    """The page beside the fields: a PNG drawn in the parser's limited child process."""
    from registry.extensions import db
    from registry.models import Certificate

    client = app.test_client()
    with app.app_context():
        cert_id = (
            db.session.query(Certificate).filter_by(batch_id=catalogue.batches["leaded"]).one().id
        )
        db.session.remove()
    assert client.get(f"/review/certificates/{cert_id}/pages/1.png").status_code == 401
    _sign_in_admin(client, app)
    image = client.get(f"/review/certificates/{cert_id}/pages/1.png")
    assert (
        image.status_code == 200
        and image.mimetype == "image/png"
        and image.data.startswith(b"\x89PNG")
    )
    assert "private" in image.headers["Cache-Control"]
    assert client.get(f"/review/certificates/{cert_id}/pages/2.png").status_code == 404  # one page


def test_a_correction_that_cannot_be_used_says_why(app: Flask, catalogue: Catalogue) -> None:
    from registry.extensions import db
    from registry.models import Certificate

    client = app.test_client()
    with app.app_context():
        cert_id = (
            db.session.query(Certificate).filter_by(batch_id=catalogue.batches["other"]).one().id
        )
        db.session.remove()
    _sign_in_admin(client, app)
    token = _form_token(client, cert_id)
    resp = client.post(
        f"/review/certificates/{cert_id}/product",
        headers=HTML,
        data={"csrf_token": token, "form": "extract", "serving_g": "lots"},
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Serving (g): Not a valid float value." in body, body
