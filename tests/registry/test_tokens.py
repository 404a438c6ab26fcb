"""``flask tokens``: a token is printed once, stored as a hash, listed and revoked."""

from __future__ import annotations

import hashlib
import io

from registry.extensions import db
from registry.models import ApiToken, AuditEvent


def test_create_list_revoke(app, client) -> None:
    runner = app.test_cli_runner()
    out = runner.invoke(args=["tokens", "create", "acme-uploads", "--role", "uploader"])
    assert out.exit_code == 0, out.output
    token = out.output.split()[-1]
    assert token.startswith("kcr_")
    with app.app_context():
        row = db.session.query(ApiToken).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(row.__dict__)
        assert db.session.query(AuditEvent).filter_by(action="token.create").count() == 1

    listing = runner.invoke(args=["tokens", "list"]).output
    assert "acme-uploads" in listing and "active" in listing and token not in listing

    headers = {"Authorization": f"Bearer {token}"}
    ok = client.post(
        "/api/v1/certificates", headers=headers, data={"file": (io.BytesIO(b"x"), "a.pdf")}
    )
    assert ok.status_code == 415  # authenticated; refused only for what it sent

    out = runner.invoke(args=["tokens", "revoke", "acme-uploads"])
    assert out.exit_code == 0 and "Revoked" in out.output
    denied = client.post(
        "/api/v1/certificates", headers=headers, data={"file": (io.BytesIO(b"x"), "a.pdf")}
    )
    assert denied.status_code == 401
    assert "revoked" in runner.invoke(args=["tokens", "list"]).output


def test_revoke_unknown(app) -> None:
    out = app.test_cli_runner().invoke(args=["tokens", "revoke", "nobody"])
    assert out.exit_code != 0 and "no token" in out.output


def test_bad_role(app) -> None:
    out = app.test_cli_runner().invoke(args=["tokens", "create", "x", "--role", "king"])
    assert out.exit_code == 2 and "king" in out.output


def test_names_are_unique_and_revoke_takes_exactly_one(app, client) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["tokens", "create", "acme", "--role", "uploader"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["tokens", "create", "acme", "--role", "admin"])
    assert again.exit_code == 1 and "exists already" in again.output
    other = runner.invoke(args=["tokens", "create", "beta"])
    beta = other.output.split()[-1]
    out = runner.invoke(args=["tokens", "revoke", "acme"])
    assert out.exit_code == 0 and "(acme)" in out.output
    listed = runner.invoke(args=["tokens", "list"]).output.splitlines()
    assert [line for line in listed if "revoked" in line] == [
        next(line for line in listed if " acme " in line)
    ]
    headers = {"Authorization": f"Bearer {beta}"}
    assert (
        client.post("/api/v1/certificates", headers=headers).status_code == 422
    )  # beta still works
    assert (
        runner.invoke(args=["tokens", "create", "acme"]).exit_code == 1
    )  # a revoked name stays taken


def test_a_blank_name_is_refused(app) -> None:
    out = app.test_cli_runner().invoke(args=["tokens", "create", "  "])
    assert out.exit_code == 1 and "name" in out.output


def test_a_subscriber_token_made_on_the_command_line(make_app) -> None:
    """``tokens create NAME --role subscriber`` (README: a token that can subscribe and do
    nothing else): it makes and reads its own subscriptions; uploads, profile changes and
    job reads are refused with 403; another token does not see its subscriptions."""
    app = make_app(WEBHOOK_ALLOWED_HOSTS="127.0.0.1:9")
    client = app.test_client()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["tokens", "create", "watchdog", "--role", "subscriber"])
    assert out.exit_code == 0, out.output
    headers = {"Authorization": f"Bearer {out.output.split()[-1]}"}
    assert "subscriber" in runner.invoke(args=["tokens", "list"]).output

    made = client.post(
        "/api/v1/subscriptions",
        headers=headers,
        json={"channel": "webhook", "url": "http://127.0.0.1:9/hook"},
    )
    assert made.status_code == 201, made.get_json()
    mine = client.get("/api/v1/subscriptions", headers=headers).get_json()
    assert [s["id"] for s in mine] == [made.get_json()["id"]]

    upload = client.post(
        "/api/v1/certificates",
        headers=headers,
        data={"file": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf")},
    )
    assert upload.status_code == 403, upload.get_json()
    profile = client.put(
        "/api/v1/profiles/mine", headers=headers, json={"code": "mine", "name": "Mine"}
    )
    assert profile.status_code == 403, profile.get_json()
    assert client.get("/api/v1/jobs/1", headers=headers).status_code == 403

    other = runner.invoke(args=["tokens", "create", "other", "--role", "subscriber"])
    other_headers = {"Authorization": f"Bearer {other.output.split()[-1]}"}
    assert client.get("/api/v1/subscriptions", headers=other_headers).get_json() == []
    gone = client.delete(f"/api/v1/subscriptions/{made.get_json()['id']}", headers=headers)
    assert gone.status_code == 204
