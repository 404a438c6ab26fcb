"""Commands on a database nobody migrated say what to do, not a SQLAlchemy traceback."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from registry import create_app
from tests.conftest import PG_ENV, _pg_url
from tests.registry.coa import make_coa


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        yield create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
                "DATA_DIR": str(tmp_path / "data"),
                "SECRET_KEY": "t",
                "RATE_LIMITS": "",
            }
        )
        return
    if not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL tests skipped: set {PG_ENV} to run them")
    schema = f"test_empty_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(_pg_url("public"))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield create_app(
            {
                "TESTING": True,
                "DATABASE_URL": _pg_url(schema),
                "DATA_DIR": str(tmp_path / "data"),
                "SECRET_KEY": "t",
                "RATE_LIMITS": "",
            }
        )
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ["profiles", "list"],
        ["tokens", "list"],
        ["tokens", "create", "x"],
        ["jobs", "list"],
        ["storage", "gc"],
        ["ingest", "{folder}"],
    ],
)
def test_commands_ask_for_db_upgrade(unmigrated: Any, tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(make_coa(lot="U-1"))
    with unmigrated.app_context():  # an old file in storage, so that gc asks the database
        from registry.storage import get_storage

        store = get_storage()
        key = store.put(b"%PDF-1.4 old")
        os.utime(store._path(key), (0, 0))
    result = unmigrated.test_cli_runner().invoke(args=[a.format(folder=folder) for a in args])
    assert result.exit_code == 1, (result.output, result.exception)
    assert "run `flask --app wsgi db upgrade` first" in result.output
    assert "Traceback" not in result.output and "sqlalchemy" not in result.output.lower()
