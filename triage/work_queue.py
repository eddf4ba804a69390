"""The USD's work queue (werkvoorraad) as a read model: what to ask for and what comes back.

Cases come by priority, then deadline, then id; a page ends with an opaque keyset cursor on that
order. The query itself is in the repository.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import orjson

from shared.vocabulary import CaseStatus, Outcome, Priority

STATUS_GROUPS: Final[dict[str, tuple[CaseStatus, ...]]] = {
    "open": ("open", "contacted"),  # every case still being worked, as a USD worker means it
    "contacted": ("contacted",),
    "closed": ("closed",),
}


class BadCursor(ValueError):
    """A cursor this API never gave out."""


@dataclass(frozen=True)
class QueueFilter:
    status: CaseStatus | None = None
    """A key of STATUS_GROUPS: `open` includes contacted cases."""
    priority: Priority | None = None
    team: str | None = None
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class QueuedCase:
    """A case in the queue: enough to choose, no contact data."""

    case_id: str
    status: CaseStatus
    priority: Priority
    risk_score: int
    team: str
    respond_before: datetime
    opened_at: datetime
    outcome: Outcome | None


@dataclass(frozen=True)
class QueuePage:
    items: list[QueuedCase]
    next_cursor: str | None


@dataclass(frozen=True)
class QueuePosition:
    """Where a page ends in the queue order: priority rank (most urgent lowest), deadline, id."""

    priority_rank: int
    respond_before: datetime
    case_id: str

    def encode(self) -> str:
        raw = orjson.dumps([self.priority_rank, self.respond_before.isoformat(), self.case_id])
        return base64.urlsafe_b64encode(raw).decode()

    @classmethod
    def decode(cls, cursor: str) -> QueuePosition:
        try:
            rank, deadline, case_id = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
            return cls(int(rank), datetime.fromisoformat(deadline), str(case_id))
        except (ValueError, TypeError) as exc:
            raise BadCursor("cursor is not one this API gave out") from exc
