"""Consumer of case events: stores each change as a notification with a pending delivery.

Runs inside `EventProcessor`'s batch transaction, so the inbox makes a redelivered event a no-op
and the notification id is the case event's id: one webhook-id per change, whatever happens.

`created_at` is strictly increasing in bus order (a microsecond apart within a batch): the
delivery claim sends a case's notifications in that order (`notifier.store.claims`). Triage
publishes a case's changes in order under one key, so bus order is change order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.domain.case_summary import CaseSummary
from notifier.domain.delivery import new_delivery
from notifier.domain.notification import EventType, case_link
from notifier.email import compose_team_email
from notifier.store import delivery_row
from notifier.tables import notifications, team_emails, webhook_deliveries
from shared.cloudevent import CloudEvent
from shared.db import insert_ignoring_conflicts
from shared.events import CASE_EVENT_PREFIX, CaseChanged
from shared.observability import EVENTS_REJECTED
from shared.settings import Settings

log = logging.getLogger(__name__)

CONSUMER = "notifier"
_TICK = timedelta(microseconds=1)


def parse_team_emails(value: str) -> dict[str, str]:
    """`VS_TEAM_EMAILS`: `team=address,team=address`."""
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {team.strip(): address.strip() for team, address in pairs if address.strip()}


def case_summary(change: CaseChanged, event_type: EventType) -> CaseSummary:
    """The triage facts of the case for a team mailbox."""
    case = change.case
    return CaseSummary(
        case_id=change.case_id,
        priority=case.priority,
        respond_before=case.respond_before,
        reasons=tuple(case.reasons),
        team=case.team,
        change=event_type,
    )


class NotificationRecorder:
    """The batch handler of the notifier's consumer: a few bulk inserts per fetched batch."""

    def __init__(
        self, settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._settings = settings
        self._team_emails = parse_team_emails(settings.team_emails)
        self._clock = clock
        self._last_created = datetime.min.replace(tzinfo=UTC)

    async def __call__(self, conn: AsyncConnection, events: Sequence[CloudEvent]) -> None:
        changes = [(e, c) for e in events if (c := _read(e)) is not None]
        if not changes:
            return
        now = max(self._clock(), self._last_created + _TICK)
        created = [now + _TICK * i for i in range(len(changes))]
        stored = await conn.execute(
            insert_ignoring_conflicts(conn, notifications).returning(notifications.c.id),
            [
                {
                    "id": event.id,
                    "event_type": event.type,
                    "subject": change.case_id,
                    "time": event.time,
                    "case_document": change.case.model_dump_json(),
                    "sealed_household": change.sealed_household,
                    "created_at": at,
                }
                for (event, change), at in zip(changes, created, strict=True)
            ],
        )
        self._last_created = created[-1]
        fresh = set(stored.scalars())
        changes = [(e, c) for e, c in changes if e.id in fresh]
        if not changes:
            return
        await conn.execute(
            webhook_deliveries.insert(),
            [delivery_row(new_delivery(event.id, now)) for event, _ in changes],
        )
        emails = []
        for event, change in changes:
            email = self._team_email(change, EventType(event.type))
            if email is not None:
                recipient, message = email
                row = delivery_row(new_delivery(event.id, now))
                emails.append(row | {"recipient": recipient, "message": message})
        if emails:
            await conn.execute(team_emails.insert(), emails)

    def _team_email(self, change: CaseChanged, event_type: EventType) -> tuple[str, str] | None:
        """(recipient, message) when the case's team has a mailbox and the change is urgent."""
        recipient = self._team_emails.get(change.case.team)
        urgent = change.change == "escalated" or change.case.priority == "critical"
        if recipient is None or not urgent:
            return None
        try:
            summary = case_summary(change, event_type)
        except ValueError as exc:
            log.warning("no team e-mail for case %s: %s", change.case_id, exc)
            return None
        message = compose_team_email(
            summary,
            case_link(self._settings.public_base_url, change.case_id),
            self._settings.smtp_sender,
            recipient,
        )
        return recipient, message.as_string()


def _read(event: CloudEvent) -> CaseChanged | None:
    """The case change an event carries; None (logged and counted) if it is not readable."""
    if not event.type.startswith(CASE_EVENT_PREFIX):
        return None
    try:
        change = CaseChanged.model_validate_json(event.data)
    except ValidationError as exc:
        _skip(event, f"{exc.error_count()} invalid field(s)")
        return None
    if event.type not in set(EventType) or event.type != change.event_type:
        _skip(event, f"type {event.type} with a '{change.change}' change")
        return None
    return change


def _skip(event: CloudEvent, why: str) -> None:
    EVENTS_REJECTED.labels(consumer=CONSUMER).inc()
    log.error("%s: skipped unreadable case event %s: %s", CONSUMER, event.id, why)
