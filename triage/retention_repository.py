"""Triage's side of the purge: closed cases past their retention, and deleting them with their
decisions, housing plans and shelter bookings. Besides `triage.repository` the only module that
touches these tables for erasure."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from triage.domain.policy_model import RetentionPolicy
from triage.domain.retention import add_months, is_expired
from triage.tables import case_decisions, cases, housing_plans, shelter_bookings


@dataclass(frozen=True)
class ExpiredCase:
    case_id: str
    household_pseudonym: str
    signals: tuple[tuple[str, str], ...]
    """(source, signal id) of every signal grouped into the case."""


async def expired_cases(
    conn: AsyncConnection, retention: RetentionPolicy, now: datetime
) -> list[ExpiredCase]:
    """Closed cases whose retention (by outcome) has run out at `now`."""
    shortest = min([12, 24, *retention.months.values()])
    latest_close = add_months(now, -shortest)
    rows = await conn.execute(
        select(cases.c.case_id, cases.c.household_pseudonym, cases.c.outcome, cases.c.closed_at,
               cases.c.state)
        .where(cases.c.status == "closed", cases.c.closed_at <= latest_close)
        .order_by(cases.c.closed_at)
    )  # fmt: skip
    expired = []
    for case_id, pseudonym, outcome, closed_at, state in rows.all():
        closed = closed_at if closed_at.tzinfo else closed_at.replace(tzinfo=UTC)
        if is_expired(closed, outcome, retention, now):
            signals = tuple((s["source"], s["id"]) for s in state.get("signals", []))
            expired.append(ExpiredCase(case_id, pseudonym, signals))
    return expired


async def households_with_other_cases(
    conn: AsyncConnection, pseudonyms: Collection[str], purged: Collection[str]
) -> set[str]:
    """Of `pseudonyms`, the households that keep a case outside `purged`."""
    if not pseudonyms:
        return set()
    rows = await conn.execute(
        select(cases.c.household_pseudonym)
        .where(
            cases.c.household_pseudonym.in_(list(pseudonyms)),
            cases.c.case_id.not_in(list(purged)),
        )
        .group_by(cases.c.household_pseudonym)
    )
    return {p for (p,) in rows.all()}


async def count_case_rows(conn: AsyncConnection, case_ids: Sequence[str]) -> dict[str, int]:
    ids = list(case_ids)
    counts = {}
    for name, table in _TABLES.items():
        column = table.c.case_id
        counts[name] = int(
            await conn.scalar(select(func.count()).select_from(table).where(column.in_(ids))) or 0
        )
    return counts


async def delete_case_rows(conn: AsyncConnection, case_ids: Sequence[str]) -> dict[str, int]:
    """Deletes the cases and everything triage keeps about them; counts per table."""
    ids = list(case_ids)
    counts = {}
    for name, table in _TABLES.items():
        result = await conn.execute(delete(table).where(table.c.case_id.in_(ids)))
        counts[name] = int(result.rowcount or 0)
    return counts


_TABLES = {
    "case decisions": case_decisions,
    "housing plans": housing_plans,
    "shelter bookings": shelter_bookings,
    "cases": cases,
}
