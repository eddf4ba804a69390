"""Crisis shelter use cases (crisisopvang, CONTRACT §8): what is free, book, release.

A booking takes a unit (the database guarantees capacity), then records the stay on the case
(a housing plan of kind `shelter` when it has none), in one transaction with the case event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from shared.audit import Actor
from shared.vocabulary import ShelterUnitKind
from triage.case_events import case_events
from triage.casework_service import actor_name
from triage.domain.errors import RefusedInput
from triage.domain.housing import ShelterStay, refuse_implausible_day
from triage.domain.policy_model import ScoringPolicy
from triage.domain.shelter import ShelterCatalog, UnitKey
from triage.service import CaseRepository, for_change


class ShelterStore(Protocol):
    """What the shelter use cases need from storage, inside one transaction."""

    async def ensure_unit(self, key: UnitKey, capacity: int | None) -> None: ...

    async def take_unit(self, key: UnitKey) -> bool:
        """One more unit occupied if one is free; False when full."""

    async def occupancy(self) -> dict[UnitKey, int]: ...

    async def add_booking(self, booking: dict[str, Any]) -> None: ...

    async def release(self, booking_id: str, at: datetime, by: str) -> Any | None: ...


class ShelterWork(Protocol):
    @property
    def cases(self) -> CaseRepository: ...

    @property
    def shelter(self) -> ShelterStore: ...


ShelterTransaction = Callable[[], AbstractAsyncContextManager[ShelterWork]]


class NoRoom(Exception):
    """The unit is full; `alternatives` are the facility and unit kinds with room."""

    def __init__(self, key: UnitKey, alternatives: list[UnitKey]) -> None:
        super().__init__(f"no {key[1]} free at {key[0]}")
        self.alternatives = alternatives


class BookingNotFound(LookupError):
    pass


@dataclass(frozen=True)
class UnitAvailability:
    facility: str
    name: str
    kind: ShelterUnitKind
    capacity: int | None
    occupied: int

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.occupied, 0)


@dataclass(frozen=True)
class NewBooking:
    case_id: str
    facility: str
    unit: str
    from_date: date
    until_date: date | None = None


@dataclass(frozen=True)
class Booking:
    id: str
    case_id: str
    facility: str
    unit: ShelterUnitKind
    from_date: date
    until_date: date | None
    booked_at: datetime
    released_at: datetime | None = None


async def availability(
    begin: ShelterTransaction, catalog: ShelterCatalog
) -> list[UnitAvailability]:
    async with begin() as work:
        occupied = await work.shelter.occupancy()
    return [
        UnitAvailability(f.id, f.name, u.kind, u.capacity, occupied.get((f.id, u.kind), 0))
        for f in catalog.facilities
        for u in f.units
    ]


async def book(
    begin: ShelterTransaction,
    catalog: ShelterCatalog,
    policy: ScoringPolicy,
    wanted: NewBooking,
    actor: Actor,
    now: datetime,
) -> Booking:
    """Takes a unit for the case; NoRoom (with alternatives) when it is full, CaseError when the
    case holds an active booking already. Nothing is kept of a refused booking."""
    key = _unit_key(catalog, wanted)
    refuse_implausible_day("from", wanted.from_date, now.date())
    refuse_implausible_day("until", wanted.until_date, now.date())
    stay = ShelterStay(
        str(uuid.uuid4()), wanted.facility, key[1], wanted.from_date, wanted.until_date, now
    )
    booked_by = actor_name(actor)
    async with begin() as work:
        await work.shelter.ensure_unit(key, _capacity(catalog, key))
        if not await work.shelter.take_unit(key):
            occupied = await work.shelter.occupancy()
            raise NoRoom(key, catalog.with_room(occupied, key))
        file = await for_change(work.cases, wanted.case_id)
        change = file.case.book_shelter(stay, booked_by, policy, now)
        await work.shelter.add_booking(
            {
                "id": stay.booking_id,
                "case_id": wanted.case_id,
                "facility": key[0],
                "unit": key[1],
                "from_date": stay.from_date,
                "until_date": stay.until_date,
                "booked_at": now,
                "booked_by": booked_by,
            }
        )
        await work.cases.save([file], case_events(file, change))
        details = {"booking_id": stay.booking_id, "facility": key[0], "unit": key[1]}
        await work.cases.audit(actor, "shelter.booked", wanted.case_id, details)
    return Booking(
        stay.booking_id, wanted.case_id, key[0], key[1], stay.from_date, stay.until_date, now
    )


async def release(
    begin: ShelterTransaction, booking_id: str, actor: Actor, now: datetime
) -> Booking:
    """Frees the unit; BookingNotFound when no such booking is active."""
    async with begin() as work:
        ended = await work.shelter.release(booking_id, now, actor_name(actor))
        if ended is None:
            raise BookingNotFound(booking_id)
        file = await for_change(work.cases, ended.case_id)
        change = file.case.release_shelter(booking_id, now)
        await work.cases.save([file], case_events(file, change))
        details = {"booking_id": booking_id, "facility": ended.facility, "unit": ended.unit}
        await work.cases.audit(actor, "shelter.released", ended.case_id, details)
    return Booking(
        ended.id,
        ended.case_id,
        ended.facility,
        ended.unit,
        ended.from_date,
        ended.until_date,
        ended.booked_at,
        now,
    )


def _unit_key(catalog: ShelterCatalog, wanted: NewBooking) -> UnitKey:
    if not any(f.id == wanted.facility for f in catalog.facilities):
        raise RefusedInput("facility", f"no shelter facility {wanted.facility!r}")
    unit = catalog.unit(wanted.facility, wanted.unit)
    if unit is None:
        raise RefusedInput("unit", f"{wanted.facility} has no unit {wanted.unit!r}")
    if wanted.until_date is not None and wanted.until_date < wanted.from_date:
        raise RefusedInput("until", "must not be before `from`")
    return (wanted.facility, unit.kind)


def _capacity(catalog: ShelterCatalog, key: UnitKey) -> int | None:
    unit = catalog.unit(*key)
    return unit.capacity if unit else None
