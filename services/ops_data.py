"""What the ops console reads across the services' tables (counts only, no personal data), and
its one change, replaying a dead letter. The composition root may know every service; this is
the seam to re-point when a service's rooms move (the notifier's repository and use cases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from notifier.schemas import dead_letter_out
from notifier.service import any_endpoint_disabled, count_dead_letters, dead_letters
from notifier.service import replay_dead_letters as notifier_replay
from notifier.tables import webhook_attempts
from shared.ops import summary as s
from shared.ops.volumes import HourCount
from signal_ingest.tables import signals
from triage.tables import cases

DAY, MONTH = timedelta(days=1), timedelta(days=30)


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _hour(conn: AsyncConnection, column: Any) -> ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return func.date_trunc("hour", column)
    return func.strftime("%Y-%m-%d %H:00:00", column)


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def signal_counts(
    conn: AsyncConnection, now: datetime
) -> list[tuple[str, str, str, int, int]]:
    c = signals.c
    rows = await conn.execute(
        select(c.source, c.type, c.status, func.count(), _count_if(c.received_at >= now - DAY))
        .where(c.received_at >= now - MONTH)
        .group_by(c.source, c.type, c.status)
    )
    return [tuple(row) for row in rows.all()]


async def case_counts(conn: AsyncConnection, now: datetime) -> list[tuple[str, int, int, int, int]]:
    c = cases.c
    today_ends, week_ends = s.deadline_bounds(now)
    rows = await conn.execute(
        select(
            c.priority,
            func.count(),
            _count_if(c.respond_before < now),
            _count_if(and_(c.respond_before >= now, c.respond_before < today_ends)),
            _count_if(and_(c.respond_before >= today_ends, c.respond_before < week_ends)),
        )
        .where(c.status != "closed")
        .group_by(c.priority)
    )
    return [tuple(row) for row in rows.all()]


async def signals_per_hour(conn: AsyncConnection, since: datetime, axis: str) -> list[HourCount]:
    """Signals received since `since` per UTC hour and per `axis` ("type" or "source")."""
    label = signals.c[axis]
    hour = _hour(conn, signals.c.received_at)
    rows = await conn.execute(
        select(hour, label, func.count())
        .where(signals.c.received_at >= since)
        .group_by(hour, label)
    )
    return [HourCount(_as_utc(h), str(name), int(n)) for h, name, n in rows.all()]


async def attempts_per_hour(conn: AsyncConnection, since: datetime) -> list[HourCount]:
    """Webhook attempts per UTC hour: `delivered` (2xx) or `failed` (any other answer, or none)."""
    a = webhook_attempts.c
    hour = _hour(conn, a.at)
    delivered = and_(a.status_code >= 200, a.status_code < 300)
    outcome = case((delivered, "delivered"), else_="failed")
    rows = await conn.execute(
        select(hour, outcome, func.count()).where(a.at >= since).group_by(hour, outcome)
    )
    return [HourCount(_as_utc(h), str(name), int(n)) for h, name, n in rows.all()]


class NotifierDeadLetters:
    """The notifier's dead-letter store and its replay use case, behind the console."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def latest(self, conn: AsyncConnection, limit: int = 20) -> s.DeadLetters:
        letters = await dead_letters(conn, limit, newest_first=True)
        return s.DeadLetters(
            count=await count_dead_letters(conn),
            latest=[dead_letter_out(x) for x in letters],
            webhook_endpoint_disabled=await any_endpoint_disabled(conn),
        )

    async def replay(self, notification_id: str) -> bool:
        """Back to pending under the same webhook-id with a fresh budget (`dlq replay`)."""
        async with self._engine.begin() as conn:
            return bool(await notifier_replay(conn, [notification_id], datetime.now(UTC)))
