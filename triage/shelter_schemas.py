"""Request and response shapes of the crisis shelter API (CONTRACT §8), named by role."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.moments import IsoDate
from shared.vocabulary import ShelterUnitKind
from shared.web.problems import Problem
from triage.schemas import PlainText
from triage.shelter_service import Booking, UnitAvailability


class UnitOut(BaseModel):
    kind: ShelterUnitKind
    capacity: int | None = Field(description="Null: no fixed limit.")
    occupied: int
    free: int | None = Field(description="Null: no fixed limit.")


class FacilityOut(BaseModel):
    id: str = Field(examples=["vluchtheuvel"])
    name: str
    units: list[UnitOut]


class ShelterOut(BaseModel):
    facilities: list[FacilityOut]

    @classmethod
    def of(cls, units: list[UnitAvailability]) -> ShelterOut:
        facilities: dict[str, FacilityOut] = {}
        for u in units:
            facility = facilities.setdefault(
                u.facility, FacilityOut(id=u.facility, name=u.name, units=[])
            )
            facility.units.append(
                UnitOut(kind=u.kind, capacity=u.capacity, occupied=u.occupied, free=u.free)
            )
        return cls(facilities=list(facilities.values()))


class _Aliased(BaseModel):
    model_config = ConfigDict(
        extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )


class BookingIn(_Aliased):
    """Book a crisis shelter unit for a case's household."""

    case_id: PlainText = Field(max_length=64)
    facility: str = Field(examples=["vluchtheuvel"])
    unit: str = Field(description="A unit kind of the facility.", examples=["apartment"])
    from_: IsoDate = Field(alias="from", examples=["2026-12-01"])
    until: IsoDate | None = Field(None, description="Planned end, if known.")


class BookingOut(_Aliased):
    id: str
    case_id: str
    facility: str
    unit: ShelterUnitKind
    from_: date = Field(alias="from")
    until: date | None
    booked_at: datetime
    released_at: datetime | None = None
    links: dict[str, str]

    @classmethod
    def of(cls, booking: Booking) -> BookingOut:
        return cls(
            id=booking.id,
            case_id=booking.case_id,
            facility=booking.facility,
            unit=booking.unit,
            from_=booking.from_date,
            until=booking.until_date,
            booked_at=booking.booked_at,
            released_at=booking.released_at,
            links={
                "case": f"/v1/cases/{booking.case_id}",
                "release": f"/v1/shelter/bookings/{booking.id}/release",
            },
        )


class Alternative(BaseModel):
    facility: str
    unit: ShelterUnitKind


class NoRoomProblem(Problem):
    """409 when the unit is full: where there is room instead."""

    alternatives: list[Alternative]
