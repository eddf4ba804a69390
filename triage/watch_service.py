"""Triage's watch over time, one use case each: a deadline that passed without a contact attempt,
and the re-assessment of open cases as time passes (CONTRACT §3 property 10, §8).

Both run in the workers' loops with an injected `now`, so tests move the clock instead of
waiting for it.
"""

from __future__ import annotations

from datetime import datetime

from shared.bus import Record
from triage.case_events import case_events
from triage.domain.policy_model import ScoringPolicy
from triage.service import Transaction

REASSESS_BATCH = 200


async def escalate_overdue(begin: Transaction, now: datetime, limit: int = 200) -> int:
    """One sweep of the deadline watch; returns how many cases were escalated."""
    async with begin() as cases:
        overdue = await cases.overdue(now, limit)
        events = [e for file in overdue for e in case_events(file, file.case.escalate_overdue(now))]
        await cases.save(overdue, events)
    return len(events)


async def reassess_open_cases(
    begin: Transaction, policy: ScoringPolicy, now: datetime, batch: int = REASSESS_BATCH
) -> int:
    """Re-assesses every open case at `now`, a batch per transaction; returns how many events
    (updates and escalations) it announced. Unchanged cases are not written."""
    announced, after = 0, ""
    while True:
        async with begin() as cases:
            files = await cases.open_cases_after(after, batch)
            changed, events = [], list[Record]()
            for file in files:
                new_events = case_events(file, file.case.reassess(policy, now))
                if new_events:
                    changed.append(file)
                    events += new_events
            await cases.save(changed, events)
        announced += len(events)
        if len(files) < batch:
            return announced
        after = files[-1].case.case_id
