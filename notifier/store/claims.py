"""Claim what is due: oldest due first, one change per case in flight, for a lease.

Claiming moves `next_attempt_at` forward by a lease in the same statement, so a second worker
(PostgreSQL: `FOR UPDATE SKIP LOCKED`) never takes the same delivery, and a crashed worker's
deliveries come due again when the lease runs out. The caller sizes the lease to what it claims.

Order per case: a delivery is only claimed while no earlier notification of the same case
(`subject`) is still pending on the same channel, so at most one change per case is in flight
and the USD sees `opened` before `updated` before `closed`. "Earlier" is `notifications`'
(`created_at`, `id`), which the recorder makes strictly increasing in bus order. A dead (or
410-parked) earlier notification no longer blocks: the later ones go out and ops replay the
dead one (same webhook-id, CloudEvent `time` tells the USD it is older) — a case must not stall
for good behind one notification the USD refused for a day.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    Update,
    and_,
    bindparam,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.domain.delivery import Delivery, DeliveryStatus
from notifier.store.states import to_delivery
from notifier.tables import notifications, webhook_endpoints
from shared.db import UtcDateTime, is_postgres

LEASE = timedelta(seconds=60)
"""The default lease, for callers that claim a few deliveries with short attempts."""


def _first_of_its_case(table: Table) -> tuple[Any, ColumnElement[bool]]:
    """(a join of `table` with its notifications, "no earlier pending delivery of that case")."""
    mine = notifications.alias("mine")
    earlier_delivery, earlier = table.alias("earlier_delivery"), notifications.alias("earlier")
    blocker = (
        select(earlier_delivery.c.notification_id)
        .join(earlier, earlier.c.id == earlier_delivery.c.notification_id)
        .where(
            earlier.c.subject == mine.c.subject,
            earlier_delivery.c.status == DeliveryStatus.PENDING,
            or_(
                earlier.c.created_at < mine.c.created_at,
                and_(earlier.c.created_at == mine.c.created_at, earlier.c.id < mine.c.id),
            ),
        )
    )
    joined = table.join(mine, mine.c.id == table.c.notification_id)
    return joined, ~exists(blocker)


@functools.cache
def _claim_statement(table: Table, postgres: bool, guarded: bool) -> Update:
    """Built once per table and dialect: the aliases cost more to build than the claim to run."""
    joined, first_of_its_case = _first_of_its_case(table)
    due = (
        select(table.c.notification_id)
        .select_from(joined)
        .where(
            table.c.status == DeliveryStatus.PENDING,
            table.c.next_attempt_at <= bindparam("c_now", type_=UtcDateTime),
            first_of_its_case,
        )
        .order_by(table.c.next_attempt_at)
        .limit(bindparam("c_limit", type_=Integer))
        .correlate(None)
    )
    if guarded:
        disabled = select(webhook_endpoints.c.endpoint).where(
            webhook_endpoints.c.endpoint == bindparam("c_endpoint", type_=String),
            webhook_endpoints.c.disabled_at.is_not(None),
        )
        due = due.where(~exists(disabled))
    if postgres:
        due = due.with_for_update(of=table, skip_locked=True)
    return (
        update(table)
        .where(table.c.notification_id.in_(due.scalar_subquery()))
        .values(next_attempt_at=bindparam("c_lease_end", type_=UtcDateTime))
        .returning(*table.c)
    )


@functools.cache
def _next_due_statement(table: Table) -> Select[tuple[datetime | None]]:
    joined, first_of_its_case = _first_of_its_case(table)
    return (  # ordered and limited, not min(): walks the due index, stops at the first hit
        select(table.c.next_attempt_at)
        .select_from(joined)
        .where(table.c.status == DeliveryStatus.PENDING, first_of_its_case)
        .order_by(table.c.next_attempt_at)
        .limit(1)
    )


async def claim_due(
    conn: AsyncConnection,
    table: Table,
    now: datetime,
    limit: int,
    lease: timedelta = LEASE,
    *,
    unless_disabled: str | None = None,
) -> list[Delivery]:
    """Take up to `limit` due deliveries, oldest due first and each first of its case, for
    `lease`; none while the webhook endpoint keyed `unless_disabled` is disabled."""
    guarded = unless_disabled is not None
    params: dict[str, Any] = {"c_now": now, "c_limit": limit, "c_lease_end": now + lease}
    if guarded:
        params["c_endpoint"] = unless_disabled
    rows = (await conn.execute(_claim_statement(table, is_postgres(conn), guarded), params)).all()
    return [to_delivery(row) for row in rows]


async def next_due(conn: AsyncConnection, table: Table) -> datetime | None:
    """When the next claimable delivery comes due; one waiting behind its case does not count."""
    due: datetime | None = await conn.scalar(_next_due_statement(table))
    return due
