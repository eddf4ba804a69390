"""Async database plumbing shared by every service: engine, metadata and portable upserts."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import BigInteger, ColumnElement, DateTime, Integer, MetaData, case, event, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Insert
from sqlalchemy.sql.schema import Table
from sqlalchemy.types import TypeDecorator

from shared.files import private_file


@enum.unique
class AdvisoryLock(enum.IntEnum):
    """Every PostgreSQL advisory lock key the system takes, in one place, so that no two
    unrelated locks share a key (the outbox relay and the audit chain once did: a relay
    waiting on Kafka held up every audit append in every process)."""

    MIGRATION = 7_311_001
    """Several processes may start at once; one migrates."""
    AUDIT_CHAIN = 7_311_002
    """Appends to the hash chain, held to the commit."""
    OUTBOX_RELAY = 7_311_003
    """One relay pass at a time (per-key order), held while it publishes."""
    KEY_STORE_SCHEMA = 0x56534B53
    """\"VSKS\": the key store's tables, created by one process at a time."""


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a bigserial.
SequenceId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both PostgreSQL and SQLite (which drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def create_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    json = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            private_file(Path(database))
        engine = create_async_engine(url, **json)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged signal survives power loss
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # No pre-ping (a round trip per transaction on the hot path); connections are recycled, and
    # one broken by a database restart fails its request once and is replaced.
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800, **json
    )


def insert_ignoring_conflicts(conn: AsyncConnection, table: Table) -> Insert:
    """`INSERT ... ON CONFLICT DO NOTHING` in the connection's dialect: the basis of idempotency."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def is_postgres(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "postgresql"


async def plan_afresh(conn: AsyncConnection) -> None:
    """PostgreSQL: plan this transaction's statements for their parameters and the tables as
    they are now. A prepared statement's generic plan is kept until the tables are analysed
    again; one made while they were empty (and analysed so) nests loops over sequential scans,
    which turned one notifier claim into 44 s of CPU once a monthly batch filled them. For
    queries over joins on tables that fill in bursts; planning costs well under a millisecond."""
    if is_postgres(conn):
        await conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


def count_if(condition: Any) -> Any:
    """`SUM(CASE WHEN condition THEN 1 ELSE 0 END)`, 0 over no rows: a count beside others."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def hour_of(conn: AsyncConnection, column: Any) -> ColumnElement[Any]:
    """The UTC hour a timestamp falls in, in the connection's dialect (for charts per hour)."""
    if conn.dialect.name == "postgresql":
        return func.date_trunc("hour", column)
    return func.strftime("%Y-%m-%d %H:00:00", column)


def as_utc(value: datetime | str) -> datetime:
    """A grouped hour as it comes back (SQLite: text), as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_OUTAGE_SQLSTATES = ("08", "57")
"""Connection exceptions, and operator intervention (the server shutting down or starting up)."""


def database_away(exc: BaseException) -> bool:
    """The database cannot be reached or is restarting: says nothing about the statement, so a
    retry (later) is right. asyncpg's "shutting down" and "starting up" errors come through
    SQLAlchemy as a bare DBAPIError/InternalError, recognised by their SQLSTATE class."""
    if isinstance(exc, OSError | TimeoutError | OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        for cause in (exc.orig, getattr(exc.orig, "__cause__", None)):
            state = getattr(cause, "sqlstate", None)
            if isinstance(state, str) and state.startswith(_OUTAGE_SQLSTATES):
                return True
    return False


_MOST_STALE_CONNECTIONS = 20  # what the pool may hold: create_engine's pool_size × 2


async def fetch_in_one_statement(engine: AsyncEngine, sql: str, *args: object) -> list[Any]:
    """PostgreSQL: runs one statement straight on asyncpg, outside any transaction (it commits
    on its own, atomically), and returns its rows: one round trip, where a transaction through
    SQLAlchemy costs at least three (BEGIN, the statement, COMMIT).

    After a database restart the pool still holds connections to the old server: each fails at
    once and is dropped, and the statement is sent on the next one. So a statement must be safe
    to send again (what an earlier attempt did commit is found there)."""
    for _ in range(_MOST_STALE_CONNECTIONS + 1):
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            assert driver is not None
            try:
                rows: list[Any] = await driver.fetch(sql, *args)
            except Exception:
                if not driver.is_closed():
                    raise
                await conn.invalidate()
                continue
            return rows
    raise ConnectionError("no live connection to the database")
