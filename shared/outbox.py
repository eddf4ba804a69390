"""Transactional outbox: events are stored with the change that caused them, then relayed.

A service writes its outbox rows in the same transaction as its state; the relay publishes
committed rows in order and deletes them only after the bus acknowledged. A crash in between
publishes a row twice, never zero times; consumers deduplicate by CloudEvent source + id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Final

import orjson
from sqlalchemy import Column, LargeBinary, String, Table, Text, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.bus import BusUnavailable, EventBus, Record
from shared.db import AdvisoryLock, SequenceId, is_postgres, metadata
from shared.loops import Backoff, run_forever, wait_until

outbox = Table(
    "outbox",
    metadata,
    Column("seq", SequenceId, primary_key=True, autoincrement=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("headers", Text, nullable=False),
    Column("value", LargeBinary, nullable=False),
)


def outbox_row(record: Record) -> dict[str, object]:
    headers = orjson.dumps([[name, value.decode()] for name, value in record.headers]).decode()
    return {
        "topic": record.topic,
        "key": record.key.decode(),
        "headers": headers,
        "value": record.value,
    }


async def add_to_outbox(conn: AsyncConnection, records: Sequence[Record]) -> None:
    if records:
        await conn.execute(outbox.insert(), [outbox_row(r) for r in records])


OUTBOX_ARRAY_COLUMNS: Final[tuple[tuple[str, str], ...]] = tuple(
    (column.name, "bytea" if isinstance(column.type, LargeBinary) else "text")
    for column in outbox.columns
    if column.name != "seq"
)
"""An event's columns with their PostgreSQL type, for a statement that passes rows as arrays."""


def outbox_values(record: Record) -> list[object]:
    """`outbox_row` in the order of `OUTBOX_ARRAY_COLUMNS`."""
    row = outbox_row(record)
    return [row[name] for name, _ in OUTBOX_ARRAY_COLUMNS]


def outbox_insert_sql(rows: str, alias: str, order_by: str) -> str:
    """PostgreSQL: the INSERT (for a data-modifying CTE) that queues the events `rows` carries,
    its columns named as in `OUTBOX_ARRAY_COLUMNS` under `alias`, in `order_by` order."""
    names = [name for name, _ in OUTBOX_ARRAY_COLUMNS]
    return (
        f"INSERT INTO {outbox.name} ({', '.join(names)})\n"
        f"    SELECT {', '.join(f'{alias}.{name}' for name in names)}\n"
        f"    FROM {rows}\n"
        f"    ORDER BY {order_by}"
    )


async def outbox_backlog(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.count()).select_from(outbox)) or 0)


class OutboxRelay:
    def __init__(
        self, engine: AsyncEngine, bus: EventBus, batch_size: int = 1000, linger_s: float = 0.02
    ) -> None:
        self._engine, self._bus, self._batch_size = engine, bus, batch_size
        self._linger_s = linger_s
        self._wake = asyncio.Event()
        self.published = 0

    def wake(self) -> None:
        """Called after a commit that added rows, so relaying does not wait for the next poll."""
        self._wake.set()

    async def relay_once(self) -> int:
        async with self._engine.begin() as conn:
            if is_postgres(conn) and not await conn.scalar(
                select(func.pg_try_advisory_xact_lock(int(AdvisoryLock.OUTBOX_RELAY)))
            ):
                return 0
            rows = (
                await conn.execute(select(outbox).order_by(outbox.c.seq).limit(self._batch_size))
            ).all()
            if not rows:
                return 0
            await self._bus.publish(
                [
                    Record(
                        topic=row.topic,
                        key=row.key.encode(),
                        value=row.value,
                        headers=tuple((n, v.encode()) for n, v in orjson.loads(row.headers)),
                    )
                    for row in rows
                ]
            )
            await conn.execute(delete(outbox).where(outbox.c.seq.in_([row.seq for row in rows])))
        self.published += len(rows)
        return len(rows)

    async def run(self, stop: asyncio.Event, poll_s: float = 0.5) -> None:
        async def step() -> float:
            self._wake.clear()  # before the pass: a wake during it means "look again"
            if await self.relay_once() < self._batch_size:
                await wait_until(self._wake, stop, timeout_s=poll_s)
                # Like a producer's linger.ms: under a stream of commits, a pass per commit would
                # spend more on its round trips than on the rows; a short wait fills the pass.
                await wait_until(stop, timeout_s=self._linger_s)
            return 0.0

        await run_forever("outbox relay", step, stop, Backoff(max_s=5.0), quiet=(BusUnavailable,))
