"""The state of a case (Vroegsignaalzaak) and the small helpers every operation shares.

`triage.domain.case.Case` adds the operations; adapters map this state to rows and documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.vocabulary import CaseStatus, ChangeKind, Outcome
from triage.domain.assessment import Assessment
from triage.domain.case_records import CaseChange, ContactAttempt, HistoryEntry
from triage.domain.decisions import AssessmentInputs, Decision, inputs_at
from triage.domain.errors import CaseError
from triage.domain.housing import Eviction, HousingPlan, PlanAlert, ShelterStay
from triage.domain.scoring import counted_signals
from triage.domain.signals import Household, OpenKey, SignalFact


@dataclass(eq=False)
class CaseState:
    """Mutate it only through `Case`'s operations."""

    case_id: str
    household_pseudonym: str
    household: Household
    open_signals: dict[OpenKey, SignalFact]
    """Per corporation and type: a `resolved` withdraws only what its own source signalled."""
    assessment: Assessment
    opened_at: datetime
    respond_before: datetime
    status: CaseStatus = "open"
    outcome: Outcome | None = None
    ddas_result: str | None = None
    """The DDAS Eindresultaat code the USD closed the case with, when it posted a code."""
    closed_at: datetime | None = None
    signal_ids: list[str] = field(default_factory=list)
    contact_attempts: list[ContactAttempt] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    overdue_escalated_for: datetime | None = None  # the deadline already escalated as passed
    assessed_at: datetime | None = None
    """When the assessment in force was made (None: at opening)."""
    eviction: Eviction | None = None
    housing_plans: list[HousingPlan] = field(default_factory=list)
    """Every plan recorded, the latest last: the latest stands."""
    shelter_stay: ShelterStay | None = None
    previous_case_closed_at: datetime | None = None
    """When the household's previous case closed, if it had one (recurrence)."""
    plan_alert: PlanAlert | None = None
    decisions: list[Decision] = field(default_factory=list)
    """Assessments made since the case was loaded; storage saves them and empties the list."""
    recorded_plans: list[HousingPlan] = field(default_factory=list)
    """Housing plans recorded since the case was loaded; storage saves them, as `decisions`."""

    @property
    def housing_plan(self) -> HousingPlan | None:
        return self.housing_plans[-1] if self.housing_plans else None

    def counted(self, type_: str) -> SignalFact | None:
        """The open signal of `type_` that counts for the case, whichever corporation sent it."""
        chosen = counted_signals(s for s in self.open_signals.values() if s.type == type_)
        return chosen[0] if chosen else None

    def open_types(self) -> set[str]:
        return {signal.type for signal in self.open_signals.values()}

    def assessment_inputs(self, now: datetime) -> AssessmentInputs:
        """What an assessment at `now` reads: the case, never its contact data."""
        plan = self.housing_plan
        return inputs_at(
            now,
            self.household,
            self.open_signals.values(),
            self.opened_at,
            plan.kind if plan else None,
            self.previous_case_closed_at,
            self.case_id,
        )

    def deadline_passed(self, now: datetime) -> bool:
        """Open, never contacted and past `respond_before`."""
        return self.status == "open" and not self.contact_attempts and now > self.respond_before

    def record(self, at: datetime, kind: str, detail: dict[str, Any]) -> None:
        """Append to the audit trail; details carry ids and types, never personal data."""
        self.history.append(HistoryEntry(at, kind, detail))

    def change(self, kind: ChangeKind | None, cause: str, at: datetime) -> CaseChange:
        """The result handed back to the caller, who turns `kind` into a notification."""
        return CaseChange(self.case_id, kind, cause, at)

    def _require_not_closed(self) -> None:
        if self.status == "closed":
            raise CaseError(f"case {self.case_id} is closed; a new signal opens a new case")
