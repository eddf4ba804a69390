"""Triage's background loops, each on the shared `run_forever`: the deadline watch (a case whose
deadline passed without a contact attempt is escalated once) and the re-assessment of open cases
as time passes (at start-up, then at least hourly: CONTRACT §3 property 10)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.loops import run_forever
from triage import watch_service
from triage.domain.policy_model import ScoringPolicy
from triage.repository import transactions

Clock = Callable[[], datetime]
REASSESS_EVERY_S: Final = 30 * 60.0
"""Twice an hour: an eviction date that comes closer, or a plan falling due, is seen in time."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def watch_deadlines(
    engine: AsyncEngine,
    stop: asyncio.Event,
    wake: Callable[[], None],
    every_s: float = 30.0,
    clock: Clock = _utc_now,
) -> None:
    """Sweeps every `every_s`; `wake` tells the relay when escalations wait in the outbox."""
    begin = transactions(engine)

    async def step() -> float:
        if await watch_service.escalate_overdue(begin, clock()):
            wake()
        return every_s

    await run_forever("deadline sweep", step, stop)


async def reassess_over_time(
    engine: AsyncEngine,
    policy: ScoringPolicy,
    stop: asyncio.Event,
    wake: Callable[[], None],
    every_s: float = REASSESS_EVERY_S,
    clock: Clock = _utc_now,
) -> None:
    """Re-assesses every open case at start-up and then every `every_s`."""
    begin = transactions(engine)

    async def step() -> float:
        if await watch_service.reassess_open_cases(begin, policy, clock()):
            wake()
        return every_s

    await run_forever("re-assessment", step, stop)
