"""The signal a housing corporation sends (Vroegsignaal), one model per VERA signal type.

Validation lives here so that the single and the batch endpoint refuse exactly the same things.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from shared.household import Household
from shared.moments import IsoAwareDatetime, IsoDate
from shared.vocabulary import (
    DrugsCategory,
    DrugsStage,
    EvictionReason,
    NuisanceCategory,
    ProblemType,
    ResolveReason,
    Severity,
)

Euros = Annotated[float, Strict(), Field(gt=0, le=10_000_000, allow_inf_nan=False)]
"""A JSON number: `"1380.50"` is refused, not read."""


class _Details(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RentArrearsDetails(_Details):
    """Huurachterstand."""

    amount_eur: Euros = Field(examples=[1380.5])
    monthly_rent_eur: Euros | None = Field(None, examples=[690.25])
    arrears_since: IsoDate | None = None
    reminder_sent_on: IsoDate | None = None


class NuisanceDetails(_Details):
    """Overlast."""

    category: NuisanceCategory
    severity: Severity


class PollutionDetails(_Details):
    """Vervuiling (including hoarding)."""

    severity: Severity


class DrugsDetails(_Details):
    """Hennepkwekerij / drugshandel under the Wet Damocles."""

    category: DrugsCategory
    stage: DrugsStage


class EvictionOrderDetails(_Details):
    """Ontruimingsvonnis."""

    judgment_date: IsoDate
    eviction_date: IsoDate | None = None
    reason: EvictionReason


class EvictionExecutedDetails(_Details):
    """Ontruiming uitgevoerd."""

    executed_on: IsoDate


class ResolvedDetails(_Details):
    """Opgelost: withdraws an earlier signal type for this household."""

    resolves: ProblemType
    reason: ResolveReason


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
AHEAD = timedelta(hours=24)


class _Signal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(description="Chosen by the corporation; the idempotency key per source.")
    occurred_at: IsoAwareDatetime = Field(
        description="When it happened: not before 2000, at most 24 hours ahead, with an offset.",
        examples=["2026-11-02T09:00:00+01:00"],
    )
    household: Household

    @field_validator("occurred_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        try:
            utc = value.astimezone(UTC)
        except OverflowError:
            raise ValueError("cannot be represented in UTC") from None
        if utc < EARLIEST:
            raise ValueError("must not be before 2000-01-01")
        if utc > datetime.now(UTC) + AHEAD:
            raise ValueError("must not be more than 24 hours ahead")
        return value  # as posted: the stored body hash is over the body as the client sent it


class RentArrearsSignal(_Signal):
    type: Literal["rent_arrears"]
    details: RentArrearsDetails


class NuisanceSignal(_Signal):
    type: Literal["nuisance"]
    details: NuisanceDetails


class PollutionSignal(_Signal):
    type: Literal["pollution"]
    details: PollutionDetails


class DrugsSignal(_Signal):
    type: Literal["drugs"]
    details: DrugsDetails


class EvictionOrderSignal(_Signal):
    type: Literal["eviction_order"]
    details: EvictionOrderDetails


class EvictionExecutedSignal(_Signal):
    type: Literal["eviction_executed"]
    details: EvictionExecutedDetails


class ResolvedSignal(_Signal):
    type: Literal["resolved"]
    details: ResolvedDetails


SignalIn = Annotated[
    RentArrearsSignal
    | NuisanceSignal
    | PollutionSignal
    | DrugsSignal
    | EvictionOrderSignal
    | EvictionExecutedSignal
    | ResolvedSignal,
    Field(discriminator="type"),
]
SIGNAL = TypeAdapter[SignalIn](SignalIn)


def parse_signal(raw: Any) -> SignalIn:
    """Validates one signal; raises pydantic's ValidationError naming every failing field."""
    return SIGNAL.validate_python(raw)


__all__ = ["SIGNAL", "SignalIn", "ValidationError", "parse_signal"]
