"""The dead-letter store: deliveries that spent their budget (or hit a 410), for ops to list and
replay. Ids and technical reasons only, never personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.domain.delivery import DeliveryStatus, replay
from notifier.store.endpoints import enable_all_endpoints
from notifier.store.states import to_delivery, write_states
from notifier.tables import notifications, webhook_deliveries

PARKED = (DeliveryStatus.DEAD, DeliveryStatus.ENDPOINT_DISABLED)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A notification ops must look at; ids and technical reasons only, no personal data."""

    id: str
    event_type: str
    case_id: str
    status: str
    attempts: int
    last_error: str | None
    since: datetime | None


async def dead_letters(
    conn: AsyncConnection,
    limit: int = 1000,
    *,
    table: Table = webhook_deliveries,
    newest_first: bool = False,
) -> list[DeadLetter]:
    """Parked deliveries of one channel (webhooks by default, or `team_emails`)."""
    d, n = table.c, notifications.c
    since = d.settled_at.desc() if newest_first else d.settled_at
    rows = (
        await conn.execute(
            select(
                d.notification_id,
                n.event_type,
                n.subject,
                d.status,
                d.attempts,
                d.last_error,
                d.settled_at,
            )
            .join_from(table, notifications, d.notification_id == n.id)
            .where(d.status.in_(PARKED))
            .order_by(since, d.notification_id)
            .limit(limit)
        )
    ).all()
    return [DeadLetter(*row) for row in rows]


async def count_dead_letters(conn: AsyncConnection, table: Table = webhook_deliveries) -> int:
    return int(
        await conn.scalar(select(func.count()).select_from(table).where(table.c.status.in_(PARKED)))
        or 0
    )


async def replay_dead_letters(
    conn: AsyncConnection, ids: Sequence[str] | None, now: datetime
) -> list[str]:
    """Back to pending with a fresh budget under the same id; re-enables the endpoint.

    Deliveries parked behind a disabled endpoint get a fresh budget too: they never had a
    fair try. `ids=None` replays every dead letter.
    """
    d = webhook_deliveries.c
    query = select(webhook_deliveries).where(d.status.in_(PARKED))
    if ids is not None:
        query = query.where(d.notification_id.in_(ids))
    replayed = [replay(to_delivery(row), now) for row in (await conn.execute(query)).all()]
    await write_states(conn, webhook_deliveries, [(r, None) for r in replayed], now)
    if not replayed and ids is not None:
        return []
    if await enable_all_endpoints(conn):
        await conn.execute(
            update(webhook_deliveries)
            .where(d.status == DeliveryStatus.PENDING, d.started_at < now)
            .values(started_at=now, attempts=0, next_attempt_at=now)
        )
    return [r.notification_id for r in replayed]
