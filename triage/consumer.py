"""The signals topic's batch handler: reads `signal.received` events, hands them to triage.

Runs inside the EventProcessor's transaction, so the cases, their events and the inbox commit
together. An event that cannot be read, or a signal the domain refuses, is handed back to be
parked with its reason (CONTRACT §5): kept for a replay, never retried in a loop, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.cloudevent import CloudEvent
from shared.consuming import Unread
from shared.crypto import PiiVault
from shared.events import SIGNAL_RECEIVED, SignalReceived
from shared.logs import log_context
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

    async def __call__(self, conn: AsyncConnection, events: Sequence[CloudEvent]) -> Unread:
        """Triages the readable signals; hands back, to be parked with their reason, the events
        that are not signals and the signals triage refused."""
        unread: list[tuple[CloudEvent, str]] = []
        signals: list[SignalReceived] = []
        event_of: dict[str, CloudEvent] = {}
        for event in events:
            if event.type != SIGNAL_RECEIVED:
                continue
            try:
                signal = SignalReceived.model_validate_json(event.data)
            except ValidationError as exc:
                unread.append((event, f"not a {SIGNAL_RECEIVED}: {_fields(exc)}"))
                continue
            signals.append(signal)
            event_of[signal.signal_id] = event
        if not signals:
            return unread
        now = datetime.now(UTC)
        refused = await service.triage_signals(
            SqlCaseRepository(conn), signals, self.policy, now, self.vault
        )
        for signal_id, error in refused.items():
            with log_context(signal_id=signal_id):
                log.error("signal %s not triaged: %s", signal_id, type(error).__name__)
            unread.append((event_of[signal_id], f"not triaged: {type(error).__name__}"))
        return unread


def _fields(exc: ValidationError) -> str:
    """Which fields failed and how (pydantic's error types): never a value."""
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    named = [f"{'.'.join(str(p) for p in e['loc']) or 'data'} {e['type']}" for e in errors[:5]]
    return ", ".join(named) + (f" (+{len(errors) - 5})" if len(errors) > 5 else "")
