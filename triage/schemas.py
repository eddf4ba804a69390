"""Request and response shapes of the USD's case API (CONTRACT §3), named by role."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Priority = Literal["critical", "high", "medium", "low"]


class ContactAttemptIn(BaseModel):
    """Contactpoging."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["letter", "phone", "email", "sms", "home_visit", "other"]
    reached: bool
    at: AwareDatetime


class OutcomeIn(BaseModel):
    """Resultaat: closes the case."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal[
        "help_accepted",
        "help_declined",
        "not_reached",
        "already_in_care",
        "repeated_signal",
        "not_resident",
        "closed_other",
    ]


class CaseSummary(BaseModel):
    """A case in the work queue; no contact data (that needs the audited detail read)."""

    id: str
    status: Literal["open", "contacted", "closed"]
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


class CaseOut(BaseModel):
    """Vroegsignaalzaak: household with contact data, signals, score and its reasons."""

    id: str
    status: str
    household: dict[str, Any]
    signals: list[dict[str, Any]]
    risk_score: int
    priority: Priority
    reasons: list[dict[str, Any]]
    team: str
    respond_before: datetime
    policy_version: str
    opened_at: datetime
    closed_at: datetime | None
    contact_attempts: list[dict[str, Any]]
    outcome: str | None
    history: list[dict[str, Any]]
