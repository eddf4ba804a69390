"""Retention and erasure (CONTRACT §10): `vroegsignaal purge [--dry-run]` and the daily purge.

Closed cases past the retention their outcome sets in the policy (`[retention]`) are deleted
with everything kept about them: decisions, housing plans, shelter bookings, their signals,
their notifications (dead letters included). A household left with no case is erased: its data
key is destroyed first, so every copy of its data anywhere — the event stream, parked records,
backups of the data — can no longer be opened; then its remaining rows go. It spans the
services' tables (one database), so it lives here, in the composition root.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.repository import erase_notifications
from shared.audit import Actor, append_audit
from shared.crypto import PiiVault
from shared.loops import run_forever
from shared.parking import erase_parked
from signal_ingest.repository import erase_signals
from triage.domain.policy_model import RetentionPolicy
from triage.retention_repository import (
    count_case_rows,
    delete_case_rows,
    expired_cases,
    households_with_other_cases,
)

log = logging.getLogger(__name__)
PURGE_EVERY_S: Final = 24 * 3600.0
CATEGORIES: Final = (
    "cases",
    "case decisions",
    "housing plans",
    "shelter bookings",
    "signals",
    "notifications",
    "parked records",
    "household keys",
)


@dataclass
class PurgeReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))

    def lines(self) -> list[str]:
        head = "purge (dry run): would remove" if self.dry_run else "purge: removed"
        return [head, *(f"  {name}: {self.counts[name]}" for name in CATEGORIES)]

    @property
    def anything(self) -> bool:
        return any(self.counts.values())


async def purge(
    engine: AsyncEngine,
    vault: PiiVault,
    retention: RetentionPolicy,
    now: datetime,
    actor: Actor,
    dry_run: bool = False,
) -> PurgeReport:
    """One purge at `now`; a real one is audited (`purge.run`, with its counts)."""
    report = PurgeReport(dry_run)
    counts = report.counts
    async with engine.begin() as conn:
        expired = await expired_cases(conn, retention, now)
        case_ids = [e.case_id for e in expired]
        households = {e.household_pseudonym for e in expired}
        erased = sorted(households - await households_with_other_cases(conn, households, case_ids))
        signal_keys = [key for e in expired for key in e.signals]
        if dry_run:
            counts.update(await count_case_rows(conn, case_ids))
            keys = await vault.households.load(erased)
            counts["household keys"] = sum(p in keys for p in erased)
        else:
            # The key first: once it is gone every copy is unreadable, whatever happens next.
            counts["household keys"] = await vault.households.destroy(erased)
            counts.update(await delete_case_rows(conn, case_ids))
        counts["signals"] = await erase_signals(conn, signal_keys, erased, dry_run)
        counts["notifications"] = await erase_notifications(conn, case_ids, dry_run)
        counts["parked records"] = await erase_parked(conn, erased, dry_run)
        if not dry_run and report.anything:
            details = {name.replace(" ", "_"): n for name, n in counts.items()}
            await append_audit(conn, actor, "purge.run", None, details)
    return report


async def purge_daily(
    engine: AsyncEngine,
    vault: PiiVault,
    retention: RetentionPolicy,
    stop: asyncio.Event,
    actor: Actor,
    every_s: float = PURGE_EVERY_S,
) -> None:
    """The service's daily purge (at start-up, then every `every_s`)."""

    async def step() -> float:
        report = await purge(engine, vault, retention, datetime.now(UTC), actor)
        if report.anything:
            log.info("daily purge: %s", ", ".join(f"{k} {v}" for k, v in report.counts.items()))
        return every_s

    await run_forever("purge", step, stop)
