"""The audit log on SQLite and real PostgreSQL: one chain under concurrent appends, refused
changes, and `audit verify` finding an entry edited or removed behind the triggers' back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.audit_cli import verify_audit
from shared.audit import CLI, SYSTEM, Actor, append_audit, append_audits
from shared.audit.domain import verify_chain
from shared.audit.repository import iter_audit
from shared.bus import Record
from shared.db import create_engine
from shared.outbox import OutboxRelay, add_to_outbox
from tests.conftest import SettingsFactory
from tests.integration.audit_db import audit_url, behind_the_triggers

READER = Actor.for_key("4f0c2d7a9b1e", "usd-gooise-meren")
__all__ = ["audit_url"]  # the fixture


@pytest.fixture
async def engine(audit_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(audit_url)
    yield engine
    await engine.dispose()


async def append(engine: AsyncEngine, n: int) -> None:
    async with engine.begin() as conn:
        await append_audit(conn, READER, "contact_data.shown", f"case-{n}", {"via": "api"})


async def entries(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as conn:
        found = [e async for e in iter_audit(conn, batch=7)]
    assert verify_chain(found) is None
    return [e.id for e in found]


async def test_concurrent_appends_from_two_engines_form_one_unforked_chain(
    audit_url: str, engine: AsyncEngine
) -> None:
    other = create_engine(audit_url)
    try:
        await asyncio.gather(*(append(engine if n % 2 else other, n) for n in range(50)))
    finally:
        await other.dispose()
    assert await entries(engine) == list(range(1, 51))


async def append_round(engine: AsyncEngine, n: int) -> None:
    async with engine.begin() as conn:
        items = [(f"case-{n}-{i}", {"notification_id": f"n-{n}-{i}"}) for i in range(5)]
        await append_audits(conn, SYSTEM, "webhook.contact_data_sent", items)


async def test_batched_appends_among_single_ones_form_one_chain_in_order(
    audit_url: str, engine: AsyncEngine
) -> None:
    other = create_engine(audit_url)
    try:
        await asyncio.gather(
            *(append_round(other, n) if n % 2 else append(engine, n) for n in range(20))
        )
    finally:
        await other.dispose()
    assert await entries(engine) == list(range(1, 61))  # 10 single + 10 rounds of 5
    async with engine.connect() as conn:
        sent = [e.subject async for e in iter_audit(conn) if e.actor == SYSTEM]
    rounds = [sent[i : i + 5] for i in range(0, 50, 5)]
    assert all(r == [f"{r[0][:-2]}-{i}" for i in range(5)] for r in rounds)  # each round whole


class StalledBus:
    """A broker that takes its time: `publish` waits until the test lets it go."""

    def __init__(self) -> None:
        self.publishing, self.release = asyncio.Event(), asyncio.Event()

    async def publish(self, records: Sequence[Record]) -> None:
        self.publishing.set()
        await self.release.wait()


async def test_an_append_does_not_wait_for_a_relay_publishing_to_a_slow_broker(
    engine: AsyncEngine,
) -> None:
    """Found: the outbox relay and the audit chain took the same PostgreSQL advisory lock, so a
    relay waiting on Kafka (up to its 20 s publish timeout) held up every audited action in
    every process: webhook rounds, case reads, key changes."""
    async with engine.begin() as conn:
        await add_to_outbox(conn, [Record("vs.test", b"k", b"{}", ())])
    bus = StalledBus()
    relay = asyncio.create_task(OutboxRelay(engine, bus).relay_once())  # type: ignore[arg-type]
    try:
        await asyncio.wait_for(bus.publishing.wait(), 5)
        await asyncio.wait_for(append(engine, 1), 3)
    finally:
        bus.release.set()
        relayed = await relay
    assert relayed == 1
    assert await entries(engine) == [1]


async def test_an_effect_and_its_entry_commit_together(engine: AsyncEngine) -> None:
    await append(engine, 1)
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await append_audit(conn, CLI, "key.revoked", "k2")
            raise RuntimeError("the effect failed")
    await append(engine, 3)
    assert await entries(engine) == [1, 2]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET details = '{}'",
        "UPDATE audit_log SET hash = hash",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 1",
    ],
)
async def test_the_database_refuses_to_change_or_delete_entries(
    engine: AsyncEngine, statement: str
) -> None:
    await append(engine, 1)
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text("TRUNCATE audit_log"))
    assert await entries(engine) == [1]


@pytest.mark.parametrize(
    ("statement", "broken_at"),
    [
        ("UPDATE audit_log SET subject = 'case-other' WHERE id = 4", 4),
        ('UPDATE audit_log SET details = \'{"via":"page"}\' WHERE id = 2', 2),
        ("UPDATE audit_log SET actor_source = 'elsewhere' WHERE id = 6", 6),
        ("DELETE FROM audit_log WHERE id = 3", 4),
        ("DELETE FROM audit_log WHERE id = 1", 2),
    ],
)
async def test_verify_names_the_first_entry_changed_or_removed(
    audit_url: str,
    engine: AsyncEngine,
    make_settings: SettingsFactory,
    capsys: pytest.CaptureFixture[str],
    statement: str,
    broken_at: int,
) -> None:
    for n in range(6):
        await append(engine, n)
    settings = make_settings(database_url=audit_url)
    assert await verify_audit(settings) == 0
    assert "intact: 6 entries" in capsys.readouterr().out
    async with engine.begin() as conn:
        await behind_the_triggers(conn, statement)
    assert await verify_audit(settings) == 1
    assert f"BROKEN at entry {broken_at}:" in capsys.readouterr().out
