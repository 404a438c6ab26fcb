"""Verdicts through the registry: shipped profiles loaded, batches judged on upload,
profile changes re-judged in the background, history and events recorded."""

from __future__ import annotations

import copy
import io
import time
from typing import Any

import pytest
import sqlalchemy as sa

from registry import tasks, thresholds, unit_of_work
from registry.db import utcnow
from registry.extensions import db
from registry.models import Job, JobStatus, OutboxEvent, ProfileVersion, VerdictChange
from registry.services import jobs, profiles, rejudge, verdicts
from tests.registry.coa import DEFAULT_RESULTS, make_coa

SHIPPED = {
    "utah-r70-580",
    "usp-dietary-supplement",
    "ahpa",
    "prop65-lead",
    "eu-food-supplement",
    "oklahoma",
    "georgia",
    "texas",
    "arizona",
}


def with_lead(value: str) -> tuple[tuple[str, str, str, str], ...]:
    return tuple((a, value if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS)


def upload(client: Any, headers: dict[str, str], pdf: bytes) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/certificates", headers=headers, data={"file": (io.BytesIO(pdf), "coa.pdf")}
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def verdict(body: dict[str, Any], profile: str) -> dict[str, Any]:
    return next(v for v in body["verdicts"] if v["profile"] == profile)


def events(app: Any) -> list[tuple[str, str, int | None]]:
    with app.app_context():
        return [
            (e.type, e.profile_code, e.batch_id)
            for e in db.session.scalars(sa.select(OutboxEvent).order_by(OutboxEvent.id))
        ]


def strict_lead_profile(limit: float, *, version: int = 1) -> dict[str, Any]:
    return {
        "code": "advocacy-strict",
        "name": "Advocacy group: strict lead",
        "version": version,
        "jurisdiction": "none (voluntary)",
        "effective": None,
        "note": "test profile",
        "rules": [
            {
                "id": "lead",
                "kind": "max",
                "analyte": "lead",
                "limit": limit,
                "unit": "ug/g",
                "verified": "secondary",
                "note": "our own reading",
                "source": {"citation": "Advocacy guidance 2026", "url": "https://example.org/g"},
            }
        ],
    }


def wait_for(client: Any, headers: dict[str, str], job: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = client.get(job["url"], headers=headers).get_json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"job {job['id']} did not finish")


def test_profiles_load_command_then_api(app, client) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["profiles", "load"])
    assert first.exit_code == 0, first.output
    assert all(code in first.output for code in SHIPPED)
    again = runner.invoke(args=["profiles", "load"])
    assert again.exit_code == 0 and "up to date" in again.output

    listing = client.get("/api/v1/profiles").get_json()
    assert {p["code"] for p in listing} >= SHIPPED
    utah = client.get("/api/v1/profiles/utah-r70-580").get_json()
    lead = next(r for r in utah["definition"]["rules"] if r.get("analyte") == "lead")
    assert lead["limit"] == 1.2 and lead["source"]["citation"] and lead["source"]["url"]
    assert client.get("/api/v1/profiles/nope").status_code == 404


def test_upload_is_judged_under_every_profile(app, client, uploader, shipped_profiles) -> None:
    clean = upload(client, uploader, make_coa(lot="CLEAN-1"))
    assert {v["profile"] for v in clean["verdicts"]} == SHIPPED
    assert verdict(clean, "eu-food-supplement")["status"] != "fail"

    dirty = upload(client, uploader, make_coa(lot="LEAD-1", results=with_lead("3.5")))
    utah = verdict(dirty, "eu-food-supplement")
    assert utah["status"] == "fail" and utah["failing_since"]
    [failure] = [f for f in utah["failures"] if f["analyte"] == "lead"]
    assert failure["value"] == pytest.approx(3.5) and failure["limit"] == 3.0
    assert failure["rule"] == "max" and "2023/915" in failure["source"]

    found = client.get(
        "/api/v1/batches?status=fail&analyte=lead&profile=eu-food-supplement"
    ).get_json()
    assert [i["lot"] for i in found["items"]] == ["LEAD-1"]
    batch = client.get(f"/api/v1/batches/{dirty['batch']['id']}").get_json()
    assert verdict(batch, "eu-food-supplement")["status"] == "fail"
    assert {h["new_status"] for h in batch["history"] if h["profile"] == "eu-food-supplement"} == {
        "fail"
    }
    assert ("batch.failed", "eu-food-supplement", dirty["batch"]["id"]) in events(app)
    assert not any(
        e[2] == clean["batch"]["id"] and e[0] == "batch.failed" and e[1] == "eu-food-supplement"
        for e in events(app)
    )


def test_a_retest_judges_the_latest_result_and_recovers(
    app, client, uploader, shipped_profiles
) -> None:
    first = upload(
        client,
        uploader,
        make_coa(lot="RT-1", tested="2024-01-19", report="R-1", results=with_lead("3.5")),
    )
    assert verdict(first, "eu-food-supplement")["status"] == "fail"
    retest = upload(
        client,
        uploader,
        make_coa(lot="RT-1", tested="2024-02-02", report="R-2", results=with_lead("0.4")),
    )
    assert retest["batch"]["id"] == first["batch"]["id"]
    assert verdict(retest, "eu-food-supplement")["status"] != "fail"
    assert verdict(retest, "eu-food-supplement")["failing_since"] is None
    kinds = [e[0] for e in events(app) if e[1] == "eu-food-supplement"]
    assert kinds == ["batch.failed", "batch.recovered"]
    with app.app_context():
        changes = db.session.scalars(
            sa.select(VerdictChange)
            .where(VerdictChange.profile_code == "eu-food-supplement")
            .order_by(VerdictChange.id)
        ).all()
        assert [(c.old_status, c.new_status) for c in changes][:1] == [(None, "fail")]
        assert changes[-1].old_status == "fail" and changes[-1].new_status != "fail"


def test_admin_profile_change_rejudges_in_the_background(
    app, client, uploader, admin, shipped_profiles
) -> None:
    lots = {}
    for lot, lead in (("A-1", "0.31"), ("A-2", "0.8"), ("A-3", "ND")):
        lots[lot] = upload(client, uploader, make_coa(lot=lot, results=with_lead(lead)))["batch"][
            "id"
        ]

    created = client.put(
        "/api/v1/profiles/advocacy-strict", headers=admin, json=strict_lead_profile(0.5)
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["version"] == 1 and body["changed"] and body["job"]["kind"] == "rejudge"
    job = wait_for(client, admin, body["job"])
    assert job["status"] == "done" and job["done"] == 3 and job["progress"] == 1.0

    def status(lot: str) -> str:
        detail = client.get(f"/api/v1/batches/{lots[lot]}").get_json()
        return verdict(detail, "advocacy-strict")["status"]

    assert [status(lot) for lot in ("A-1", "A-2", "A-3")] == ["pass", "fail", "pass"]
    assert ("batch.failed", "advocacy-strict", lots["A-2"]) in events(app)

    looser = client.put(
        "/api/v1/profiles/advocacy-strict", headers=admin, json=strict_lead_profile(1.0)
    )
    assert looser.status_code == 200 and looser.get_json()["version"] == 2
    assert looser.get_json()["previous_version"] == 1
    assert wait_for(client, admin, looser.get_json()["job"])["status"] == "done"
    assert status("A-2") == "pass"
    assert ("batch.recovered", "advocacy-strict", lots["A-2"]) in events(app)
    detail = client.get(f"/api/v1/batches/{lots['A-2']}").get_json()
    assert verdict(detail, "advocacy-strict")["profile_version"] == 2
    # A-1 passes under both versions: its row was not rewritten, yet it holds under v2.
    unchanged = client.get(f"/api/v1/batches/{lots['A-1']}").get_json()
    assert verdict(unchanged, "advocacy-strict")["profile_version"] == 2
    assert [
        h["profile_version"] for h in unchanged["history"] if h["profile"] == "advocacy-strict"
    ] == [1]
    history = [
        (h["profile_version"], h["old_status"], h["new_status"])
        for h in detail["history"]
        if h["profile"] == "advocacy-strict"
    ]
    assert history == [(2, "fail", "pass"), (1, None, "fail")]

    # v2 changed one rule in place: batches on which it concluded as under v1 were
    # skipped, and a full judgement now finds every stored verdict right.
    with app.app_context():
        session = db.session
        rows = [profiles.get_current(session, "advocacy-strict")]
        full = unit_of_work.commit(
            session,
            lambda: verdicts.judge_batches(session, sorted(lots.values()), rows, restamp=False),
        )
        assert (full.written, full.changed) == (0, 0)

    versions = client.get("/api/v1/profiles/advocacy-strict/versions").get_json()
    assert [(v["version"], v["current"]) for v in versions] == [(2, True), (1, False)]
    old = client.get(versions[1]["url"]).get_json()
    assert old["definition"]["rules"][0]["limit"] == 0.5

    same = client.put(
        "/api/v1/profiles/advocacy-strict", headers=admin, json=strict_lead_profile(1.0, version=2)
    )
    assert same.status_code == 200 and same.get_json()["changed"] is False
    assert same.get_json()["job"] is None and same.get_json()["version"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**strict_lead_profile(0.5), "rules": []}, "rules"),
        ({**strict_lead_profile(0.5), "code": "other"}, "code"),
        (
            strict_lead_profile(-1)
            | {"rules": [{**strict_lead_profile(1)["rules"][0], "analyte": "unobtainium"}]},
            "rules",
        ),
        ({k: v for k, v in strict_lead_profile(0.5).items() if k != "name"}, "name"),
    ],
)
def test_bad_profiles_are_422_problems(client, admin, body, field) -> None:
    resp = client.put("/api/v1/profiles/advocacy-strict", headers=admin, json=body)
    assert resp.status_code == 422, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    assert field in resp.get_json()["errors"]


def test_profile_changes_need_an_admin(client, uploader) -> None:
    assert client.put("/api/v1/profiles/x", json={}).status_code == 401
    resp = client.put(
        "/api/v1/profiles/advocacy-strict", headers=uploader, json=strict_lead_profile(0.5)
    )
    assert resp.status_code == 403
    assert client.get("/api/v1/jobs/1", headers=uploader).status_code == 403


def test_shipped_file_change_makes_a_new_version_and_rejudges(
    app, client, uploader, shipped_profiles, monkeypatch
) -> None:
    batch_id = upload(client, uploader, make_coa(lot="SH-1", results=with_lead("1.0")))["batch"][
        "id"
    ]
    before = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert verdict(before, "eu-food-supplement")["status"] != "fail"

    shipped = thresholds.load_shipped_profiles()
    eu = next(p for p in shipped if p.code == "eu-food-supplement")
    data = thresholds.profile_to_dict(eu)
    tighter = copy.deepcopy(data)
    for rule in tighter["rules"]:
        if rule.get("analyte") == "lead":
            rule["limit"] = 0.5  # as if the rule were amended and the file updated
    changed = [thresholds.profile_from_dict(tighter) if p.code == eu.code else p for p in shipped]
    monkeypatch.setattr(thresholds, "load_shipped_profiles", lambda: changed)

    result = app.test_cli_runner().invoke(args=["profiles", "load"])
    assert result.exit_code == 0, result.output
    assert "eu-food-supplement" in result.output and "v2 -> v3" in result.output
    assert "1 now failing" in result.output
    after = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert verdict(after, "eu-food-supplement")["status"] == "fail"
    assert verdict(after, "eu-food-supplement")["profile_version"] == 3
    assert (
        client.get("/api/v1/profiles/eu-food-supplement/versions/2").get_json()["definition"]
        == data
    )


def test_an_interrupted_job_resumes_where_it_stopped(
    app, client, uploader, shipped_profiles
) -> None:
    for n in range(5):
        upload(client, uploader, make_coa(lot=f"J-{n}", results=with_lead("0.8")))
    with app.app_context():
        session = db.session

        def queue() -> int:
            stored = profiles.store(
                session, profiles.validate(strict_lead_profile(0.5)), shipped=False
            )
            return rejudge.enqueue(session, [stored.row], actor="test").id

        job_id = unit_of_work.commit(session, queue)
        assert unit_of_work.commit(session, lambda: jobs.claim(session, job_id))
        job = session.get(Job, job_id)
        assert unit_of_work.commit(session, lambda: rejudge.step(session, job, chunk=2)) is False
        assert (job.done, job.total) == (2, 5)
        # The runner dies: its heartbeat goes stale, and nobody else may take it until then.
        assert jobs.claimable(session) == []
        session.execute(sa.update(Job).values(heartbeat_at=utcnow() - jobs.STALE_AFTER * 2))
        session.commit()
        assert jobs.claimable(session) == [job_id]

    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.DONE and job.done == 5
        assert job.result["counts"]["batch.failed"] == 5
        failing = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.profile_code == "advocacy-strict")
        )
        assert failing == 5  # no batch judged twice into two events
        assert tasks.run(job_id) is False  # a finished job cannot be claimed again
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ProfileVersion)
                .where(ProfileVersion.code == "advocacy-strict", ProfileVersion.current)
            )
            == 1
        )


def test_judging_again_writes_nothing_new(app, client, uploader, shipped_profiles) -> None:
    batch_id = upload(client, uploader, make_coa(lot="SAME-1", results=with_lead("2.1")))["batch"][
        "id"
    ]
    with app.app_context():
        session = db.session
        current = profiles.list_current(session)
        again = unit_of_work.commit(
            session, lambda: verdicts.judge_batches(session, [batch_id], current)
        )
        assert (again.batches, again.written, again.changed) == (1, 0, 0)
        assert again.events == {"batch.failed": 0, "batch.recovered": 0}
