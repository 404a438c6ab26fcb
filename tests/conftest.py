"""Fixtures shared by the whole suite: the app on each database, clients, tokens.

Every test that uses ``app`` runs once on SQLite and once on PostgreSQL. PostgreSQL
runs when ``REGISTRY_TEST_DATABASE_URL`` is set (CI sets it) and is skipped otherwise
with a message saying how to run it. Each backend's schema is migrated once per run
(by Alembic, the same way production is); after each test every table is emptied.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from registry import create_app
from tests.corpus import REAL

REPO = Path(__file__).resolve().parent.parent
PG_ENV = "REGISTRY_TEST_DATABASE_URL"
PG_HOW = (
    f"PostgreSQL tests skipped: set {PG_ENV}=postgresql://postgres@127.0.0.1:5432/test "
    "(any database you may create schemas in) to run them; CI does."
)


def real_corpus() -> Path:
    """The real corpus the repository carries (``tests/corpus/real``)."""
    return REAL


def _pg_url(schema: str) -> str:
    url = sa.make_url(os.environ[PG_ENV])
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``sqlite_only`` run on SQLite alone: their PostgreSQL variants are
    deselected (not skipped: CI reports no skips)."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.get_closest_marker("sqlite_only") and params.get("database") == "postgresql":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """A migrated, empty database for this run: its app config."""
    base = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        url, cleanup = f"sqlite:///{base / 'registry.db'}", None
    else:
        if not os.environ.get(PG_ENV):
            if os.environ.get("REGISTRY_TEST_REQUIRE_SERVICES"):
                pytest.fail(f"{PG_ENV} is not set but REGISTRY_TEST_REQUIRE_SERVICES is")
            pytest.skip(PG_HOW)
        schema = f"test_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(_pg_url("public"))
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = _pg_url(schema)

        def cleanup() -> None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "DATA_DIR": str(base / "data"),
        "SECRET_KEY": "test",
        "RATE_LIMITS": "",
        "LOAD_PROFILES_ON_UPGRADE": False,
        "LOG_LEVEL": "WARNING",
        "BACKEND": request.param,
        # Alert delivery runs only in the tests that start it (tests/alerts).
        "ALERT_WORKER": "off",
        # An upload answers once read (201) on a loaded test machine too; the tests
        # of the 202 answer set their own wait.
        "UPLOAD_WAIT_S": 600,
        # Each app's parse sweeper outlives its test: no sweep but the tests' own.
        "PARSE_SWEEP_S": 3600,
    }
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from registry.extensions import db

        db.engine.dispose()
    yield config
    if cleanup:
        cleanup()


def empty_tables(app: Flask) -> None:
    from registry.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(
                    sa.text(
                        "TRUNCATE "
                        + ", ".join(f'"{t}"' for t in tables)
                        + " RESTART IDENTITY CASCADE"
                    )
                )
            else:
                for t in tables:
                    conn.execute(sa.text(f'DELETE FROM "{t}"'))
        db.engine.dispose()


@pytest.fixture
def make_app(database: dict[str, Any], tmp_path: Path) -> Iterator[Any]:
    """Build apps on the test database with extra config; tables emptied afterwards."""
    apps: list[Flask] = []

    def make(**extra: Any) -> Flask:
        app = create_app({**database, "DATA_DIR": str(tmp_path / "data"), **extra})
        apps.append(app)
        return app

    yield make
    if apps:
        empty_tables(apps[0])


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def make_token(app: Flask, role: str = "uploader", name: str | None = None) -> str:
    from registry import unit_of_work
    from registry.extensions import db
    from registry.models import TokenRole
    from registry.services import tokens

    with app.app_context():
        _, plaintext = unit_of_work.commit(
            db.session,
            lambda: tokens.create(
                db.session, name or f"{role}-{uuid.uuid4().hex[:6]}", TokenRole(role)
            ),
        )
    return plaintext


@pytest.fixture
def uploader(app: Flask) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(app, 'uploader')}"}


@pytest.fixture
def admin(app: Flask) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(app, 'admin')}"}


@pytest.fixture
def shipped_profiles(app: Flask) -> list[str]:
    """The shipped threshold profiles, loaded as ``flask profiles load`` does."""
    from registry import unit_of_work
    from registry.extensions import db
    from registry.services import profiles

    with app.app_context():
        stored = unit_of_work.commit(db.session, lambda: profiles.load_shipped(db.session))
        return [s.row.code for s in stored]


def confirm_utah(app: Flask) -> None:
    """Store Utah's shipped rules as if their current text had been read (``primary``),
    in this test database only.

    Every shipped Utah rule is ``unverified`` today (the rules are being replaced), so the
    default profile judges but gives no public fail. Tests of alerts and pages need a
    default profile that fails a batch with lead over 1.2 µg/g; Utah's law is not their
    subject.
    """
    from dataclasses import replace

    from registry import thresholds, unit_of_work
    from registry.extensions import db
    from registry.services import profiles

    utah = next(p for p in thresholds.load_shipped_profiles() if p.code == "utah-r70-580")
    confirmed = replace(utah, rules=tuple(replace(r, verified="primary") for r in utah.rules))
    with app.app_context():
        unit_of_work.commit(
            db.session, lambda: profiles.store(db.session, confirmed, shipped=False)
        )
