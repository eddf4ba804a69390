"""Triage's background loop: the deadline watch (a case whose deadline passed without a contact
attempt is escalated once)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.loops import run_forever
from triage import service
from triage.repository import transactions


async def watch_deadlines(
    engine: AsyncEngine, stop: asyncio.Event, wake: Callable[[], None], every_s: float = 30.0
) -> None:
    """Sweeps every `every_s`; `wake` tells the relay when escalations wait in the outbox."""
    begin = transactions(engine)

    async def step() -> float:
        if await service.escalate_overdue(begin):
            wake()
        return every_s

    await run_forever("deadline sweep", step, stop)
