"""How a case is assessed over its life: each assessment a pure function of (case, now, policy),
kept as a `Decision`; what changed decides what the USD is told (CONTRACT §3 property 10, §8).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.vocabulary import priority_rank
from triage.domain.assessment import Assessment
from triage.domain.case_records import CaseChange
from triage.domain.case_state import CaseState
from triage.domain.deadlines import local_date, respond_before
from triage.domain.decisions import Decision, replay
from triage.domain.families import NO_PLAN_STAGES, no_plan_stage
from triage.domain.housing import PlanAlert
from triage.domain.policy_model import ScoringPolicy


class AssessedCase(CaseState):
    """A case that re-assesses itself: on news, on a housing plan, and as time passes."""

    def reassess(self, policy: ScoringPolicy, now: datetime) -> CaseChange:
        """Time counts (property 10): an eviction date that comes closer raises the score, a
        housing plan falling due escalates. Announces only what changed."""
        if self.status == "closed":
            return self.change(None, "closed", now)
        return self._rescore(policy, now, "time_passed", quiet_if_unchanged=True)

    def _rescore(
        self, policy: ScoringPolicy, now: datetime, cause: str, quiet_if_unchanged: bool = False
    ) -> CaseChange:
        previous = self.assessment
        inputs = self.assessment_inputs(now)
        assessment = replay(policy, inputs)
        alert = self.plan_alert_due(policy, assessment, now)
        if quiet_if_unchanged and assessment == previous and alert is None:
            return self.change(None, cause, now)
        self.decided(Decision(self.case_id, now, cause, inputs, assessment))
        detail = assessment_detail(assessment) | {"previous_priority": previous.priority}
        rose = priority_rank(assessment.priority) > priority_rank(previous.priority)
        if rose:
            new_deadline = respond_before(assessment.priority, now, policy)
            self.respond_before = min(self.respond_before, new_deadline)
        if not rose and alert is None:
            self.record(now, "rescored", detail | {"cause": cause})
            return self.change("updated", cause, now)
        if alert is not None:
            self.plan_alert = alert
            detail |= {"plan_stage": NO_PLAN_STAGES[alert.stage]}
        self.record(now, "escalated", detail | {"respond_before": self.respond_before.isoformat()})
        stage_cause = NO_PLAN_STAGES[alert.stage] if alert else ""
        return self.change("escalated", "priority_rose" if rose else stage_cause, now)

    def decided(self, decision: Decision) -> None:
        """Put `decision`'s assessment in force and keep the decision for the record."""
        self.assessment = decision.assessment
        self.assessed_at = decision.at
        self.decisions.append(decision)

    def plan_alert_due(
        self, policy: ScoringPolicy, assessment: Assessment, now: datetime
    ) -> PlanAlert | None:
        """A NO_HOUSING_PLAN stage `assessment` reaches at `now` that was not announced yet."""
        eviction = self.eviction
        if eviction is None or eviction.state != "ordered" or eviction.eviction_date is None:
            return None
        if "NO_HOUSING_PLAN" not in assessment.reason_codes:
            return None
        stage = no_plan_stage(policy.housing_plan, eviction.eviction_date, local_date(now))
        alert = self.plan_alert
        announced = alert.stage if alert and alert.eviction_date == eviction.eviction_date else 0
        return PlanAlert(eviction.eviction_date, stage) if stage > announced else None


def assessment_detail(assessment: Assessment) -> dict[str, Any]:
    return {
        "score": assessment.score,
        "priority": assessment.priority,
        "team": assessment.team,
        "policy_version": assessment.policy_version,
    }
