"""Consumer inbox: an effect is recorded together with the id of the event that caused it.

At-least-once delivery plus this check in the effect's own transaction gives effectively-once
effects (CONTRACT §5).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Column, PrimaryKeyConstraint, String, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.cloudevent import CloudEvent
from shared.db import UtcDateTime, insert_ignoring_conflicts, metadata

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", String(100), nullable=False),
    Column("event_source", String(200), nullable=False),
    Column("event_id", String(100), nullable=False),
    Column("processed_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("consumer", "event_source", "event_id"),
)


async def first_deliveries(
    conn: AsyncConnection, consumer: str, events: Sequence[CloudEvent]
) -> list[CloudEvent]:
    """The events this consumer has not handled before, in order; each is returned only once."""
    if not events:
        return []
    now = datetime.now(UTC)
    rows = {
        (e.source, e.id): {
            "consumer": consumer,
            "event_source": e.source,
            "event_id": e.id,
            "processed_at": now,
        }
        for e in events
    }
    fresh: set[tuple[str, str]] = set()
    values = [rows[k] for k in sorted(rows)]  # one lock order for concurrent consumers
    # executemany of one cached statement (SQLAlchemy batches it as insertmanyvalues)
    stmt = insert_ignoring_conflicts(conn, inbox).returning(inbox.c.event_source, inbox.c.event_id)
    result = await conn.execute(stmt, values)
    fresh.update((row.event_source, row.event_id) for row in result)
    chosen = []
    for event in events:
        if (event.source, event.id) in fresh:
            fresh.discard((event.source, event.id))
            chosen.append(event)
    return chosen
