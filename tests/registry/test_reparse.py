"""``flask --app wsgi certificates reparse``: stored originals read again as parse jobs;
what changed is kept in the audit log as a diff, and the batch is judged again."""

from __future__ import annotations

import io

import sqlalchemy as sa

from registry import unit_of_work
from registry.extensions import db
from registry.models import AuditEvent, Batch, Certificate, OutboxEvent, Result
from registry.services import verdicts
from tests.registry.coa import DEFAULT_RESULTS, make_coa

#: Lead over the EU maximum level (3.0 mg/kg): a fail under a rule that is not unverified.
FAILING = tuple((a, "3.5" if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS)


def post(client, headers, data: bytes):
    return client.post(
        "/api/v1/certificates", headers=headers, data={"file": (io.BytesIO(data), "coa.pdf")}
    )


def test_an_older_parser_s_reading_is_replaced_with_a_diff_and_a_new_verdict(
    app, client, uploader, shipped_profiles
) -> None:
    app.config["DEFAULT_PROFILE"] = "eu-food-supplement"
    cert = post(client, uploader, make_coa(lot="RP-1", results=FAILING)).get_json()
    current = post(client, uploader, make_coa(lot="RP-2")).get_json()
    assert cert["status"] == "parsed"
    # What an older parser left: no lead read, so the batch did not fail, and its version.
    with app.app_context():

        def older() -> None:
            db.session.execute(
                sa.delete(Result).where(
                    Result.certificate_id == cert["id"], Result.analyte == "lead"
                )
            )
            db.session.execute(
                sa.update(Certificate)
                .where(Certificate.id == cert["id"])
                .values(parser_version="0.9.0")
            )
            verdicts.judge_batch(db.session, db.session.get(Batch, cert["batch"]["id"]))
            db.session.execute(sa.delete(OutboxEvent))

        unit_of_work.commit(db.session, older)
    before = client.get(f"/api/v1/certificates/{cert['id']}").get_json()
    assert not any(v["status"] == "fail" for v in before["verdicts"])
    result = app.test_cli_runner().invoke(
        args=["certificates", "reparse", "--parser-older-than", "1.0.0"]
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Read again: 1; changed: 1" in result.output
    with app.app_context():
        reread = db.session.get(Certificate, cert["id"])
        assert reread.parser_version != "0.9.0"
        assert any(r.analyte == "lead" for r in reread.results)
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "certificate.reparse")
        )
        assert event.object_id == str(cert["id"]) and event.actor == "parser"
        changes = event.details["changes"]
        assert changes["parser_version"][0] == "0.9.0"
        assert any(line.startswith("lead") for line in changes["results"]["added"])
        assert changes["results"]["removed"] == []
        # the batch was judged again: a verdict change is an outbox event (alerts follow)
        types = set(db.session.scalars(sa.select(OutboxEvent.type)))
        assert "batch.failed" in types, types
        # the current parser's certificate was not read again
        assert not db.session.scalar(
            sa.select(AuditEvent).where(
                AuditEvent.action == "certificate.reparse",
                AuditEvent.object_id == str(current["id"]),
            )
        )
    shown = client.get(f"/api/v1/certificates/{cert['id']}").get_json()
    assert any(v["status"] == "fail" for v in shown["verdicts"])


def test_certificates_unreadable_on_time_are_read_again(make_app, uploader) -> None:
    hurried = make_app(PARSE_TIMEOUT_S=0.001)
    body = post(hurried.test_client(), uploader, make_coa(lot="RP-3")).get_json()
    assert body["status"] == "unreadable"
    app = make_app()
    nothing = app.test_cli_runner().invoke(args=["certificates", "reparse", "--status", "parsed"])
    assert nothing.exit_code == 0 and "No certificates to read again." in nothing.output
    result = app.test_cli_runner().invoke(
        args=["certificates", "reparse", "--status", "unreadable"]
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert "now parsed 1" in result.output
    shown = app.test_client().get(f"/api/v1/certificates/{body['id']}").get_json()
    assert shown["status"] == "parsed" and shown["batch"]["lot"] == "RP-3"


def test_reparse_names_what_it_cannot_do(app) -> None:
    bad = app.test_cli_runner().invoke(
        args=["certificates", "reparse", "--parser-older-than", "new"]
    )
    assert bad.exit_code == 2 and "not a version" in bad.output
