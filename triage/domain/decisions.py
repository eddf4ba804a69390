"""Reproducible decisions (CONTRACT §3 property 10, §10): each assessment with everything it read.

A `Decision` keeps the inputs (no contact data: counts, district, signal facts, the plan's kind),
the time and the outcome, so `replay(policy, decision.inputs)` under the same policy version gives
the same score. The case makes one at each assessment that changed something.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.vocabulary import HousingPlanKind
from triage.domain.assessment import Assessment
from triage.domain.deadlines import local_date
from triage.domain.policy_model import ScoringPolicy
from triage.domain.scoring import assess, counted_signals
from triage.domain.signals import Household, SignalFact


@dataclass(frozen=True)
class AssessmentInputs:
    """All an assessment reads; `today` is the Amsterdam date of the assessment."""

    household: Household
    open_signals: tuple[SignalFact, ...]
    today: date
    housing_plan: HousingPlanKind | None = None
    previous_case_closed_on: date | None = None
    opened_on: date | None = None
    case_id: str | None = None
    """Decides the random sample (None in decisions kept before sampling: never sampled)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "household": {
                "minors": self.household.minors,
                "adults": self.household.adults,
                "district": self.household.district,
            },
            "open_signals": [
                {
                    "id": s.signal_id,
                    "source": s.source,
                    "type": s.type,
                    "occurred_at": s.occurred_at.isoformat(),
                    "details": dict(s.details),
                }
                for s in self.open_signals
            ],
            "today": self.today.isoformat(),
            "housing_plan": self.housing_plan,
            "previous_case_closed_on": _iso(self.previous_case_closed_on),
            "opened_on": _iso(self.opened_on),
            "case_id": self.case_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AssessmentInputs:
        return cls(
            household=Household(**data["household"]),
            open_signals=tuple(
                SignalFact(
                    s["id"],
                    s["source"],
                    s["type"],
                    datetime.fromisoformat(s["occurred_at"]),
                    s["details"],
                )
                for s in data["open_signals"]
            ),
            today=date.fromisoformat(data["today"]),
            housing_plan=data["housing_plan"],
            previous_case_closed_on=_day(data["previous_case_closed_on"]),
            opened_on=_day(data["opened_on"]),
            case_id=data.get("case_id"),
        )


@dataclass(frozen=True)
class Decision:
    """One assessment of a case: when, why (`cause`), from what, and what it gave."""

    case_id: str
    at: datetime
    cause: str
    inputs: AssessmentInputs
    assessment: Assessment


def inputs_at(
    now: datetime,
    household: Household,
    open_signals: Iterable[SignalFact],
    opened_at: datetime,
    housing_plan: HousingPlanKind | None = None,
    previous_case_closed_at: datetime | None = None,
    case_id: str | None = None,
) -> AssessmentInputs:
    """What an assessment at `now` reads, in the USD's dates (Amsterdam)."""
    return AssessmentInputs(
        household=household,
        open_signals=counted_signals(open_signals),
        today=local_date(now),
        housing_plan=housing_plan,
        previous_case_closed_on=local_date(previous_case_closed_at)
        if previous_case_closed_at
        else None,
        opened_on=local_date(opened_at),
        case_id=case_id,
    )


def replay(policy: ScoringPolicy, inputs: AssessmentInputs) -> Assessment:
    """The assessment `inputs` give under `policy`: the one way a case is assessed."""
    return assess(
        policy,
        inputs.household,
        inputs.open_signals,
        inputs.today,
        housing_plan=inputs.housing_plan,
        previous_case_closed_on=inputs.previous_case_closed_on,
        opened_on=inputs.opened_on,
        case_id=inputs.case_id,
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
