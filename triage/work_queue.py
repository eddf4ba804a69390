"""The USD's work queue (werkvoorraad) as a read model: what to ask for and what comes back.

Cases come by priority, then deadline, then risk score (highest first), then id; a page ends
with an opaque keyset cursor on that order. The query itself is in the repository.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

import orjson

from shared.vocabulary import PRIORITIES, CaseStatus, HousingPlanKind, Outcome, Priority, Reason

QueueStatus = Literal["open", "contacted", "closed", "all"]
STATUS_GROUPS: Final[dict[QueueStatus, tuple[CaseStatus, ...]]] = {
    "open": ("open", "contacted"),  # every case still being worked, as a USD worker means it
    "contacted": ("contacted",),
    "closed": ("closed",),
    "all": ("open", "contacted", "closed"),
}
_RANKS = range(-(len(PRIORITIES) - 1), 1)  # priority_rank column: critical -3 ... low 0


class BadCursor(ValueError):
    """A cursor this API never gave out."""


@dataclass(frozen=True)
class QueueFilter:
    status: QueueStatus = "open"
    """A key of STATUS_GROUPS: `open` includes contacted cases, `all` every case."""
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
    signal_types: list[str]
    minors: int | None
    district: str | None
    eviction_date: date | None
    housing_plan: HousingPlanKind | None
    reasons: list[Reason]


@dataclass(frozen=True)
class QueuePage:
    items: list[QueuedCase]
    next_cursor: str | None


@dataclass(frozen=True)
class QueuePosition:
    """Where a page ends in the queue order: priority rank (most urgent lowest), deadline,
    score (highest first), id."""

    priority_rank: int
    respond_before: datetime
    risk_score: int
    case_id: str

    def encode(self) -> str:
        raw = orjson.dumps(
            [self.priority_rank, self.respond_before.isoformat(), self.risk_score, self.case_id]
        )
        return base64.urlsafe_b64encode(raw).decode()

    @classmethod
    def decode(cls, cursor: str) -> QueuePosition:
        """Only what `encode` gives: anything else (a naive or overflowing time, a rank or score
        out of range, another shape) is a BadCursor, never a database error."""
        try:
            parts = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        except (ValueError, binascii.Error):
            raise BadCursor("cursor is not one this API gave out") from None
        if not isinstance(parts, list) or len(parts) != 4:
            raise BadCursor("cursor is not one this API gave out")
        rank, deadline, score, case_id = parts
        if not (_whole(rank) and rank in _RANKS and _whole(score) and 0 <= score <= 100):
            raise BadCursor("cursor is not one this API gave out")
        if not isinstance(case_id, str) or len(case_id) > 36 or "\x00" in case_id:
            raise BadCursor("cursor is not one this API gave out")
        if not isinstance(deadline, str):
            raise BadCursor("cursor is not one this API gave out")
        return cls(rank, _moment(deadline), score, case_id)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
        if moment.utcoffset() is None:
            raise BadCursor("cursor is not one this API gave out")
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadCursor("cursor is not one this API gave out") from None
