"""Delivery state in the database: claim what is due, save what happened, park, list and replay.

Claiming moves `next_attempt_at` forward by a lease in the same statement, so a second worker
(PostgreSQL: `FOR UPDATE SKIP LOCKED`) never takes the same delivery, and a crashed worker's
deliveries come due again when the lease runs out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.domain.delivery import Delivery, DeliveryStatus, replay
from notifier.tables import notifications, webhook_deliveries, webhook_endpoints
from shared.db import UtcDateTime, insert_ignoring_conflicts, is_postgres

LEASE = timedelta(seconds=60)
"""Longer than one attempt can take (connect 5 s + write + read 10 s) with room to spare."""

PARKED = (DeliveryStatus.DEAD, DeliveryStatus.ENDPOINT_DISABLED)


def to_delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        notification_id=row.notification_id,
        started_at=row.started_at,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
    )


def delivery_row(delivery: Delivery) -> dict[str, Any]:
    return {
        "notification_id": delivery.notification_id,
        "status": str(delivery.status),
        "attempts": delivery.attempts,
        "started_at": delivery.started_at,
        "next_attempt_at": delivery.next_attempt_at,
        "last_error": delivery.last_error,
        "settled_at": None,
    }


async def claim_due(
    conn: AsyncConnection, table: Table, now: datetime, limit: int, lease: timedelta = LEASE
) -> list[Delivery]:
    """Take up to `limit` due deliveries, oldest due first, for `lease`."""
    due = (
        select(table.c.notification_id)
        .where(table.c.status == DeliveryStatus.PENDING, table.c.next_attempt_at <= now)
        .order_by(table.c.next_attempt_at)
        .limit(limit)
    )
    if is_postgres(conn):
        due = due.with_for_update(skip_locked=True)
    rows = (
        await conn.execute(
            update(table)
            .where(table.c.notification_id.in_(due.scalar_subquery()))
            .values(next_attempt_at=now + lease)
            .returning(*table.c)
        )
    ).all()
    return [to_delivery(row) for row in rows]


async def save_outcomes(
    conn: AsyncConnection,
    table: Table,
    outcomes: Sequence[tuple[Delivery, Delivery]],
    now: datetime,
) -> None:
    """Store each (claimed, after attempt) pair; a claim another worker took over is left alone."""
    await _write(conn, table, [(after, claimed.attempts) for claimed, after in outcomes], now)


async def _write(
    conn: AsyncConnection,
    table: Table,
    deliveries: Sequence[tuple[Delivery, int | None]],
    now: datetime,
) -> None:
    """Write delivery states in one executemany; with an expected attempt count only if it holds."""
    if not deliveries:
        return
    guarded = deliveries[0][1] is not None
    statement = update(table).where(table.c.notification_id == bindparam("b_id"))
    if guarded:
        statement = statement.where(
            table.c.attempts == bindparam("b_expected"), table.c.status == DeliveryStatus.PENDING
        )
    statement = statement.values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        started_at=bindparam("b_started", type_=UtcDateTime),
        next_attempt_at=bindparam("b_next", type_=UtcDateTime),
        last_error=bindparam("b_error"),
        settled_at=bindparam("b_settled", type_=UtcDateTime),
    )
    await conn.execute(
        statement,
        [
            {
                "b_id": d.notification_id,
                "b_status": str(d.status),
                "b_attempts": d.attempts,
                "b_started": d.started_at,
                "b_next": d.next_attempt_at,
                "b_error": d.last_error,
                "b_settled": None if d.status is DeliveryStatus.PENDING else now,
                **({"b_expected": expected} if guarded else {}),
            }
            for d, expected in deliveries
        ],
    )


async def next_due(conn: AsyncConnection, table: Table) -> datetime | None:
    due: datetime | None = await conn.scalar(
        select(func.min(table.c.next_attempt_at)).where(table.c.status == DeliveryStatus.PENDING)
    )
    return due


def endpoint_key(url: str) -> str:
    """Endpoints are known by a hash: a URL may carry a token that has no place in the database."""
    return hashlib.sha256(url.encode()).hexdigest()


async def is_endpoint_disabled(conn: AsyncConnection, key: str) -> bool:
    disabled_at = await conn.scalar(
        select(webhook_endpoints.c.disabled_at).where(webhook_endpoints.c.endpoint == key)
    )
    return disabled_at is not None


async def disable_endpoint(conn: AsyncConnection, key: str, now: datetime, reason: str) -> None:
    await conn.execute(
        insert_ignoring_conflicts(conn, webhook_endpoints).values(
            endpoint=key, disabled_at=now, reason=reason
        )
    )
    await conn.execute(
        update(webhook_endpoints)
        .where(
            webhook_endpoints.c.endpoint == key,
            webhook_endpoints.c.disabled_at.is_(None),
        )
        .values(disabled_at=now, reason=reason)
    )


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


async def dead_letters(conn: AsyncConnection, limit: int = 1000) -> list[DeadLetter]:
    d, n = webhook_deliveries.c, notifications.c
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
            .join_from(webhook_deliveries, notifications, d.notification_id == n.id)
            .where(d.status.in_(PARKED))
            .order_by(d.settled_at, d.notification_id)
            .limit(limit)
        )
    ).all()
    return [DeadLetter(*row) for row in rows]


async def count_dead_letters(conn: AsyncConnection) -> int:
    return int(
        await conn.scalar(
            select(func.count())
            .select_from(webhook_deliveries)
            .where(webhook_deliveries.c.status.in_(PARKED))
        )
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
    await _write(conn, webhook_deliveries, [(r, None) for r in replayed], now)
    if not replayed and ids is not None:
        return []
    was_disabled = await conn.execute(
        update(webhook_endpoints)
        .where(webhook_endpoints.c.disabled_at.is_not(None))
        .values(disabled_at=None, reason=None)
    )
    if was_disabled.rowcount:
        await conn.execute(
            update(webhook_deliveries)
            .where(
                d.status == DeliveryStatus.PENDING,
                d.started_at < now,
            )
            .values(started_at=now, attempts=0, next_attempt_at=now)
        )
    return [r.notification_id for r in replayed]
