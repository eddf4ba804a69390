"""What the notifier tells the USD: one case change, later sent as one CloudEvent."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class EventType(enum.StrEnum):
    """CloudEvent types of CONTRACT §4."""

    OPENED = "nl.vroegsignaal.case.opened"
    ESCALATED = "nl.vroegsignaal.case.escalated"
    UPDATED = "nl.vroegsignaal.case.updated"
    CLOSED = "nl.vroegsignaal.case.closed"


@dataclass(frozen=True, slots=True)
class Notification:
    """One case change for the USD.

    `id` is the CloudEvent id and the webhook-id; it must be derived from the change (e.g. the
    cases event id) so a redelivered event never yields a second id for the same change.
    `data` is the case as in `GET /v1/cases/{id}`, or `minimal_data(...)`.
    """

    id: str
    event_type: EventType
    subject: str
    time: datetime
    data: dict[str, Any] = field(hash=False)

    def __post_init__(self) -> None:
        if not self.id or not self.subject:
            raise ValueError("id and subject must not be empty")
        if self.time.tzinfo is None or self.time.utcoffset() is None:
            raise ValueError("time must be timezone-aware")
        object.__setattr__(self, "event_type", EventType(self.event_type))


def case_link(public_base_url: str, case_id: str) -> str:
    """Where the USD (or a team) opens the case: `GET /v1/cases/{id}` on the public base URL."""
    return f"{public_base_url.rstrip('/')}/v1/cases/{case_id}"


def minimal_data(case_id: str, link: str) -> dict[str, Any]:
    """A payload that names the case and where to fetch it, for receivers that should pull."""
    return {"id": str(case_id), "links": {"self": link}}
