"""Consumer of case events: each readable change goes to `record_case_changes`.

Runs inside `EventProcessor`'s batch transaction, so the inbox makes a redelivered event a no-op
and the notification id is the case event's id: one webhook-id per change, whatever happens.
Changes are stamped strictly increasing in bus order (a microsecond apart within a batch): the
delivery claim sends a case's notifications in that order. Triage publishes a case's changes in
order under one key, so bus order is change order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.channels.email import TeamMailboxes
from notifier.service import ReceivedChange, record_case_changes
from shared.cloudevent import CloudEvent
from shared.events import CASE_EVENT_PREFIX, CaseChanged
from shared.observability import EVENTS_REJECTED
from shared.settings import Settings

log = logging.getLogger(__name__)

CONSUMER = "notifier"
_TICK = timedelta(microseconds=1)


class CaseEventConsumer:
    """The batch handler of the notifier's consumer (`EventProcessor(handle_batch=...)`)."""

    def __init__(
        self, settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._mailboxes = TeamMailboxes.from_settings(settings)
        self._clock = clock
        self._last_stamp = datetime.min.replace(tzinfo=UTC)

    async def __call__(self, conn: AsyncConnection, events: Sequence[CloudEvent]) -> None:
        changes = [(e, c) for e in events if (c := _read(e)) is not None]
        if not changes:
            return
        first = max(self._clock(), self._last_stamp + _TICK)
        received = [
            ReceivedChange(event.id, event.time, change, first + _TICK * i)
            for i, (event, change) in enumerate(changes)
        ]
        await record_case_changes(conn, received, self._mailboxes)
        self._last_stamp = received[-1].received_at


def _read(event: CloudEvent) -> CaseChanged | None:
    """The case change an event carries; None (logged and counted) if it is not readable."""
    if not event.type.startswith(CASE_EVENT_PREFIX):
        return None
    try:
        change = CaseChanged.model_validate_json(event.data)
    except ValidationError as exc:
        _skip(event, f"{exc.error_count()} invalid field(s)")
        return None
    if event.type != change.event_type:
        _skip(event, f"type {event.type} with a '{change.change}' change")
        return None
    return change


def _skip(event: CloudEvent, why: str) -> None:
    EVENTS_REJECTED.labels(consumer=CONSUMER).inc()
    log.error("%s: skipped unreadable case event %s: %s", CONSUMER, event.id, why)
