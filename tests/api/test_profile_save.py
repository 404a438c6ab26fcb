"""A profile comes into force one way (``services.profiles``), whether an admin saves a
custom one over HTTP or ``flask profiles load`` loads the shipped files: a new version,
an audit entry for it, and one job re-judging every batch under it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.api.test_verdict_statuses import LEAD_ONLY


def audit_rows(app: Any) -> list[tuple[str, str | None, dict[str, Any]]]:
    from registry.extensions import db
    from registry.models import AuditEvent

    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEvent.action, AuditEvent.request_id, AuditEvent.details)
            .where(AuditEvent.action.like("profile.%"))
            .order_by(AuditEvent.id)
        ).all()
        return [tuple(r) for r in rows]


def test_saving_over_http_audits_and_queues_one_rejudgement(app, client, admin) -> None:
    first = client.put("/api/v1/profiles/lead-only", headers=admin, json=LEAD_ONLY)
    assert first.status_code == 201
    body = first.get_json()
    assert (body["version"], body["changed"], body["previous_version"]) == (1, True, None)
    assert body["job"]["kind"] == "rejudge"
    [(action, request_id, details)] = audit_rows(app)
    assert (action, details) == (
        "profile.save",
        {"code": "lead-only", "version": 1, "previous_version": None},
    )
    assert request_id == first.headers["X-Request-ID"]

    same = client.put("/api/v1/profiles/lead-only", headers=admin, json=LEAD_ONLY).get_json()
    assert (same["changed"], same["job"]) == (False, None)
    assert len(audit_rows(app)) == 1

    tighter = {**LEAD_ONLY, "rules": [{**LEAD_ONLY["rules"][0], "limit": 0.5}]}
    changed = client.put("/api/v1/profiles/lead-only", headers=admin, json=tighter).get_json()
    assert (changed["version"], changed["previous_version"]) == (2, 1)
    assert [d["version"] for _a, _r, d in audit_rows(app)] == [1, 2]


def test_loading_the_shipped_files_from_the_cli_takes_the_same_path(app) -> None:
    result = app.test_cli_runner().invoke(args=["profiles", "load", "--no-rejudge"])
    assert result.exit_code == 0, result.output
    rows = audit_rows(app)
    assert rows and {a for a, _r, _d in rows} == {"profile.load"}
    assert "utah-r70-580" in {d["code"] for _a, _r, d in rows}
    assert "queued as job" in result.output
    again = app.test_cli_runner().invoke(args=["profiles", "load"])
    assert "up to date" in again.output and len(audit_rows(app)) == len(rows)
