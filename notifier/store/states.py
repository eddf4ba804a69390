"""Delivery state rows: read, write, and save what an attempt did to a claimed delivery."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, Update, bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.domain.delivery import Delivery, DeliveryStatus
from shared.db import UtcDateTime


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


async def save_outcomes(
    conn: AsyncConnection,
    table: Table,
    outcomes: Sequence[tuple[Delivery, Delivery]],
    now: datetime,
) -> None:
    """Store each (claimed, after attempt) pair; a claim another worker took over is left alone."""
    await write_states(conn, table, [(after, claimed.attempts) for claimed, after in outcomes], now)


async def write_states(
    conn: AsyncConnection,
    table: Table,
    deliveries: Sequence[tuple[Delivery, int | None]],
    now: datetime,
) -> None:
    """Write delivery states in one executemany; with an expected attempt count only if it holds."""
    if not deliveries:
        return
    guarded = deliveries[0][1] is not None
    await conn.execute(
        _write_statement(table, guarded),
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


@functools.cache
def _write_statement(table: Table, guarded: bool) -> Update:
    statement = update(table).where(table.c.notification_id == bindparam("b_id"))
    if guarded:
        statement = statement.where(
            table.c.attempts == bindparam("b_expected"), table.c.status == DeliveryStatus.PENDING
        )
    return statement.values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        started_at=bindparam("b_started", type_=UtcDateTime),
        next_attempt_at=bindparam("b_next", type_=UtcDateTime),
        last_error=bindparam("b_error"),
        settled_at=bindparam("b_settled", type_=UtcDateTime),
    )
