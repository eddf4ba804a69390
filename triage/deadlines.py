"""Deadline watcher: a case whose deadline passed without a contact attempt is escalated once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import is_postgres
from shared.loops import run_forever
from triage.store import LoadedCase, loaded_from_row, save
from triage.tables import cases

log = logging.getLogger(__name__)


async def escalate_overdue(
    engine: AsyncEngine, now: datetime | None = None, limit: int = 200
) -> int:
    """One sweep; returns how many cases were escalated."""
    now = now or datetime.now(UTC)
    async with engine.begin() as conn:
        query = (
            select(cases)
            .where(
                cases.c.status == "open",
                cases.c.respond_before < now,
                or_(
                    cases.c.overdue_escalated_for.is_(None),
                    cases.c.overdue_escalated_for != cases.c.respond_before,
                ),
            )
            .order_by(cases.c.respond_before)
            .limit(limit)
        )
        if is_postgres(conn):
            query = query.with_for_update(skip_locked=True)
        overdue: list[LoadedCase] = [
            loaded_from_row(row) for row in (await conn.execute(query)).all()
        ]
        for item in overdue:
            item.note(item.case.escalate_overdue(now))
        await save(conn, overdue)
    return sum(len(item.events) for item in overdue)


async def watch_deadlines(
    engine: AsyncEngine, stop: asyncio.Event, wake: Callable[[], None], every_s: float = 30.0
) -> None:
    async def step() -> float:
        if await escalate_overdue(engine):
            wake()
        return every_s

    await run_forever("deadline sweep", step, stop)
