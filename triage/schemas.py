"""Request and response shapes of the USD's case API (CONTRACT §3), named by role."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.vocabulary import CaseStatus, ContactChannel, Priority, UsdOutcome
from triage.work_queue import QueuedCase


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
            links={"self": f"/v1/cases/{case.case_id}"},
        )


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")
