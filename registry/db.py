"""The declarative base, naming convention and engine tuning shared by every model.

Sessions are owned by the unit of work (a request, a CLI command or a job): services
add and ``flush()`` but never ``commit()``.
"""

from __future__ import annotations

import contextvars
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm import registry as orm_registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = orm_registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime, dict[str, Any]: sa.JSON, list[Any]: sa.JSON},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# SQLite: a write transaction must take the write lock when it begins, or two writers
# that both read first deadlock and one fails at once with "database is locked" instead
# of waiting for busy_timeout. Requests that write set this flag before their first
# statement (see registry.api.init_app); reads keep deferred transactions so they never
# queue behind writers (WAL lets them read alongside).
sqlite_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "sqlite_immediate", default=False
)


SQLITE_MMAP_BYTES = 1 << 30  # map up to the first GiB of the database file
SQLITE_CACHE_KIB = 16 * 1024  # page cache per connection


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Reads: pages come straight from the memory-mapped file (no read() and copy into
    # the page cache per page), which is most of the cost of the index probes a search
    # makes; a larger page cache per connection (default 2 MiB) and temporary sort
    # trees in memory do the rest. Address space only: the OS page cache holds the data.
    cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_immediate.get() else "BEGIN")


class write_intent:  # noqa: N801 - used as a context manager, reads like a statement
    """Mark the transaction about to begin as a writer (``BEGIN IMMEDIATE`` on SQLite)."""

    def __enter__(self) -> None:
        self._token = sqlite_immediate.set(True)

    def __exit__(self, *exc: object) -> None:
        sqlite_immediate.reset(self._token)


def is_retryable(error: BaseException) -> bool:
    """True for races that a fresh transaction resolves.

    Two requests may both see "no such vendor/certificate" and both insert it; the
    loser's unique constraint fails (IntegrityError). PostgreSQL may also cancel one
    of two conflicting transactions (serialization failure, deadlock). Rerunning the
    unit of work then finds the winner's rows.
    """
    if isinstance(error, sa.exc.IntegrityError):
        return True
    if isinstance(error, sa.exc.OperationalError):
        code = getattr(getattr(error, "orig", None), "sqlstate", None)
        return code in {"40001", "40P01"}
    return False


#: PostgreSQL's "undefined_table"; SQLite says "no such table".
_UNDEFINED_TABLE = "42P01"


def not_migrated(error: BaseException) -> bool:
    """True when ``error`` says a table of ours does not exist (the schema was never
    migrated): no retry and no per-item handling helps, only ``db upgrade``."""
    if not isinstance(error, sa.exc.OperationalError | sa.exc.ProgrammingError):
        return False
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlstate", None) == _UNDEFINED_TABLE or "no such table" in str(orig)
