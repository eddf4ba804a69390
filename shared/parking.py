"""Parked records: what a consumer cannot handle is kept with its reason, and the partition goes on
(CONTRACT §5). A record is parked as it came off the bus (sealed household and all: nothing in it
is readable without the household's key), so it can be inspected and replayed once the cause is
fixed; the purge deletes an erased household's parked records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import Column, Integer, LargeBinary, String, Table, Text, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.bus import Record
from shared.db import SequenceId, UtcDateTime, metadata
from shared.observability import EVENTS_PARKED

parked_records = Table(
    "parked_records",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", SequenceId, nullable=False),
    Column("key", String(200), nullable=False),
    Column("headers", Text, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("parked_at", UtcDateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class ParkedRecord:
    id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    reason: str
    parked_at: datetime


async def park(conn: AsyncConnection, consumer: str, record: Record, reason: str) -> None:
    """Keeps `record` with `reason` (ids and types only: never a value from the record)."""
    await conn.execute(
        parked_records.insert().values(
            consumer=consumer,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode(errors="replace"),
            headers=orjson.dumps(
                [[n, v.decode(errors="replace")] for n, v in record.headers]
            ).decode(),
            value=record.value,
            reason=reason[:500],
            parked_at=datetime.now(UTC),
        )
    )
    EVENTS_PARKED.labels(consumer=consumer).inc()


async def count_parked(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.count()).select_from(parked_records)) or 0)


async def list_parked(conn: AsyncConnection, limit: int = 100) -> Sequence[ParkedRecord]:
    t = parked_records.c
    rows = await conn.execute(
        select(t.id, t.consumer, t.topic, t.partition, t.offset, t.reason, t.parked_at)
        .order_by(t.id.desc())
        .limit(limit)
    )
    return [ParkedRecord(*row) for row in rows]


async def erase_parked(conn: AsyncConnection, households: Sequence[str], dry_run: bool) -> int:
    """The purge: parked records of erased households (the record key is the pseudonym)."""
    if not households:
        return 0
    where = parked_records.c.key.in_(list(households))
    if dry_run:
        counted = select(func.count()).select_from(parked_records).where(where)
        return int(await conn.scalar(counted) or 0)
    return int((await conn.execute(delete(parked_records).where(where))).rowcount or 0)
