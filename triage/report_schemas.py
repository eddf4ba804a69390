"""The monthly report's documented shape (CONTRACT §11); counts read `<5` when published."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Count = int | Literal["<5"]


class ReportPeriod(BaseModel):
    from_: str = Field(alias="from", examples=["2026-11-01"])
    until: str = Field(examples=["2026-11-30"])


class SignalFigures(BaseModel):
    total: Count
    by_type: dict[str, Count] = Field(examples=[{"rent_arrears": 41, "eviction_order": 6}])
    by_source: dict[str, Count] = Field(examples=[{"woonstad": 30, "dudok": 17}])


class CaseFigures(BaseModel):
    opened: Count
    closed: Count


class FirstContactFigures(BaseModel):
    due: Count = Field(
        description="Cases opened in the month that had a first attempt or whose deadline passed."
    )
    within_deadline: Count = Field(description="First attempt by `respond_before`.")
    share_within_deadline: float | None = Field(examples=[0.92])
    median_working_days: float | None = Field(
        description="Working days from opening to the first attempt (Dutch holidays skipped)."
    )


class MinorsFigures(BaseModel):
    with_minors: Count
    without_minors: Count
    minors_unknown: Count


class EvictionFigures(BaseModel):
    orders: MinorsFigures = Field(description="eviction_order signals (ontruimingsvonnis).")
    executed: MinorsFigures = Field(description="eviction_executed signals (ontruiming).")


class ShelterUnitOut(BaseModel):
    facility: str
    unit: str
    capacity: int | None = Field(description="null: no fixed capacity (e.g. hotel rooms).")
    bookings_started: Count
    households: Count = Field(description="Cases that held this unit kind in the month.")
    nights: Count = Field(description="Unit-nights held in the month.")
    occupancy: float | None = Field(description="nights / (capacity × days); null without one.")


class ScoreGroupOut(BaseModel):
    cases: Count
    median_score: float | None
    priorities: dict[str, Count]


class ScoreFigures(BaseModel):
    by_district: dict[str, ScoreGroupOut] = Field(description="By the postcode's four digits.")
    by_source: dict[str, ScoreGroupOut]


class MonthlyReportOut(BaseModel):
    """Figures for the council and the national monitor; no personal data."""

    month: str = Field(examples=["2026-11"])
    period: ReportPeriod
    published: bool = Field(description="Counts under 5 read `<5` (publication).")
    signals: SignalFigures
    households: Count = Field(description="Households with a signal recorded in the month.")
    cases: CaseFigures
    first_contact: FirstContactFigures
    outcomes: dict[str, Count] = Field(description="Cases closed in the month, by outcome.")
    evictions: EvictionFigures
    families_evicted_without_plan: Count
    shelter: list[ShelterUnitOut]
    repeat_households: Count = Field(
        description="Cases opened in the month for a household whose earlier case had closed."
    )
    scores: ScoreFigures
