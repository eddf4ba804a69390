"""The case as the USD reads it (Vroegsignaalzaak): one typed document for every service.

Triage builds it and publishes it on the cases topic (household sealed beside it), the case API
answers with it (household opened for an audited reader), and the notifier puts it in the
webhook's `data`. One model, so OpenAPI, AsyncAPI and the webhook describe the same thing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.case_housing import EvictionRecord, HousingPlanRecord, ShelterBookingRecord
from shared.household import Address, Contact
from shared.vocabulary import (
    CaseStatus,
    ContactChannel,
    Outcome,
    Priority,
    Reason,
    SignalType,
)

RECENT_SIGNALS = 20
"""Signals a case document carries: its size is bounded whatever a household's history."""
RECENT_HISTORY = 100
JsonScalar = str | int | float | bool | None
"""Signal details and history details hold ids, types, amounts and dates: never personal data."""


class _Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CaseSignal(_Document):
    """One signal of the case, as the corporation sent it (without the household)."""

    id: str = Field(description="The corporation's signal id.", examples=["6f1c2b1e-…"])
    source: str = Field(description="The corporation (the posting key's source).")
    type: SignalType
    occurred_at: datetime
    details: dict[str, JsonScalar] = Field(
        description="Type-specific details as posted (amounts in euros, ISO dates).",
        examples=[{"amount_eur": 1380.5, "monthly_rent_eur": 690.25}],
    )
    open: bool = Field(True, description="False once resolved or superseded by a newer signal.")


class ContactAttemptRecord(_Document):
    """Contactpoging."""

    id: str | None = Field(
        None,
        description="The attempt's id: posting it again changes nothing.",
        examples=["0b8e6f7c-3f55-4c3e-9d8e-2a1f0c9b7d11"],
    )
    channel: ContactChannel
    reached: bool
    at: datetime = Field(description="When the attempt was made (never in the future).")
    kind: str | None = Field(
        None,
        description="DDAS contactsoort: as posted (e.g. `Kaartje`), else the channel's "
        "(`phone` is `Telefoon`).",
        examples=["Telefoon"],
    )
    dagdeel: str | None = Field(
        None,
        description="DDAS dagdeel (Ochtend, Middag, Avond): as posted, else from `at` "
        "(Amsterdam time: before 12, before 18, after).",
        examples=["Ochtend"],
    )


class HistoryItem(_Document):
    """One line of the case's trail: what happened, with ids and types, never personal data."""

    at: datetime
    kind: str = Field(examples=["opened", "signal_added", "escalated", "closed"])
    detail: dict[str, JsonScalar] = Field(default_factory=dict)


class CaseDocument(_Document):
    """Vroegsignaalzaak without the household: what triage decided and what the USD did."""

    id: str = Field(description="Case id (Vroegsignaalzaak).")
    status: CaseStatus
    district: str | None = Field(
        None,
        description="The postcode's four digits (the address itself is contact data).",
        examples=["1402"],
    )
    minors: int | None = Field(
        None, description="Children under 18 as the corporations said; null = unknown."
    )
    risk_score: int = Field(ge=0, le=100, description="0–100; every point is a reason.")
    priority: Priority
    reasons: list[Reason] = Field(
        description="Why the score is what it is; points sum to `risk_score`.",
        examples=[[{"code": "MINORS", "points": 20, "text": "2 children under 18"}]],
    )
    team: str = Field(description="The USD team the case is routed to.", examples=["crisis"])
    respond_before: datetime = Field(description="Deadline of the first contact attempt.")
    policy_version: str = Field(examples=["2026.3"])
    assessed_at: datetime | None = Field(
        None,
        description="When the assessment in force was made: cases are re-assessed as time "
        "passes, and each assessment is kept with its inputs, so the score is reproducible.",
    )
    opened_at: datetime
    closed_at: datetime | None = None
    eviction: EvictionRecord | None = Field(None, description="Null: no eviction on the case.")
    housing_plan: HousingPlanRecord | None = Field(
        None, description="The plan in force (the latest recorded); null: none yet."
    )
    shelter_booking: ShelterBookingRecord | None = Field(
        None, description="The household's active crisis shelter booking, if any."
    )
    signals: list[CaseSignal] = Field(
        description=f"The {RECENT_SIGNALS} most recent signals, oldest first; "
        "GET /v1/cases/{id}/signals pages through all of them."
    )
    signals_total: int = Field(ge=0, description="How many signals the case holds in all.")
    contact_attempts: list[ContactAttemptRecord] = Field(default_factory=list)
    outcome: Outcome | None = None
    ddas_result: str | None = Field(
        None,
        description="The DDAS Eindresultaat of a closed case: the code the USD posted, else the "
        "one its outcome maps to.",
        examples=["Vervolghulp en/of verwijzing"],
    )
    history: list[HistoryItem] = Field(
        default_factory=list,
        description=f"The case's trail, the {RECENT_HISTORY} most recent lines, oldest first.",
    )
    history_total: int = Field(0, ge=0, description="How many lines the trail holds in all.")

    @model_validator(mode="before")
    @classmethod
    def _totals(cls, data: Any) -> Any:
        """Documents made before the totals were kept: what they carry is all there was."""
        if isinstance(data, dict):
            data.setdefault("signals_total", len(data.get("signals", [])))
            data.setdefault("history_total", len(data.get("history", [])))
        return data


class SourcedContact(Contact):
    """A contact person as one corporation gave it."""

    source: str = Field(
        description="The corporation whose latest signal gave this contact: a newer signal of "
        "that corporation replaces its contacts only, never another corporation's.",
        examples=["woningcorporatie-a"],
    )


class CaseHousehold(_Document):
    """The household as the case knows it, from every corporation that signalled it."""

    address: Address
    tenant_reference: str | None = Field(
        None, description="As the corporation that signalled last gave it."
    )
    contacts: list[SourcedContact] = Field(
        default_factory=list, description="Each corporation's contacts, with their source."
    )
    minors: int | None = Field(None, description="Children under 18; null = unknown.")
    adults: int | None = None


class CaseWithHousehold(CaseDocument):
    """The case as `GET /v1/cases/{id}` and the full webhook show it: with contact data."""

    household: CaseHousehold = Field(description="Personal data: every showing is audited.")
