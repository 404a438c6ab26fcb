"""Search that stays fast at a million batches, through the HTTP API on every backend:
capped totals (``total_exact``), cursor pages (stable while batches are added), the
page cap (422 pointing to the cursor), the search summary (``batch_terms``) kept by
uploads, corrections, re-judgements and deletes, and the ranking of words on
PostgreSQL. Timings belong to ``bench/search.py``, never here."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from registry.extensions import db
from registry.services.search import TOTAL_CAP
from tests.registry.test_search import NEWEST_FIRST, names, search, seed
from tests.registry.test_verdicts import strict_lead_profile, upload, verdict, wait_for, with_lead


@pytest.fixture
def ids(app: Any) -> dict[str, int]:
    return seed(app)


def walk(client: Any, between: Any = None, **params: Any) -> tuple[list[int], list[dict[str, Any]]]:
    """Every page by cursor: the ids in order, and each page's body. ``between(n)`` runs
    after page ``n``."""
    seen: list[int] = []
    bodies = []
    cursor = None
    for n in range(100):
        body = search(client, **params, **({"cursor": cursor} if cursor else {}))
        bodies.append(body)
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, bodies
        if between:
            between(n)
    raise AssertionError("the cursor never ended")


# ---------------------------------------------------------------------------------------
# Totals


def test_total_is_exact_up_to_the_cap_then_a_lower_bound(client, ids, monkeypatch) -> None:
    from registry.services import search as service

    body = search(client)
    assert (body["total"], body["total_exact"]) == (5, True)
    monkeypatch.setattr(service, "TOTAL_CAP", 3)
    body = search(client, per_page=2)
    assert (body["total"], body["total_exact"]) == (3, False)
    assert names(body, ids) == NEWEST_FIRST[:2]
    # Past the cap pages go on: every batch is still reachable.
    assert [i for i in walk(client, per_page=2)[0]] == [ids[n] for n in NEWEST_FIRST]
    # Under the cap the count is exact, whatever drives it (a term, a word, a lot).
    for params, expected in (
        ({"status": "fail"}, 2),
        ({"analyte": "lead"}, 3),
        ({"q": "golden"}, 3),
        ({"lot": "RB-2024-011"}, 3),
    ):
        body = search(client, **params)
        assert (body["total"], body["total_exact"]) == (expected, True), params
    body = search(client, status="fail", profile="any")
    assert (body["total"], body["total_exact"]) == (2, True)
    body = search(client, analyte="lead", q="kratom")
    assert body["total_exact"] is True and body["total"] == len(body["items"])


def test_exports_stream_every_match_whatever_the_cap(client, ids, monkeypatch) -> None:
    from registry.services import search as service

    monkeypatch.setattr(service, "TOTAL_CAP", 2)
    resp = client.get("/api/v1/batches", query_string={"format": "jsonl"})
    rows = [json.loads(line) for line in resp.get_data(as_text=True).splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(ids.values())


# ---------------------------------------------------------------------------------------
# Pages: offset up to the cap, cursor beyond


def test_page_beyond_the_cap_is_a_422_pointing_to_the_cursor(client, ids) -> None:
    assert client.get("/api/v1/batches?page=500&per_page=20").status_code == 200  # 10,000 deep
    resp = client.get("/api/v1/batches?page=501&per_page=20")
    assert resp.status_code == 422
    problem = resp.get_json()
    assert resp.mimetype == "application/problem+json"
    [message] = problem["errors"]["page"]
    assert "10,000" in message and "cursor" in message and "next_cursor" in message
    assert client.get("/api/v1/batches?page=101&per_page=100").status_code == 422
    # A cursor reads on whatever the page says.
    first = search(client, per_page=2)
    resp = client.get(
        "/api/v1/batches",
        query_string={"per_page": 2, "page": 9999, "cursor": first["next_cursor"]},
    )
    assert resp.status_code == 200
    assert names(resp.get_json(), ids) == NEWEST_FIRST[2:4]


def test_cursor_walks_every_batch_once_newest_first_undated_last(client, ids) -> None:
    for per_page in (1, 2, 3, 5, 100):
        seen, bodies = walk(client, per_page=per_page)
        assert seen == [ids[n] for n in NEWEST_FIRST], per_page
        assert all(b["total"] == 5 and b["total_exact"] for b in bodies)
        assert bodies[-1]["next_cursor"] is None
    # With filters: a term, a word, the summary's worst status.
    seen, _ = walk(client, per_page=1, analyte="lead")
    assert seen == [ids[n] for n in ("b1", "b3", "b4")]
    seen, _ = walk(client, per_page=1, status="fail", profile="any")
    assert seen == [ids[n] for n in ("b5", "b1")]


def test_cursor_in_the_oldest_first_order(app, ids) -> None:
    from registry.services import search as service

    with app.app_context():
        seen, cursor = [], None
        while True:
            page = service.search_batches(
                db.session,
                service.BatchFilters(),
                profile="utah-r70-580",
                per_page=2,
                oldest=True,
                cursor=cursor,
            )
            seen += [i["id"] for i in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == [ids[n] for n in ("b3", "b1", "b2", "b5", "b4")]
        first = service.search_batches(
            db.session, service.BatchFilters(), profile="utah-r70-580", per_page=2
        )
        with pytest.raises(service.Unprocessable):  # a newest-first cursor in the other order
            service.search_batches(
                db.session,
                service.BatchFilters(),
                profile="utah-r70-580",
                per_page=2,
                oldest=True,
                cursor=first.next_cursor,
            )


def _add_batch(
    app: Any, lot: str, tested: date | None, analytes: tuple[str, ...] = ("lead",)
) -> int:
    from registry.models import Certificate, CertificateStatus, Result
    from registry.services import catalog, search_summary

    with app.app_context():
        s = db.session
        vendor = catalog.get_or_create_vendor(s, "Golden Leaf Botanicals LLC")
        lab = catalog.get_or_create_lab(s, "Example Analytical Labs", None)
        batch = catalog.get_or_create_batch(s, vendor, lot, None)
        cert = Certificate(
            sha256=hashlib.sha256(lot.encode()).hexdigest(),
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
        s.flush()
        search_summary.refresh(s, [batch.id])
        s.commit()
        return batch.id


def test_cursor_pages_stay_stable_while_batches_are_added(app, client, ids) -> None:
    """Batches added between pages: those before the cursor are not seen (no batch is
    shown twice, none of the earlier ones is skipped); those after it are."""
    added: dict[str, int] = {}

    def add(n: int) -> None:
        if n == 0:  # after b5, b2: one newer than all, one between b1 and b3, one undated
            added["newest"] = _add_batch(app, "NEW-2025-0001", date(2025, 1, 1))
            added["middle"] = _add_batch(app, "MID-2023-0009", date(2023, 9, 9))
            added["undated"] = _add_batch(app, "UND-0001", None)
        elif n == 1:  # after b1 (and the middle one): one just older than b1
            added["late"] = _add_batch(app, "LATE-2024-0001", date(2024, 1, 18))

    seen, _ = walk(client, add, per_page=2)
    assert len(seen) == len(set(seen))
    # Page 2 (b1, middle) ends at 2023-09-09: "late" (2024-01-18), added after it, lies
    # before the cursor, as "newest" lay before page 1's; the undated one sorts after.
    assert seen == [
        ids["b5"],
        ids["b2"],
        ids["b1"],
        added["middle"],
        ids["b3"],
        added["undated"],
        ids["b4"],
    ]
    # A new walk sees them all.
    assert len(walk(client, per_page=3)[0]) == 9


def test_bad_cursors_are_422(client, ids) -> None:
    for bad in ("x", "not-a-cursor!", "WzEsMV0", "eyJhIjoxfQ", "WzEsOTksbnVsbCwxLDBd"):
        resp = client.get("/api/v1/batches", query_string={"cursor": bad})
        assert resp.status_code == 422, bad
        assert "cursor" in resp.get_json()["errors"]


# ---------------------------------------------------------------------------------------
# What filters read


def _statements(app: Any, fn: Any) -> list[str]:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    return seen


def test_status_fail_and_analyte_lead_read_the_summary_not_results(app, client, ids) -> None:
    body: dict[str, Any] = {}
    seen = _statements(app, lambda: body.update(search(client, status="fail", analyte="lead")))
    assert names(body, ids) == ["b1"] and body["total_exact"]
    assert any("batch_terms" in s for s in seen)
    assert not any("results" in s for s in seen)
    # The count reads no batch row: only the summary's posting lists.
    counts = [s for s in seen if s.upper().startswith("SELECT COUNT(")]
    assert counts and all("batch_terms" in s and "FROM batches" not in s for s in counts)
    assert not any("FROM verdicts" in s and "EXISTS" in s for s in seen)
    # Under any profile, and with other filters.
    assert names(search(client, status="fail", analyte="arsenic", profile="any"), ids) == ["b5"]
    assert names(search(client, status="fail", analyte="lead", vendor="golden leaf"), ids) == ["b1"]
    assert names(search(client, category="heavy_metal", status="pass"), ids) == ["b2"]


def test_category_filter(client, ids) -> None:
    assert [i["id"] for i in search(client, category="heavy metal")["items"]] == [
        ids[n] for n in NEWEST_FIRST
    ]
    assert search(client, category="microbial")["total"] == 0
    resp = client.get("/api/v1/batches?category=glitter")
    assert resp.status_code == 422 and "category" in resp.get_json()["errors"]


def _terms(app: Any) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """The summary as stored, and as computed afresh from verdicts and results."""
    from registry.models import BatchTerm, Result, VerdictRecord

    with app.app_context():
        s = db.session
        stored = {(t, b) for t, b in s.execute(sa.select(BatchTerm.term, BatchTerm.batch_id))}
        expected: set[tuple[str, int]] = set()
        for batch_id, code, status in s.execute(
            sa.select(VerdictRecord.batch_id, VerdictRecord.profile_code, VerdictRecord.status)
        ):
            expected |= {(f"s:{code}:{status}", batch_id), (f"s:*:{status}", batch_id)}
        for batch_id, analyte, category in s.execute(
            sa.select(Result.batch_id, Result.analyte, Result.category).where(
                Result.batch_id.is_not(None)
            )
        ):
            expected |= {(f"a:{analyte}", batch_id), (f"c:{category}", batch_id)}
        return stored, expected


def test_summary_follows_uploads_corrections_rejudgements_and_deletes(
    app, client, uploader, admin, shipped_profiles
) -> None:
    from registry import unit_of_work
    from registry.models import Batch, Certificate
    from registry.services import corrections

    eu = "eu-food-supplement"
    dirty = upload(client, uploader, make_coa_lead("LEAD-1", "3.5"))
    clean = upload(client, uploader, make_coa_lead("LEAD-2", "0.8"))
    assert verdict(dirty, eu)["status"] == "fail"
    stored, expected = _terms(app)
    assert stored == expected and ("a:lead", dirty["batch"]["id"]) in stored

    def lots(**params: Any) -> list[str]:
        return [i["lot"] for i in search(client, **params)["items"]]

    assert lots(status="fail", analyte="lead", profile=eu) == ["LEAD-1"]

    # A correction: the lead result was 0.35, not 3.5.
    with app.app_context():
        cert = db.session.get(Certificate, dirty["id"])
        lead = next(r for r in cert.results if r.analyte == "lead")
        unit_of_work.commit(
            db.session,
            lambda: corrections.correct_result(
                db.session, cert.id, lead.id, value=0.35, unit="ug/g", qualifier="=", actor="test"
            ),
        )
    assert lots(status="fail", analyte="lead", profile=eu) == []
    assert _terms(app)[0] == _terms(app)[1]

    # A re-judgement after a profile change (a background job).
    created = client.put(
        "/api/v1/profiles/advocacy-strict", headers=admin, json=strict_lead_profile(0.5)
    )
    assert wait_for(client, admin, created.get_json()["job"])["status"] == "done"
    assert lots(status="fail", profile="advocacy-strict") == ["LEAD-2"]
    assert "LEAD-2" in lots(status="fail", profile="any", analyte="lead")
    assert _terms(app)[0] == _terms(app)[1]
    looser = client.put(
        "/api/v1/profiles/advocacy-strict", headers=admin, json=strict_lead_profile(1.0)
    )
    assert wait_for(client, admin, looser.get_json()["job"])["status"] == "done"
    assert lots(status="fail", profile="advocacy-strict") == []
    assert set(lots(status="pass", profile="advocacy-strict", analyte="lead")) == {
        "LEAD-1",
        "LEAD-2",
    }
    assert _terms(app)[0] == _terms(app)[1]

    # A deleted result: the batch no longer has lead.
    with app.app_context():
        cert = db.session.get(Certificate, clean["id"])
        lead = next(r for r in cert.results if r.analyte == "lead")
        unit_of_work.commit(
            db.session,
            lambda: corrections.delete_result(db.session, cert.id, lead.id, actor="test"),
        )
    assert lots(analyte="lead") == ["LEAD-1"]
    assert _terms(app)[0] == _terms(app)[1]

    # A deleted batch takes its terms with it.
    with app.app_context():
        db.session.execute(sa.delete(Batch).where(Batch.id == dirty["batch"]["id"]))
        db.session.commit()
    stored, expected = _terms(app)
    assert stored == expected and not any(b == dirty["batch"]["id"] for _t, b in stored)
    assert lots(analyte="lead") == []


def make_coa_lead(lot: str, lead: str) -> bytes:
    from tests.registry.coa import make_coa

    return make_coa(lot=lot, report=f"R-{lot}", results=with_lead(lead))


# ---------------------------------------------------------------------------------------
# Free text: ranked on PostgreSQL


def test_whole_words_rank_first_on_postgresql(app, client) -> None:
    # search_text holds the vendor, lot and lab: "bali" is a word of the older lot only.
    newer_partial = _add_batch(app, "BALINESE-2024-0002", date(2024, 6, 1))
    older_whole = _add_batch(app, "BALI-2023-0001", date(2023, 1, 1))
    with app.app_context():
        pg = db.engine.dialect.name == "postgresql"
    body = search(client, q="bali")
    got = [i["id"] for i in body["items"]]
    assert set(got) == {newer_partial, older_whole} and body["total"] == 2
    # PostgreSQL: the whole word ranks first; SQLite has no ranking, newest first.
    assert got == ([older_whole, newer_partial] if pg else [newer_partial, older_whole])
    # The ranking holds across cursor pages.
    assert walk(client, q="bali", per_page=1)[0] == got
    # Several words: every one must be a whole word to rank first.
    assert [i["id"] for i in search(client, q="bali golden")["items"]] == got


def test_openapi_describes_cursor_and_total_exact(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/batches"]["get"]["parameters"]}
    assert "next_cursor" in params["cursor"]["description"]
    assert "category" in params
    page = spec["components"]["schemas"]["BatchPage"]["properties"]
    assert (
        page["total_exact"]["type"] == "boolean"
        and f"{TOTAL_CAP:,}" in page["total_exact"]["description"]
    )
    assert "cursor" in page["next_cursor"]["description"]


def test_a_word_with_more_matches_than_the_cap_walks_the_date_index(app, ids, monkeypatch) -> None:
    """Past the cap a word search is listed newest first, page after page and by cursor,
    in both orders; on PostgreSQL the page walks the (tested, id) index, and the planner
    settings set aside for it are back for the rest of the transaction."""
    from registry.services import search as service

    with app.app_context():
        every = service.search_batches(
            db.session, service.BatchFilters(q="golden"), profile="utah-r70-580", per_page=50
        )
        golden = {i["id"] for i in every.items}
        assert len(golden) == 3 and every.total_exact
        newest = [ids[n] for n in NEWEST_FIRST if ids[n] in golden]
        db.session.rollback()

        monkeypatch.setattr(service, "TOTAL_CAP", 1)
        monkeypatch.setattr(service, "RANK_MAX", 1)

        def both_orders() -> None:
            for oldest in (False, True):
                want = list(reversed(newest)) if oldest else newest
                by_offset = [
                    i["id"]
                    for number in (1, 2, 3)
                    for i in service.search_batches(
                        db.session,
                        service.BatchFilters(q="golden"),
                        profile="utah-r70-580",
                        page=number,
                        per_page=1,
                        oldest=oldest,
                    ).items
                ]
                assert by_offset == want, oldest
                got, cursor = [], None
                while True:
                    page = service.search_batches(
                        db.session,
                        service.BatchFilters(q="golden"),
                        profile="utah-r70-580",
                        per_page=2,
                        oldest=oldest,
                        cursor=cursor,
                    )
                    assert (page.total, page.total_exact) == (1, False)
                    got += [i["id"] for i in page.items]
                    cursor = page.next_cursor
                    if cursor is None:
                        break
                assert got == want, oldest

        statements = _statements(app, both_orders)
        if db.engine.dialect.name == "postgresql":
            assert any("set_config('enable_seqscan', 'off'" in s for s in statements)
            settings = db.session.execute(
                sa.text(
                    "SELECT current_setting('enable_seqscan'), current_setting('enable_bitmapscan')"
                )
            ).one()
            assert tuple(settings) == ("on", "on")
        db.session.rollback()


def test_a_vendor_with_a_status_probes_the_summary_per_batch(app, ids) -> None:
    """A vendor picks few batches: on PostgreSQL each is probed for the status term
    (``OFFSET 0`` keeps the probe from becoming a join over the whole posting list); the
    answer is the same on both databases."""
    from registry.services import search as service

    with app.app_context():
        everything = service.search_batches(
            db.session, service.BatchFilters(), profile="any", per_page=50
        ).items
        vendor = everything[0]["vendor"]
        want = sorted(
            i["id"]
            for i in everything
            if i["vendor"] == vendor and "utah-r70-580" in i["failing_profiles"]
        )
        found: list[Any] = []
        statements = _statements(
            app,
            lambda: found.append(
                service.search_batches(
                    db.session,
                    service.BatchFilters(vendor=vendor, status="fail"),
                    profile="utah-r70-580",
                    per_page=50,
                )
            ),
        )
        [page] = found
        assert sorted(i["id"] for i in page.items) == want and page.total == len(want)
        count = next(s for s in statements if "count(*)" in s)
        if db.engine.dialect.name == "postgresql":
            assert "LIMIT ALL OFFSET" in count  # the probe inside EXISTS
        else:
            assert "LIMIT -1 OFFSET" not in count  # SQLite plans its probes itself
        db.session.rollback()


def test_a_batch_judged_with_no_profile_in_force_is_still_found_by_analyte(app, ids) -> None:
    """With no profile to judge under, judging a batch still writes its analyte and
    category terms: an analyte search finds it."""
    from registry.models import BatchTerm
    from registry.services import search as service
    from registry.services import verdicts

    with app.app_context():
        batch = ids["b1"]  # has a lead result
        db.session.execute(sa.delete(BatchTerm).where(BatchTerm.batch_id == batch))
        found = service.search_batches(
            db.session, service.BatchFilters(analyte="lead"), profile="utah-r70-580", per_page=50
        )
        assert batch not in {i["id"] for i in found.items}
        verdicts.judge_batches(db.session, [batch], [])
        found = service.search_batches(
            db.session, service.BatchFilters(analyte="lead"), profile="utah-r70-580", per_page=50
        )
        assert batch in {i["id"] for i in found.items}
        terms = set(
            db.session.scalars(sa.select(BatchTerm.term).where(BatchTerm.batch_id == batch))
        )
        assert {"a:lead", "c:heavy_metal"} <= terms
        db.session.rollback()
