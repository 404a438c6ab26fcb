"""Free text (``q``) stays exact and in step with every change of batches, on every
backend. On SQLite words of three ASCII characters or more are matched through the
FTS5 trigram table ``batches_fts``, which triggers keep in step with ``batches``; these
tests check it against a plain substring test of ``search_text`` after inserts,
updates (a certificate joining a batch) and deletes (directly and by cascade), across
a migration down and up, and with the table missing.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import sqlalchemy as sa

from registry.extensions import db
from tests.registry.test_search import found, seed

FTS_MIGRATION = "5e0f3a9c71d2"
TRIGGERS = {"batches_fts_insert", "batches_fts_delete", "batches_fts_update"}


@pytest.fixture
def ids(app: Any) -> dict[str, int]:
    return seed(app)


def _sqlite(app: Any) -> bool:
    return app.config["BACKEND"] == "sqlite"


def _texts(app: Any) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(sa.text("SELECT id, search_text FROM batches")).all())


def _expected(app: Any, ids: dict[str, int], q: str) -> set[str]:
    """The batches whose text contains every word of ``q``: the meaning of ``q``."""
    by_id = {v: k for k, v in ids.items()}
    words = q.casefold().split()
    return {by_id[i] for i, text in _texts(app).items() if all(w in text for w in words)}


def _check_index(app: Any) -> None:
    """SQLite: the trigram index agrees with the batches table, row for row."""
    if not _sqlite(app):
        return
    with app.app_context(), db.engine.begin() as conn:
        names = set(
            conn.scalars(sa.text("SELECT name FROM sqlite_master WHERE name LIKE 'batches_fts%'"))
        )
        assert {"batches_fts"} | TRIGGERS <= names
        # rank 1: compare with the content table too; raises on any difference.
        conn.execute(
            sa.text("INSERT INTO batches_fts (batches_fts, rank) VALUES ('integrity-check', 1)")
        )


WORDS = [
    "bali",
    "BALI",
    "golden",
    "leaf",
    "summit",
    "rb-2024-0117",
    "2024-01",
    "-20",
    "river",
    "kratom",
    "powder",
    "red bali",
    "golden summit",
    "llc",
    "inc.",
    "zzz",
    "ba",
    "b",
    "%",
    "_",
    "a%b",
    '"',
    'red"',
    "gold*",
    "ali^",
    "(leaf)",
    "2024/55",
    "wb 2024/55",
    "déjà",
    "straße",
    "ｆｕｌｌ",
]


@pytest.mark.parametrize("q", WORDS)
def test_q_finds_exactly_the_texts_containing_every_word(client, app, ids, q: str) -> None:
    assert found(client, ids, q=q) == _expected(app, ids, q)


def test_q_over_random_substrings_of_the_texts(client, app, ids) -> None:
    rng = random.Random(11)
    texts = list(_texts(app).values())
    for _ in range(40):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        word = text[start : start + rng.randint(1, 12)].strip() or "x"
        q = word + (" " + rng.choice(texts).split()[0] if rng.random() < 0.3 else "")
        assert found(client, ids, q=q) == _expected(app, ids, q), q


def _add_certificate(app: Any, batch_id: int, lab_name: str) -> None:
    from registry.models import Batch, Certificate, CertificateStatus
    from registry.services import catalog

    with app.app_context():
        s = db.session
        batch = s.get(Batch, batch_id)
        lab = catalog.get_or_create_lab(s, lab_name, None)
        s.add(
            Certificate(
                sha256=f"{batch_id:064x}",
                size_bytes=1,
                batch=batch,
                lab=lab,
                status=CertificateStatus.PARSED,
            )
        )
        catalog.touch_batch(batch, None, lab.name)
        s.commit()


def test_q_follows_inserts_updates_and_deletes(client, app, ids) -> None:
    from registry.models import Batch, Vendor
    from registry.services import catalog

    _check_index(app)
    assert found(client, ids, q="zephyr") == set()
    # Update: a certificate from another lab joins b3.
    _add_certificate(app, ids["b3"], "Zephyr Testing")
    assert found(client, ids, q="zephyr") == {"b3"}
    assert found(client, ids, q="maeng zephyr") == {"b3"}
    _check_index(app)
    # Insert: a new vendor and batch.
    with app.app_context():
        s = db.session
        vendor = catalog.get_or_create_vendor(s, "Quokka Naturals")
        batch = catalog.get_or_create_batch(s, vendor, "QN-7", None)
        catalog.touch_batch(batch, None, "Zephyr Testing")
        s.commit()
        ids["new"] = batch.id
    assert found(client, ids, q="zephyr") == {"b3", "new"}
    assert found(client, ids, q="quokka qn-7") == {"new"}
    _check_index(app)
    # Delete: the batch directly, then a vendor with its batches (ON DELETE CASCADE).
    with app.app_context():
        db.session.execute(sa.delete(Batch).where(Batch.id == ids.pop("new")))
        db.session.commit()
    assert found(client, ids, q="zephyr") == {"b3"}
    assert found(client, ids, q="quokka") == set()
    _check_index(app)
    with app.app_context():
        db.session.execute(sa.delete(Vendor).where(Vendor.slug == "red-river-kratom"))
        db.session.commit()
    for name in ("b4", "b5"):
        ids.pop(name)
    assert found(client, ids, q="river") == set()
    assert found(client, ids, q="summit") == {"b2"}
    _check_index(app)


@pytest.mark.sqlite_only
def test_sqlite_counts_words_through_the_trigram_table(client, app, ids) -> None:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        assert found(client, ids, q="bali") == {"b1", "b2"}
        assert found(client, ids, q="bali b", analyte="lead", status="fail") == {"b1"}
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    assert sum("batches_fts MATCH" in s for s in seen) == 2


def test_without_the_trigram_table_words_are_scanned(client, app, ids, monkeypatch) -> None:
    from registry.services import search as service

    monkeypatch.setattr(service, "_fts_ready", lambda conn: False)
    for q in ("bali", "golden summit", "rb-2024-0117", "zzz"):
        assert found(client, ids, q=q) == _expected(app, ids, q)


def test_many_matches_page_in_order_through_the_index(client, app, ids, monkeypatch) -> None:
    """Past ``IDS_MAX`` matches the page walks the date index instead of reading ids."""
    from registry.services import search as service

    monkeypatch.setattr(service, "IDS_MAX", 1)
    body = client.get("/api/v1/batches", query_string={"q": "kratom", "per_page": 2}).get_json()
    by_id = {v: k for k, v in ids.items()}
    assert body["total"] == len(_expected(app, ids, "kratom"))
    assert [by_id[i["id"]] for i in body["items"]] == ["b5", "b2"]


def test_migration_down_and_up_rebuilds_the_index(make_app: Any) -> None:
    from flask_migrate import downgrade, upgrade

    app = make_app()
    ids = seed(app)
    with app.app_context():
        downgrade(revision=f"{FTS_MIGRATION}-1")
        if _sqlite(app):
            assert not sa.inspect(db.engine).has_table("batches_fts")
        upgrade()
        db.engine.dispose()
    _check_index(app)
    client = app.test_client()
    assert found(client, ids, q="summit") == {"b2", "b4"}
    assert found(client, ids, q="golden bali") == {"b1", "b2"}


def test_drift_check_passes_beside_the_trigram_tables(app) -> None:
    """``migrations/env.py`` keeps ``batches_fts`` and its shadow tables out of the check."""
    from alembic import command

    with app.app_context():
        if _sqlite(app):
            names = set(sa.inspect(db.engine).get_table_names())
            assert {"batches_fts", "batches_fts_data", "batches_fts_idx"} <= names
        command.check(app.extensions["migrate"].migrate.get_config())
