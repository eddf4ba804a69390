"""Consumer of case events: stores each change as a notification with a pending delivery.

Runs inside `EventProcessor`'s batch transaction, so the inbox makes a redelivered event a no-op
and the notification id is the case event's id: one webhook-id per change, whatever happens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.domain.case_summary import CaseSummary, Reason
from notifier.domain.delivery import new_delivery
from notifier.domain.notification import EventType
from notifier.email import compose_team_email
from notifier.store import delivery_row
from notifier.tables import notifications, team_emails, webhook_deliveries
from shared.cloudevent import CloudEvent
from shared.consuming import UnreadableEvent
from shared.db import insert_ignoring_conflicts
from shared.events import CASE_EVENT_PREFIX, CaseChanged
from shared.settings import Settings

log = logging.getLogger(__name__)

CONSUMER = "notifier"


def parse_team_emails(value: str) -> dict[str, str]:
    """`VS_TEAM_EMAILS`: `team=address,team=address`."""
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {team.strip(): address.strip() for team, address in pairs if address.strip()}


def case_link(settings: Settings, case_id: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/v1/cases/{case_id}"


def case_summary(change: CaseChanged, event_type: EventType) -> CaseSummary:
    """The triage facts of the case for a team mailbox; ValueError if the case lacks them."""
    case = change.case
    try:
        respond_before = case["respond_before"]
        return CaseSummary(
            case_id=change.case_id,
            priority=case["priority"],
            respond_before=(
                respond_before
                if isinstance(respond_before, datetime)
                else datetime.fromisoformat(respond_before)
            ),
            reasons=tuple(
                Reason(code=str(r["code"]), points=int(r["points"]), text=str(r["text"]))
                for r in case.get("reasons") or ()
            ),
            team=str(case["team"]),
            change=event_type,
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"case lacks {exc}") from None


class NotificationRecorder:
    """The `EventHandler` of the notifier's consumer."""

    def __init__(
        self, settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._settings = settings
        self._team_emails = parse_team_emails(settings.team_emails)
        self._clock = clock

    async def __call__(self, conn: AsyncConnection, event: CloudEvent) -> None:
        if not event.type.startswith(CASE_EVENT_PREFIX):
            return
        change = CaseChanged.model_validate_json(event.data)
        try:
            event_type = EventType(event.type)
        except ValueError:
            raise UnreadableEvent(f"unknown case event type {event.type}") from None
        if event_type != change.event_type:
            raise UnreadableEvent(f"{event.type} carries a '{change.change}' change")
        email = self._team_email(change, event_type)
        now = self._clock()
        inserted = await conn.execute(
            insert_ignoring_conflicts(conn, notifications).values(
                id=event.id,
                event_type=str(event_type),
                subject=change.case_id,
                time=event.time,
                case_document=orjson.dumps(change.case).decode(),
                sealed_household=change.sealed_household,
                created_at=now,
            )
        )
        if inserted.rowcount != 1:
            return
        await conn.execute(
            webhook_deliveries.insert().values(delivery_row(new_delivery(event.id, now)))
        )
        if email is not None:
            recipient, message = email
            await conn.execute(
                team_emails.insert().values(
                    delivery_row(new_delivery(event.id, now))
                    | {"recipient": recipient, "message": message}
                )
            )

    def _team_email(self, change: CaseChanged, event_type: EventType) -> tuple[str, str] | None:
        """(recipient, message) when the case's team has a mailbox and the change is urgent."""
        case: dict[str, Any] = change.case
        recipient = self._team_emails.get(str(case.get("team")))
        urgent = change.change == "escalated" or case.get("priority") == "critical"
        if recipient is None or not urgent:
            return None
        try:
            summary = case_summary(change, event_type)
        except ValueError as exc:
            log.warning("no team e-mail for case %s: %s", change.case_id, exc)
            return None
        message = compose_team_email(
            summary,
            case_link(self._settings, change.case_id),
            self._settings.smtp_sender,
            recipient,
        )
        return recipient, message.as_string()
