"""A database of one test's own, on SQLite or real PostgreSQL, for tests of the audit log.

Those tests tamper with the log behind its triggers; in a shared database that would break
the chain for every test after them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from services.schema import upgrade


@pytest.fixture(params=["sqlite", "postgres"])
async def audit_url(
    request: pytest.FixtureRequest, tmp_path: Path, unique: str
) -> AsyncIterator[str]:
    """A database of its own: tests here tamper with the log, which must not leak into others."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}"
        await upgrade(url)
        yield url
        return
    base = make_url(request.getfixturevalue("pg_url"))
    name = f"audit_{unique}"
    admin = await asyncpg.connect(
        host=base.host, port=base.port, user=base.username, password=base.password,
        database=base.database,
    )  # fmt: skip
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = base.set(database=name).render_as_string(hide_password=False)
        await upgrade(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def behind_the_triggers(conn: AsyncConnection, statement: str) -> None:
    """What a superuser could do: switch the guard off, change the table, switch it on."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        await conn.execute(text(statement))
        await conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    else:
        await conn.execute(text("DROP TRIGGER audit_log_no_update"))
        await conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        await conn.execute(text(statement))
