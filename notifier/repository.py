"""The notifier's data access, the only module that knows its tables: notifications, delivery
state per channel (webhook, team e-mail), the attempt log, endpoint state and dead letters.

A claim takes what is due for a lease: oldest due first, each the first pending change of its
case (`subject`, in `created_at`, `id` order) on its channel, so the USD sees `opened` before
`updated` before `closed`. Claiming moves `next_attempt_at` to the lease end in the same
statement, so a second worker (PostgreSQL: `FOR UPDATE SKIP LOCKED`) never takes the same
delivery and a crashed worker's deliveries come due again. A dead (or 410-parked) earlier
notification does not block: a case must not stall behind one the USD refused for a day.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    Select,
    String,
    Table,
    Update,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import TextClause

from notifier.domain.delivery import AttemptResult, Delivery, DeliveryStatus
from notifier.domain.notification import (
    Channel,
    DeadLetter,
    NotificationState,
    StoredNotification,
    TeamEmail,
)
from notifier.tables import (
    notifications,
    team_emails,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)
from shared.audit import SYSTEM, append_audits
from shared.db import (
    UtcDateTime,
    as_utc,
    hour_of,
    insert_ignoring_conflicts,
    is_postgres,
    plan_afresh,
)
from shared.ops.volumes import HourCount

_TABLES: dict[Channel, Table] = {"webhook": webhook_deliveries, "team_email": team_emails}
_STORED = tuple(f.name for f in dataclasses.fields(StoredNotification))
_STATE = ("status", "attempts", "started_at", "next_attempt_at", "last_error", "settled_at")
PARKED = (DeliveryStatus.DEAD, DeliveryStatus.ENDPOINT_DISABLED)


class NotificationRepository:
    """Reads and writes on one connection; the caller owns its transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def audit_contact_data_sent(self, sent: Sequence[StoredNotification]) -> None:
        """One `webhook.contact_data_sent` per delivered full webhook: case id, notification id
        (one lock and one insert for the round)."""
        await append_audits(
            self._conn,
            SYSTEM,
            "webhook.contact_data_sent",
            [(stored.subject, {"notification_id": stored.id}) for stored in sent],
        )

    async def add_notifications(self, stored: Sequence[StoredNotification]) -> set[str]:
        """Stores the new ones and returns their ids; one stored before is left as it was."""
        insert = insert_ignoring_conflicts(self._conn, notifications).returning(notifications.c.id)
        rows = [{name: getattr(n, name) for name in _STORED} for n in stored]  # flat: no asdict
        return set((await self._conn.execute(insert, rows)).scalars()) if rows else set()

    async def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        if deliveries:
            await self._conn.execute(webhook_deliveries.insert(), [_row(d) for d in deliveries])

    async def add_team_emails(self, emails: Sequence[tuple[Delivery, TeamEmail]]) -> None:
        rows = [_row(d) | {"recipient": e.recipient, "message": e.message} for d, e in emails]
        if rows:
            await self._conn.execute(team_emails.insert(), rows)

    async def claim_due(
        self,
        channel: Channel,
        now: datetime,
        limit: int,
        lease: timedelta,
        *,
        unless_disabled: str | None = None,
    ) -> list[Delivery]:
        """Up to `limit` due deliveries for `lease`; none while endpoint `unless_disabled` is."""
        params: dict[str, Any] = {"c_now": now, "c_limit": limit, "c_lease_end": now + lease}
        if unless_disabled is not None:
            params["c_endpoint"] = unless_disabled
        claim = _claim(_TABLES[channel], is_postgres(self._conn), unless_disabled is not None)
        await plan_afresh(self._conn)
        return [_delivery(row) for row in await self._conn.execute(claim, params)]

    async def next_due(self, channel: Channel) -> datetime | None:
        """When the next claimable delivery comes due; one waiting behind its case does not."""
        await plan_afresh(self._conn)
        due: datetime | None = await self._conn.scalar(_next_due(_TABLES[channel]))
        return due

    async def notifications(self, ids: Collection[str]) -> dict[str, StoredNotification]:
        query = select(*(notifications.c[f] for f in _STORED))
        rows = await self._conn.execute(query.where(notifications.c.id.in_(ids)))
        return {row.id: StoredNotification(*row) for row in rows}

    async def team_email_messages(self, ids: Collection[str]) -> dict[str, str]:
        e = team_emails.c
        query = select(e.notification_id, e.message).where(e.notification_id.in_(ids))
        return {row.notification_id: row.message for row in await self._conn.execute(query)}

    async def save_states(
        self, channel: Channel, states: Sequence[tuple[Delivery, int | None]], now: datetime
    ) -> None:
        """(state, attempts when claimed) pairs. With a count a state is written only while the
        claim holds (still pending after that many attempts); with None it is written anyway."""
        if not states:
            return
        guarded = states[0][1] is not None
        if is_postgres(self._conn):
            await self._save_states_in_one_statement(channel, states, now, guarded)
            return
        rows = [
            {f"b_{k}": v for k, v in _row(d, now).items()}
            | ({"b_expected": expected} if guarded else {})
            for d, expected in states
        ]
        await self._conn.execute(_write(_TABLES[channel], guarded), rows)

    async def _save_states_in_one_statement(
        self,
        channel: Channel,
        states: Sequence[tuple[Delivery, int | None]],
        now: datetime,
        guarded: bool,
    ) -> None:
        """PostgreSQL: the round's states as arrays in one UPDATE (row by row, each state was a
        statement of its own: most of the database's time in a delivery round)."""
        rows = [_row(d, now) for d, _ in states]
        columns = {name: [row[name] for row in rows] for name in ("notification_id", *_STATE)}
        columns["expected"] = [expected for _, expected in states]
        await self._conn.execute(_write_arrays(_TABLES[channel], guarded), columns)

    async def add_attempts(
        self, attempts: Sequence[tuple[Delivery, AttemptResult]], now: datetime
    ) -> None:
        """The webhook attempt log: which attempt of a notification got which answer, when."""
        rows = [
            {
                "notification_id": d.notification_id,
                "attempt": d.attempts,
                "status_code": r.status_code,
                "error": r.error,
                "at": now,
            }
            for d, r in attempts
        ]
        if rows:
            await self._conn.execute(webhook_attempts.insert(), rows)

    async def is_endpoint_disabled(self, endpoint: str | None) -> bool:
        """Whether the endpoint keyed `endpoint` (None: any endpoint) is disabled by a 410."""
        e = webhook_endpoints.c
        query = select(func.count()).select_from(webhook_endpoints)
        query = query.where(e.disabled_at.is_not(None))
        if endpoint is not None:
            query = query.where(e.endpoint == endpoint)
        return bool(await self._conn.scalar(query))

    async def disable_endpoint(self, endpoint: str, now: datetime, reason: str) -> None:
        e = webhook_endpoints.c
        values = {"disabled_at": now, "reason": reason}
        insert = insert_ignoring_conflicts(self._conn, webhook_endpoints)
        await self._conn.execute(insert.values(endpoint=endpoint, **values))
        await self._conn.execute(
            update(webhook_endpoints)
            .where(e.endpoint == endpoint, e.disabled_at.is_(None))
            .values(**values)
        )

    async def enable_all_endpoints(self) -> bool:
        """Re-enables every disabled endpoint; True if one was disabled."""
        e = webhook_endpoints.c
        result = await self._conn.execute(
            update(webhook_endpoints)
            .where(e.disabled_at.is_not(None))
            .values(disabled_at=None, reason=None)
        )
        return bool(result.rowcount)

    async def parked(self, ids: Collection[str] | None) -> list[Delivery]:
        """Webhook deliveries that are dead or parked by a 410: those of `ids`, or all."""
        d = webhook_deliveries.c
        query = select(webhook_deliveries).where(d.status.in_(PARKED))
        if ids is not None:
            query = query.where(d.notification_id.in_(ids))
        return [_delivery(row) for row in await self._conn.execute(query)]

    async def restart_pending(self, before: datetime) -> None:
        """Pending webhook deliveries started before `before` start again (a fresh budget)."""
        d = webhook_deliveries.c
        await self._conn.execute(
            update(webhook_deliveries)
            .where(d.status == DeliveryStatus.PENDING, d.started_at < before)
            .values(started_at=before, attempts=0, next_attempt_at=before)
        )

    async def dead_letters(
        self, channel: Channel, limit: int, *, newest_first: bool
    ) -> list[DeadLetter]:
        table = _TABLES[channel]
        d, n = table.c, notifications.c
        since = d.settled_at.desc() if newest_first else d.settled_at
        query = (
            select(d.notification_id, n.event_type, n.subject, d.status, d.attempts)
            .add_columns(d.last_error, d.settled_at)
            .join_from(table, notifications, d.notification_id == n.id)
            .where(d.status.in_(PARKED))
            .order_by(since, d.notification_id)
            .limit(limit)
        )
        return [DeadLetter(*row) for row in await self._conn.execute(query)]

    async def count_dead_letters(self, channel: Channel) -> int:
        table = _TABLES[channel]
        query = select(func.count()).select_from(table).where(table.c.status.in_(PARKED))
        return int(await self._conn.scalar(query) or 0)

    async def notification_states(
        self, status: DeliveryStatus | None, limit: int
    ) -> list[NotificationState]:
        """The latest notifications first, with their webhook's state."""
        n, d = notifications.c, webhook_deliveries.c
        query = (
            select(n.id, n.event_type, n.subject, n.time, d.status, d.attempts)
            .add_columns(d.last_error, d.next_attempt_at)
            .join_from(notifications, webhook_deliveries, d.notification_id == n.id)
            .order_by(n.created_at.desc(), n.id)
            .limit(limit)
        )
        if status is not None:
            query = query.where(d.status == status)
        return [NotificationState(*row) for row in await self._conn.execute(query)]


class NotifierDatabase:
    """Opens the notifier's transactions, each with a repository on its connection."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[NotificationRepository]:
        async with self._engine.begin() as conn:
            yield NotificationRepository(conn)


def _row(delivery: Delivery, now: datetime | None = None) -> dict[str, Any]:
    """A delivery's state columns; `settled_at` is `now` once it is no longer pending."""
    settled = None if now is None or delivery.status is DeliveryStatus.PENDING else now
    return {
        "notification_id": delivery.notification_id,
        "status": str(delivery.status),
        "attempts": delivery.attempts,
        "started_at": delivery.started_at,
        "next_attempt_at": delivery.next_attempt_at,
        "last_error": delivery.last_error,
        "settled_at": settled,
    }


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        notification_id=row.notification_id,
        started_at=row.started_at,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
    )


def _first_of_its_case(table: Table) -> tuple[Any, Any]:
    """(`table` joined with its notifications, "no earlier pending delivery of that case")."""
    mine, earlier = notifications.alias("mine"), notifications.alias("earlier")
    earlier_delivery = table.alias("earlier_delivery")
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
    return table.join(mine, mine.c.id == table.c.notification_id), ~exists(blocker)


@functools.cache
def _claim(table: Table, postgres: bool, guarded: bool) -> Update:
    """Built once per table and dialect: the aliases cost more to build than the claim to run."""
    joined, first_of_its_case = _first_of_its_case(table)
    c = table.c
    due = (
        select(c.notification_id)
        .select_from(joined)
        .where(
            c.status == DeliveryStatus.PENDING,
            c.next_attempt_at <= bindparam("c_now", type_=UtcDateTime),
            first_of_its_case,
        )
        .order_by(c.next_attempt_at)
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
        .where(c.notification_id.in_(due.scalar_subquery()))
        .values(next_attempt_at=bindparam("c_lease_end", type_=UtcDateTime))
        .returning(*c)
    )


@functools.cache
def _next_due(table: Table) -> Select[tuple[datetime | None]]:
    joined, first_of_its_case = _first_of_its_case(table)
    return (  # ordered and limited, not min(): walks the due index, stops at the first hit
        select(table.c.next_attempt_at)
        .select_from(joined)
        .where(table.c.status == DeliveryStatus.PENDING, first_of_its_case)
        .order_by(table.c.next_attempt_at)
        .limit(1)
    )


@functools.cache
def _write(table: Table, guarded: bool) -> Update:
    c = table.c
    statement = update(table).where(c.notification_id == bindparam("b_notification_id"))
    if guarded:
        statement = statement.where(
            c.attempts == bindparam("b_expected"), c.status == DeliveryStatus.PENDING
        )
    dates = {"started_at", "next_attempt_at", "settled_at"}
    return statement.values(
        {k: bindparam(f"b_{k}", type_=UtcDateTime if k in dates else None) for k in _STATE}
    )


_ARRAY_TYPES = {
    "notification_id": "text",
    "status": "text",
    "attempts": "int",
    "started_at": "timestamptz",
    "next_attempt_at": "timestamptz",
    "last_error": "text",
    "settled_at": "timestamptz",
    "expected": "int",
}


@functools.cache
def _write_arrays(table: Table, guarded: bool) -> TextClause:
    """`_write` for PostgreSQL over arrays: one statement for the whole round."""
    names = ", ".join(_ARRAY_TYPES)
    arrays = ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _ARRAY_TYPES.items())
    values = ", ".join(f"{name} = v.{name}" for name in _STATE)
    guard = " AND d.attempts = v.expected AND d.status = 'pending'" if guarded else ""
    return text(
        f"UPDATE {table.name} AS d SET {values} FROM unnest({arrays}) AS v({names}) "
        f"WHERE d.notification_id = v.notification_id{guard}"
    )


async def attempts_per_hour(conn: AsyncConnection, since: datetime) -> list[HourCount]:
    """Webhook attempts per UTC hour: `delivered` (2xx) or `failed` (any other answer, or none)."""
    a = webhook_attempts.c
    hour = hour_of(conn, a.at)
    delivered = and_(a.status_code >= 200, a.status_code < 300)
    outcome = case((delivered, "delivered"), else_="failed")
    rows = await conn.execute(
        select(hour, outcome, func.count()).where(a.at >= since).group_by(hour, outcome)
    )
    return [HourCount(as_utc(h), str(name), int(n)) for h, name, n in rows.all()]


async def erase_notifications(
    conn: AsyncConnection, case_ids: Collection[str], dry_run: bool = False
) -> int:
    """The purge's part in the notifier: every notification of the cases (dead letters too),
    with its deliveries and attempts; counts the notifications (deletes unless `dry_run`)."""
    ids = list(case_ids)
    if not ids:
        return 0
    of_cases = select(notifications.c.id).where(notifications.c.subject.in_(ids))
    if dry_run:
        counted = select(func.count()).select_from(notifications)
        return int(await conn.scalar(counted.where(notifications.c.subject.in_(ids))) or 0)
    for table in (webhook_attempts, webhook_deliveries, team_emails):
        await conn.execute(delete(table).where(table.c.notification_id.in_(of_cases)))
    result = await conn.execute(delete(notifications).where(notifications.c.subject.in_(ids)))
    return int(result.rowcount or 0)
