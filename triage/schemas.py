"""Request and response shapes of the USD's case API (CONTRACT §3), named by role."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from shared.moments import IsoAwareDatetime, IsoDate
from shared.vocabulary import (
    CaseStatus,
    ContactChannel,
    HousingPlanKind,
    Priority,
    Reason,
    SignalType,
    UsdOutcome,
)
from triage.domain.ddas import ContactKind, Dagdeel, Eindresultaat
from triage.domain.decisions import Decision
from triage.work_queue import QueuedCase


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("cannot be represented in UTC") from None


UtcDateTime = Annotated[IsoAwareDatetime, AfterValidator(_in_utc)]
"""A timezone-aware moment that exists in UTC (9999-12-31T23:00-05:00 does not): else 422."""


def _printable(text: str) -> str:
    if any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in text):
        raise ValueError("must not hold control characters (NUL, escape sequences)")
    return text


PlainText = Annotated[str, AfterValidator(_printable)]
"""Free text as people write it: no control characters besides tab and line breaks (PostgreSQL
text cannot hold NUL at all; escape sequences would reach the USD's screens): else 422."""


class ContactAttemptIn(BaseModel):
    """Contactpoging."""

    model_config = ConfigDict(extra="forbid")

    id: UUID | None = Field(
        None, description="Your id for the attempt: posting the same id again changes nothing."
    )
    channel: ContactChannel | ContactKind = Field(
        description="Our channel, or a DDAS contactsoort (v1.2): `Brief`, `Telefoon`, `Mail`, "
        "`SMS/Whatsapp`, `Huisbezoek` and `Overige` are our six channels; `Kaartje` is kept on "
        "`letter`, `Administratief`, `Afspraak op locatie` and `Onbekend` on `other`.",
        examples=["phone", "Kaartje"],
    )
    reached: StrictBool
    at: UtcDateTime = Field(
        description="When it happened; more than 5 minutes ahead of the server's clock is 422.",
        examples=["2026-11-03T10:15:00+01:00"],
    )
    dagdeel: Dagdeel | None = Field(
        None,
        description="DDAS dagdeel; absent: from `at` (Amsterdam time: Ochtend before 12, Middag "
        "before 18, else Avond).",
    )


class HousingPlanIn(BaseModel):
    """Woonplan (CONTRACT §8): how the household will be housed."""

    model_config = ConfigDict(extra="forbid")

    kind: HousingPlanKind = Field(
        description="`hov`: Huren Onder Voorwaarden (a supported tenancy of up to two years); "
        "`urgency`: the urgency scheme; `shelter`: crisis shelter.",
        examples=["hov"],
    )
    summary: PlainText | None = Field(
        None,
        max_length=500,
        description="What the plan is, in plain words. It travels with the case (webhooks, event "
        "stream): no names, phone numbers or e-mail addresses (those are refused).",
        examples=["HOV-overeenkomst met budgetbeheer, twee jaar"],
    )
    starts_on: IsoDate | None = Field(None, examples=["2026-12-01"])


class OutcomeIn(BaseModel):
    """Resultaat: closes the case."""

    model_config = ConfigDict(extra="forbid")

    outcome: UsdOutcome | Eindresultaat = Field(
        description="Our word, or one of the 16 DDAS Eindresultaat codes (v1.2), which maps to "
        "a word: see `triage.domain.ddas` and the README for the table both ways.",
        examples=["help_accepted", "Vervolghulp en/of verwijzing financieel"],
    )


class CaseSummary(BaseModel):
    """A case in the work queue: what a worker needs to choose, and no contact data (that needs
    the audited detail read)."""

    id: str
    status: CaseStatus
    priority: Priority
    risk_score: int = Field(ge=0, le=100)
    team: str
    respond_before: datetime
    opened_at: datetime
    outcome: str | None
    signal_types: list[SignalType] = Field(
        description="The open problem types.", examples=[["rent_arrears", "eviction_order"]]
    )
    minors: int | None = Field(description="Children under 18; null = unknown.")
    district: str | None = Field(description="The postcode's four digits.", examples=["1402"])
    eviction_date: date | None = Field(description="The planned eviction date while ordered.")
    housing_plan: HousingPlanKind | None = Field(description="The kind of the plan in force.")
    reasons: list[Reason]
    links: dict[str, str]

    @classmethod
    def of(cls, case: QueuedCase) -> CaseSummary:
        return cls(
            id=case.case_id,
            status=case.status,
            priority=case.priority,
            risk_score=case.risk_score,
            team=case.team,
            respond_before=case.respond_before,
            opened_at=case.opened_at,
            outcome=case.outcome,
            signal_types=case.signal_types,
            minors=case.minors,
            district=case.district,
            eviction_date=case.eviction_date,
            housing_plan=case.housing_plan,
            reasons=case.reasons,
            links={"self": f"/v1/cases/{case.case_id}"},
        )


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


class DecisionOut(BaseModel):
    """One assessment of the case (CONTRACT §10): what it read, under which policy, what it gave.

    `inputs` holds no contact data: counts, the district, the signals' facts, the plan's kind."""

    at: datetime = Field(description="When the case was assessed.")
    cause: str = Field(description="Why: opened, signal, time_passed, housing_plan, ...")
    policy_version: str = Field(examples=["2026.3"])
    risk_score: int = Field(ge=0, le=100)
    priority: Priority
    team: str
    reasons: list[Reason]
    inputs: dict[str, Any] = Field(
        description="Everything the assessment read; `vroegsignaal policy replay` recomputes "
        "the score from it under the same policy version."
    )


class DecisionList(BaseModel):
    case_id: str
    items: list[DecisionOut] = Field(description="Every assessment, oldest first.")

    @classmethod
    def of(cls, case_id: str, decisions: list[Decision]) -> DecisionList:
        return cls(
            case_id=case_id,
            items=[
                DecisionOut(
                    at=d.at,
                    cause=d.cause,
                    policy_version=d.assessment.policy_version,
                    risk_score=d.assessment.score,
                    priority=d.assessment.priority,
                    team=d.assessment.team,
                    reasons=list(d.assessment.reasons),
                    inputs=d.inputs.to_json(),
                )
                for d in decisions
            ],
        )
