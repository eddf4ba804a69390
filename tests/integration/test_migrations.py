"""Migrations match the tables, and cases stored before migration 0005 stay readable: their
queue columns are filled from what they kept (on SQLite and on a fresh PostgreSQL database)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import JSON, Integer, String, column, table, text
from sqlalchemy.engine import make_url

from services.schema import alembic_config, metadata
from shared.db import UtcDateTime, create_engine
from triage.repository import transactions
from triage.work_queue import QueueFilter

LEGACY_STATE = {
    "household": {"minors": 2, "adults": 1},
    "open_signals": {
        "eviction_order": {
            "id": "s-1",
            "source": "corp-old",
            "type": "eviction_order",
            "occurred_at": "2026-11-02T09:00:00+01:00",
            "details": {"judgment_date": "2026-10-30", "eviction_date": "2026-12-03"},
        }
    },
    "signals": [
        {
            "id": "s-1",
            "source": "corp-old",
            "type": "eviction_order",
            "occurred_at": "2026-11-02T09:00:00+01:00",
            "details": {"judgment_date": "2026-10-30", "eviction_date": "2026-12-03"},
        }
    ],
    "reasons": [["EVICTION_ORDER", 40, "Eviction order"], ["MINORS", 20, "2 children"]],
    "contact_attempts": [["phone", False, "2026-11-03T10:00:00+01:00"]],
    "history": [["2026-11-02T09:00:00+01:00", "opened", {"score": 60}]],
}


LEGACY_CASES = table(
    "cases",
    *(
        column(name, type_)
        for name, type_ in [
            ("case_id", String()),
            ("household_pseudonym", String()),
            ("status", String()),
            ("priority", String()),
            ("priority_rank", Integer()),
            ("risk_score", Integer()),
            ("team", String()),
            ("respond_before", UtcDateTime()),
            ("opened_at", UtcDateTime()),
            ("policy_version", String()),
            ("sealed_household", String()),
            ("state", JSON()),
            ("version", Integer()),
        ]
    ),
)
"""The cases table as migration 0003 left it."""


@pytest.fixture(params=["sqlite", "postgres"])
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    base = request.getfixturevalue("pg_url")
    name = f"vs_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    async with admin.connect() as conn:
        await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
            text(f"CREATE DATABASE {name}")
        )
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
                text(f"DROP DATABASE {name} WITH (FORCE)")
            )
        await admin.dispose()


async def migrate(url: str, revision: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


async def test_a_case_stored_before_0005_is_listed_and_read_after_it(fresh_url: str) -> None:
    await migrate(fresh_url, "0003")
    engine = create_engine(fresh_url)
    now = datetime(2026, 11, 2, 8, tzinfo=UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                LEGACY_CASES.insert().values(
                    case_id="legacy-1",
                    household_pseudonym="p-old",
                    status="open",
                    priority="critical",
                    priority_rank=-3,
                    risk_score=60,
                    team="crisis",
                    respond_before=now,
                    opened_at=now,
                    policy_version="2026.1",
                    sealed_household="sealed",
                    state=LEGACY_STATE,
                    version=1,
                )
            )
        await engine.dispose()
        await migrate(fresh_url, "head")
        engine = create_engine(fresh_url)
        async with engine.connect() as conn:
            diffs = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), metadata)
            )
        assert diffs == []
        begin = transactions(engine)
        async with begin() as repository:
            page = await repository.queue(QueueFilter())
            file = await repository.get("legacy-1")
        (item,) = [c for c in page.items if c.case_id == "legacy-1"]
        assert item.signal_types == ["eviction_order"]
        assert (item.minors, str(item.eviction_date)) == (2, "2026-12-03")
        assert [r.code for r in item.reasons] == ["EVICTION_ORDER", "MINORS"]
        assert file is not None
        assert file.case.counted("eviction_order") is not None
        assert file.sealed_by_source == {"corp-old": "sealed"}
        assert file.case.contact_attempts[0].id  # a stable id for an attempt stored without one
    finally:
        await engine.dispose()
