"""The case document's family records (CONTRACT §8): the eviction and its countdown, the housing
plan (woonplan) in force, and the household's crisis shelter booking (crisisopvang)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.vocabulary import EvictionState, HousingPlanKind, ShelterUnitKind


class _Record(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class EvictionRecord(_Record):
    """Ontruiming: the court's order and what became of it."""

    judgment_date: date | None = Field(description="Date of the judgment (vonnis).")
    eviction_date: date | None = Field(description="The planned eviction date, if set.")
    days_left: int | None = Field(
        description="Calendar days until the eviction date while it is ordered (negative once "
        "passed), as of when this document was made; null otherwise.",
        examples=[12],
    )
    state: EvictionState = Field(
        description="`ordered`; `executed` (ontruiming uitgevoerd); `prevented`: the order was "
        "resolved before it was carried out."
    )


class HousingPlanRecord(_Record):
    """Woonplan: how the household will be housed. The latest stands; earlier ones stay in
    the case's `history` (kind `housing_plan`)."""

    id: str
    kind: HousingPlanKind = Field(
        description="`hov` is Huren Onder Voorwaarden (a supported tenancy of up to two years), "
        "`urgency` the urgency scheme, `shelter` crisis shelter.",
        examples=["hov"],
    )
    summary: str | None = Field(
        None, max_length=500, description="What the plan is, in plain words (never who)."
    )
    starts_on: date | None = None
    recorded_at: datetime
    recorded_by: str = Field(description="The source of the key that recorded it.")


class ShelterBookingRecord(_Record):
    """The household's active crisis shelter booking."""

    id: str = Field(
        description="Booking id: release it with POST /v1/shelter/bookings/{id}/release."
    )
    facility: str = Field(examples=["vluchtheuvel"])
    unit: ShelterUnitKind = Field(examples=["apartment"])
    from_: date = Field(alias="from")
    until: date | None = None
    booked_at: datetime
