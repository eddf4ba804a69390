"""Consumer of case events: each readable change goes to `record_case_changes`.

Runs inside `EventProcessor`'s batch transaction, so the inbox makes a redelivered event a no-op
and the notification id is the case event's id: one webhook-id per change, whatever happens.
An event it cannot read (invalid data, a time that exists only with its offset) is handed back to
`EventProcessor`, which parks it with its reason and goes on. Changes are stamped strictly
increasing in bus order (a microsecond apart within a batch): the delivery claim sends a case's
notifications in that order. Triage publishes a case's changes in order under one key, so bus
order is change order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.channels.email import TeamMailboxes
from notifier.service import ReceivedChange, record_case_changes
from shared.cloudevent import CloudEvent
from shared.consuming import Unread
from shared.events import CASE_EVENT_PREFIX, CaseChanged
from shared.settings import Settings

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

    async def __call__(self, conn: AsyncConnection, events: Sequence[CloudEvent]) -> Unread:
        """Records the readable changes; hands back the unreadable events with their reasons."""
        read = [(e, _read(e)) for e in events if e.type.startswith(CASE_EVENT_PREFIX)]
        unread = [(e, why) for e, why in read if isinstance(why, str)]
        changes = [(e, c) for e, c in read if isinstance(c, CaseChanged)]
        if not changes:
            return unread
        first = max(self._clock(), self._last_stamp + _TICK)
        received = [
            ReceivedChange(event.id, event.time, change, first + _TICK * i, event.correlationid)
            for i, (event, change) in enumerate(changes)
        ]
        await record_case_changes(conn, received, self._mailboxes)
        self._last_stamp = received[-1].received_at
        return unread


def _read(event: CloudEvent) -> CaseChanged | str:
    """The case change an event carries, or why it cannot be read (parked by the caller)."""
    try:
        event.time.astimezone(UTC)
    except OverflowError:
        return "time not representable in UTC"
    try:
        change = CaseChanged.model_validate_json(event.data)
    except ValidationError as exc:
        return f"{exc.error_count()} invalid field(s)"
    if event.type != change.event_type:
        return f"type {event.type} with a '{change.change}' change"
    return change
