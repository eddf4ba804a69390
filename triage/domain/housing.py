"""What a case records about the household's home (CONTRACT §8): the eviction, the housing plans
(woonplan) the USD makes, and a crisis shelter stay (crisisopvang).

Plain values; the rules that read them are in `triage.domain.families`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from shared.vocabulary import HOUSING_PLAN_KINDS, EvictionState, HousingPlanKind, ShelterUnitKind
from triage.domain.errors import RefusedInput

SUMMARY_MAX: Final = 500
PLANNED_BACK: Final = timedelta(days=366)
PLANNED_AHEAD: Final = timedelta(days=2 * 366)
"""A plan or a shelter stay is for this household now: a day outside this window of today is a
typing error (a stay from 9999-12-31 would hold a shelter place from now on), refused."""
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?:\+|\b0)[0-9][0-9 ()-]{7,}[0-9]")


@dataclass(frozen=True)
class Eviction:
    """Ontruiming: the court's order (vonnis) and what became of it."""

    state: EvictionState
    judgment_date: date | None
    eviction_date: date | None
    executed_on: date | None = None

    def days_left(self, today: date) -> int | None:
        """Calendar days until the eviction date while it is ordered (negative once passed)."""
        if self.state != "ordered" or self.eviction_date is None:
            return None
        return (self.eviction_date - today).days


@dataclass(frozen=True)
class HousingPlan:
    """How the household will be housed; the latest plan stands, earlier ones stay on file."""

    id: str
    kind: HousingPlanKind
    recorded_at: datetime
    recorded_by: str
    """The source of the key that recorded it (the USD)."""
    summary: str | None = None
    starts_on: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in HOUSING_PLAN_KINDS:
            raise RefusedInput("kind", f"unknown housing plan kind {self.kind!r}")
        if self.summary is not None:
            refuse_contact_data("summary", self.summary)


def refuse_implausible_day(field: str, day: date | None, today: date) -> None:
    """Refuses a planned day more than a year back or two years ahead of `today`."""
    if day is not None and not today - PLANNED_BACK <= day <= today + PLANNED_AHEAD:
        raise RefusedInput(
            field, f"must lie between {today - PLANNED_BACK} and {today + PLANNED_AHEAD}"
        )


def refuse_contact_data(field: str, text: str) -> None:
    """Free text travels with the case on the event stream: it may say what, never who. An
    e-mail address or phone number in it is refused (names cannot be told apart from words)."""
    if len(text) > SUMMARY_MAX:
        raise RefusedInput(field, f"{field} must be at most {SUMMARY_MAX} characters")
    if _EMAIL.search(text) or _PHONE.search(text):
        raise RefusedInput(
            field,
            f"{field} must not hold contact data (an e-mail address or phone number): it is "
            "shown wherever the case is, the household's contacts are kept apart",
        )


@dataclass(frozen=True)
class ShelterStay:
    """A booking of a crisis shelter unit for the household (one active per case)."""

    booking_id: str
    facility: str
    unit: ShelterUnitKind
    from_date: date
    until_date: date | None
    booked_at: datetime


@dataclass(frozen=True)
class PlanAlert:
    """The highest housing-plan stage already announced for one eviction date (1: due, 2: final
    warning), so each stage is announced once; a new eviction date starts again."""

    eviction_date: date
    stage: int
