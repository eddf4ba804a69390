"""What the notifier tells the USD: one case change, later sent as one CloudEvent (CONTRACT §4).

A notification's id is the id of the case event that caused it, and so the webhook-id: the same
for every retry, redelivery and replay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, get_args

from shared.events import CASE_EVENT_PREFIX
from shared.vocabulary import CHANGE_KINDS, ChangeKind

Channel = Literal["webhook", "team_email"]
"""How a notification goes out: the USD's webhook, or a team's mailbox (urgent cases only)."""
CHANNELS: Final[tuple[Channel, ...]] = get_args(Channel)


def change_of(event_type: str) -> ChangeKind:
    """The change an `nl.vroegsignaal.case.<change>` type names; ValueError for any other type."""
    for change in CHANGE_KINDS:
        if event_type == CASE_EVENT_PREFIX + change:
            return change
    raise ValueError(f"not a case event type: {event_type!r}")


@dataclass(frozen=True, slots=True)
class Notification:
    """One case change for the USD, as it goes on the wire.

    `id` is the CloudEvent id and the webhook-id; it must be derived from the change (e.g. the
    cases event id) so a redelivered event never yields a second id for the same change.
    `data` is the case as in `GET /v1/cases/{id}`, or `minimal_data(...)`.
    """

    id: str
    change: ChangeKind
    subject: str
    time: datetime
    data: dict[str, Any] = field(hash=False)

    def __post_init__(self) -> None:
        if not self.id or not self.subject:
            raise ValueError("id and subject must not be empty")
        if self.time.tzinfo is None or self.time.utcoffset() is None:
            raise ValueError("time must be timezone-aware")
        if self.change not in CHANGE_KINDS:
            raise ValueError(f"unknown change {self.change!r}")

    @property
    def event_type(self) -> str:
        return CASE_EVENT_PREFIX + self.change


@dataclass(frozen=True, slots=True)
class StoredNotification:
    """A notification at rest: the case document as JSON, the household still sealed.

    `created_at` is strictly increasing in bus order: a case's notifications go out in that order.
    """

    id: str
    event_type: str
    subject: str
    time: datetime
    case_document: str
    sealed_household: str
    created_at: datetime
    correlation_id: str | None = None
    """The id of the signal that caused the change (`ce_correlationid`), for the log lines."""


@dataclass(frozen=True, slots=True)
class TeamEmail:
    """The data-poor e-mail for a team mailbox, composed when the change was recorded."""

    notification_id: str
    recipient: str
    message: str


@dataclass(frozen=True, slots=True)
class NotificationState:
    """A notification and how far its webhook got, for ops (ids and reasons, no personal data)."""

    id: str
    event_type: str
    case_id: str
    time: datetime
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A notification ops must look at; ids and technical reasons only, no personal data."""

    id: str
    event_type: str
    case_id: str
    status: str
    attempts: int
    last_error: str | None
    since: datetime | None


def case_link(public_base_url: str, case_id: str) -> str:
    """Where the USD (or a team) opens the case: `GET /v1/cases/{id}` on the public base URL."""
    return f"{public_base_url.rstrip('/')}/v1/cases/{case_id}"


def minimal_data(case_id: str, link: str) -> dict[str, Any]:
    """A payload that names the case and where to fetch it, for receivers that should pull."""
    return {"id": str(case_id), "links": {"self": link}}
