"""Use case: every accepted signal becomes part of exactly one household case.

A batch of signal events is handled in one transaction: the open cases of the batch's households
are loaded (locked) at once, the domain applies each signal in order, and changed cases are saved
with their case events. Together with the inbox this gives effectively-once triage.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.cloudevent import CloudEvent
from shared.events import SIGNAL_RECEIVED, SignalReceived
from shared.observability import EVENTS_REJECTED
from triage.domain.case import open_case
from triage.domain.errors import DomainError
from triage.domain.policy_model import ScoringPolicy
from triage.domain.signals import Household, SignalFact
from triage.records import fact_json
from triage.store import LoadedCase, open_cases_for, save

log = logging.getLogger(__name__)


class SignalTriage:
    """The batch handler of the signals topic."""

    CONSUMER = "triage"

    def __init__(self, policy: ScoringPolicy) -> None:
        self.policy = policy

    async def __call__(self, conn: AsyncConnection, events: Sequence[CloudEvent]) -> None:
        received = [s for s in map(_read, events) if s is not None]
        if not received:
            return
        loaded = await open_cases_for(conn, (s.household_pseudonym for s in received))
        touched: dict[str, LoadedCase] = {}
        now = datetime.now(UTC)
        for signal in received:
            item = loaded.get(signal.household_pseudonym)
            try:
                item = self._apply(item, signal, now)
            except DomainError as exc:
                EVENTS_REJECTED.labels(consumer=self.CONSUMER).inc()
                log.error("signal %s not triaged: %s", signal.signal_id, exc)
                continue
            if item is None:
                continue
            touched[item.case.case_id] = item
            if item.case.status == "closed":
                loaded.pop(signal.household_pseudonym, None)
            else:
                loaded[signal.household_pseudonym] = item
        await save(conn, list(touched.values()))

    def _apply(
        self, item: LoadedCase | None, signal: SignalReceived, now: datetime
    ) -> LoadedCase | None:
        fact = SignalFact(
            signal_id=signal.signal_id,
            source=signal.source,
            type=signal.type,
            occurred_at=signal.occurred_at,
            details=signal.details,
        )
        household = Household(minors=signal.minors, adults=signal.adults)
        if item is None:
            if signal.type == "resolved":
                log.info("signal %s resolves nothing open; no case", signal.signal_id)
                return None
            case, change = open_case(
                str(uuid.uuid4()), signal.household_pseudonym, household, fact, self.policy, now
            )
            item = LoadedCase(case, signal.sealed_household, [fact_json(fact)])
            item.note(change)
            return item
        change = item.case.apply_signal(fact, household, self.policy, now)
        if change.cause != "duplicate_signal":
            item.signals.append(fact_json(fact))
            if signal.type != "resolved" and signal.contacts:
                item.sealed_household = signal.sealed_household  # the latest known contacts
        item.note(change)
        return item


def _read(event: CloudEvent) -> SignalReceived | None:
    if event.type != SIGNAL_RECEIVED:
        return None
    try:
        return SignalReceived.model_validate_json(event.data)
    except ValidationError:
        EVENTS_REJECTED.labels(consumer=SignalTriage.CONSUMER).inc()
        log.error("unreadable signal event %s from %s", event.id, event.source)
        return None
