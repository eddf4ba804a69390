"""Consumer inbox: an effect is recorded together with the id of the event that caused it.

At-least-once delivery plus this check in the effect's own transaction gives effectively-once
effects (CONTRACT §5).
"""

from __future__ import annotations

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


async def first_delivery(conn: AsyncConnection, consumer: str, event: CloudEvent) -> bool:
    """True exactly once per (consumer, event); later deliveries are duplicates to skip."""
    from datetime import UTC, datetime

    result = await conn.execute(
        insert_ignoring_conflicts(conn, inbox).values(
            consumer=consumer,
            event_source=event.source,
            event_id=event.id,
            processed_at=datetime.now(UTC),
        )
    )
    return result.rowcount == 1
