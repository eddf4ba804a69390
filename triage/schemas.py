"""Request and response shapes of the USD's case API (CONTRACT §3), named by role."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.vocabulary import CaseStatus, ContactChannel, Priority, UsdOutcome


class ContactAttemptIn(BaseModel):
    """Contactpoging."""

    model_config = ConfigDict(extra="forbid")

    channel: ContactChannel
    reached: bool
    at: AwareDatetime


class OutcomeIn(BaseModel):
    """Resultaat: closes the case."""

    model_config = ConfigDict(extra="forbid")

    outcome: UsdOutcome


class CaseSummary(BaseModel):
    """A case in the work queue; no contact data (that needs the audited detail read)."""

    id: str
    status: CaseStatus
    priority: Priority
    risk_score: int = Field(ge=0, le=100)
    team: str
    respond_before: datetime
    opened_at: datetime
    outcome: str | None
    links: dict[str, str]


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")
