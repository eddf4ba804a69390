"""The signals topic's batch handler: reads `signal.received` events, hands them to triage.

Runs inside the EventProcessor's transaction, so the cases, their events and the inbox commit
together. An event that cannot be read, or a signal the domain refuses, is counted and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.cloudevent import CloudEvent
from shared.crypto import PiiVault
from shared.events import SIGNAL_RECEIVED, SignalReceived
from shared.logs import log_context
from shared.observability import EVENTS_REJECTED
from triage import service
from triage.domain.policy_model import ScoringPolicy
from triage.repository import SqlCaseRepository

log = logging.getLogger(__name__)


class SignalTriage:
    """The batch handler of the signals topic."""

    CONSUMER = "triage"

    def __init__(self, policy: ScoringPolicy, vault: PiiVault) -> None:
        self.policy = policy
        self.vault = vault

    async def __call__(self, conn: AsyncConnection, events: Sequence[CloudEvent]) -> None:
        signals = [s for s in map(_read, events) if s is not None]
        if not signals:
            return
        now = datetime.now(UTC)
        refused = await service.triage_signals(
            SqlCaseRepository(conn), signals, self.policy, now, self.vault
        )
        for signal_id, exc in refused.items():
            EVENTS_REJECTED.labels(consumer=self.CONSUMER).inc()
            with log_context(signal_id=signal_id):
                log.error("signal %s not triaged: %s", signal_id, type(exc).__name__)


def _read(event: CloudEvent) -> SignalReceived | None:
    if event.type != SIGNAL_RECEIVED:
        return None
    try:
        return SignalReceived.model_validate_json(event.data)
    except ValidationError:
        EVENTS_REJECTED.labels(consumer=SignalTriage.CONSUMER).inc()
        log.error("unreadable signal event %s from %s", event.id, event.source)
        return None
