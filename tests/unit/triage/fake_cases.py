"""In-memory stores for use-case tests (cosmicpython's FakeRepository): cases and the shelter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.audit import Actor, AuditAction
from shared.audit.details import AuditDetails
from shared.bus import Record
from shared.events import CaseChanged
from triage.case_file import CaseFile
from triage.domain.decisions import Decision
from triage.domain.housing import HousingPlan
from triage.domain.shelter import UnitKey
from triage.work_queue import QueueFilter, QueuePage


class FakeCases:
    """Case files in a dict; keeps every event, decision, plan and audit entry saved."""

    def __init__(self) -> None:
        self.files: dict[str, CaseFile] = {}
        self.events: list[Record] = []
        self.audited: list[tuple[str, str, str | None, dict[str, Any]]] = []
        self.decisions: list[Decision] = []
        self.plans: list[HousingPlan] = []

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[FakeCases]:
        """Use as the use cases' `Transaction`."""
        yield self

    async def open_cases_for(self, pseudonyms: Collection[str]) -> dict[str, CaseFile]:
        return {
            f.case.household_pseudonym: f
            for f in self.files.values()
            if f.case.household_pseudonym in pseudonyms and f.case.status != "closed"
        }

    async def last_closed(self, pseudonyms: Collection[str]) -> dict[str, datetime]:
        closed: dict[str, datetime] = {}
        for f in self.files.values():
            pseudonym, at = f.case.household_pseudonym, f.case.closed_at
            if pseudonym in pseudonyms and at is not None:
                closed[pseudonym] = max(at, closed.get(pseudonym, at))
        return closed

    async def open_cases_after(self, case_id: str, limit: int) -> list[CaseFile]:
        open_ = [f for f in self.files.values() if f.case.status != "closed"]
        return sorted((f for f in open_ if f.case.case_id > case_id), key=_case_id)[:limit]

    async def get(self, case_id: str, *, for_change: bool = False) -> CaseFile | None:
        return self.files.get(case_id)

    async def overdue(self, now: datetime, limit: int) -> list[CaseFile]:
        return [f for f in self.files.values() if f.case.deadline_passed(now)][:limit]

    async def save(self, files: Sequence[CaseFile], events: Sequence[Record]) -> None:
        for f in files:
            self.decisions += f.case.decisions
            self.plans += f.case.recorded_plans
            f.case.decisions.clear()
            f.case.recorded_plans.clear()
            f.version += 1
        self.files.update({f.case.case_id: f for f in files})
        self.events += events

    async def audit(
        self, actor: Actor, action: AuditAction, case_id: str, details: AuditDetails | None = None
    ) -> None:
        self.audited.append((action, case_id, actor.source, dict(details or {})))

    async def queue(self, wanted: QueueFilter) -> QueuePage:
        raise NotImplementedError("the queue's order and cursor are tested on real databases")

    async def decisions_of(self, case_id: str) -> list[Decision]:
        return [d for d in self.decisions if d.case_id == case_id]

    def announced(self) -> list[CaseChanged]:
        return [CaseChanged.model_validate_json(record.value) for record in self.events]


@dataclass
class _Booking:
    id: str
    case_id: str
    facility: str
    unit: str
    from_date: Any
    until_date: Any
    booked_at: datetime
    released_at: datetime | None = None


class FakeShelter:
    """Shelter counters and bookings in dicts, with the capacity rule the database enforces."""

    def __init__(self) -> None:
        self.capacity: dict[UnitKey, int | None] = {}
        self.occupied: dict[UnitKey, int] = {}
        self.bookings: dict[str, _Booking] = {}

    async def ensure_unit(self, key: UnitKey, capacity: int | None) -> None:
        self.capacity.setdefault(key, capacity)
        self.occupied.setdefault(key, 0)

    async def take_unit(self, key: UnitKey) -> bool:
        capacity = self.capacity[key]
        if capacity is not None and self.occupied[key] >= capacity:
            return False
        self.occupied[key] += 1
        return True

    async def occupancy(self) -> dict[UnitKey, int]:
        return dict(self.occupied)

    async def add_booking(self, booking: dict[str, Any]) -> None:
        self.bookings[booking["id"]] = _Booking(
            **{k: v for k, v in booking.items() if k != "booked_by"}
        )

    async def release(self, booking_id: str, at: datetime, by: str) -> Any | None:
        booking = self.bookings.get(booking_id)
        if booking is None or booking.released_at is not None:
            return None
        booking.released_at = at
        self.occupied[(booking.facility, booking.unit)] -= 1  # type: ignore[index]
        return booking


@dataclass
class FakeShelterWork:
    cases: FakeCases
    shelter: FakeShelter

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[FakeShelterWork]:
        """Use as the shelter use cases' `ShelterTransaction`; a failure rolls the counters back."""
        occupied = dict(self.shelter.occupied)
        try:
            yield self
        except BaseException:
            self.shelter.occupied = occupied
            raise


def _case_id(file: CaseFile) -> str:
    return file.case.case_id
