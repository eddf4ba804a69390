"""What the notifier's ops routes answer: ids, states and technical reasons, no personal data."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from notifier.domain.notification import DeadLetter, NotificationState
from shared.ops.summary import DeadLetter as DeadLetterOut


class NotificationOut(BaseModel):
    """One case change for the USD and how far its webhook got."""

    id: str = Field(description="CloudEvent id and webhook-id.")
    type: str = Field(examples=["nl.vroegsignaal.case.opened"])
    case_id: str
    time: datetime
    status: str = Field(description="pending, delivered, dead or endpoint_disabled.")
    attempts: int
    last_error: str | None = Field(None, examples=["HTTP 503"])
    next_attempt_at: datetime | None = None

    @classmethod
    def of(cls, state: NotificationState) -> NotificationOut:
        return cls(
            id=state.id,
            type=state.event_type,
            case_id=state.case_id,
            time=state.time,
            status=state.status,
            attempts=state.attempts,
            last_error=state.last_error,
            next_attempt_at=state.next_attempt_at,
        )


class NotificationList(BaseModel):
    notifications: list[NotificationOut]


class DeadLetterList(BaseModel):
    dead_letters: list[DeadLetterOut]


class Replayed(BaseModel):
    id: str
    status: str = "pending"


def dead_letter_out(letter: DeadLetter) -> DeadLetterOut:
    """A dead letter as the ops API and the ops console show it."""
    return DeadLetterOut(
        id=letter.id,
        type=letter.event_type,
        case_id=letter.case_id,
        status=letter.status,
        attempts=letter.attempts,
        last_error=letter.last_error,
        dead_since=letter.since,
    )
