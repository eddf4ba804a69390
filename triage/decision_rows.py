"""Maps decisions and housing plans to their rows and back; private to `triage.repository`."""

from __future__ import annotations

from typing import Any

from shared.vocabulary import Reason
from triage.domain.assessment import Assessment
from triage.domain.decisions import AssessmentInputs, Decision
from triage.domain.housing import HousingPlan


def decision_row(decision: Decision) -> dict[str, Any]:
    a = decision.assessment
    return {
        "case_id": decision.case_id,
        "at": decision.at,
        "cause": decision.cause[:32],
        "policy_version": a.policy_version,
        "risk_score": a.score,
        "priority": a.priority,
        "team": a.team,
        "reasons": [[r.code, r.points, r.text] for r in a.reasons],
        "inputs": decision.inputs.to_json(),
    }


def decision_from_row(row: Any) -> Decision:
    assessment = Assessment(
        score=row.risk_score,
        priority=row.priority,
        reasons=tuple(Reason(c, p, t) for c, p, t in row.reasons),
        team=row.team,
        policy_version=row.policy_version,
    )
    return Decision(
        row.case_id, row.at, row.cause, AssessmentInputs.from_json(row.inputs), assessment
    )


def plan_row(case_id: str, plan: HousingPlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "case_id": case_id,
        "kind": plan.kind,
        "summary": plan.summary,
        "starts_on": plan.starts_on,
        "recorded_at": plan.recorded_at,
        "recorded_by": plan.recorded_by,
    }
