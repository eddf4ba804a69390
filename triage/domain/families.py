"""Families first (CONTRACT §8, §3 property 11): an eviction must never end in homelessness.

Pure rules over a case's counted signals: the eviction's state, the housing-plan reasons and
their escalation stages, and recurrence. `scoring.assess` and the `Case` call them.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from shared.vocabulary import Reason
from triage.domain.deadlines import subtract_working_days, working_days_until
from triage.domain.housing import Eviction
from triage.domain.policy_model import HousingPlanWeights, RecurrenceWeights
from triage.domain.signals import Household, SignalFact

NO_PLAN_STAGES = {1: "plan_due", 2: "plan_final_warning"}
"""Escalation stages of NO_HOUSING_PLAN, as history and change causes name them."""


def is_family(household: Household) -> bool:
    """Children live there, or it is not known that none do (unknown is never zero)."""
    return household.minors is None or household.minors > 0


def eviction_after(previous: Eviction | None, counted: Sequence[SignalFact]) -> Eviction | None:
    """The eviction as the open signals now tell it; an order no longer open was prevented."""
    order = next((s for s in counted if s.type == "eviction_order"), None)
    executed = next((s for s in counted if s.type == "eviction_executed"), None)
    judgment = previous.judgment_date if previous else None
    planned = previous.eviction_date if previous else None
    if order is not None:
        judgment, planned = order.day("judgment_date"), order.day("eviction_date")
    if executed is not None:
        executed_on = executed.day("executed_on") or executed.occurred_at.date()
        return Eviction("executed", judgment, planned, executed_on)
    if order is not None:
        return Eviction("ordered", judgment, planned)
    if previous is None:
        return None
    return Eviction("prevented", previous.judgment_date, previous.eviction_date)


def planned_eviction_date(counted: Sequence[SignalFact]) -> date | None:
    """The date of the open eviction order, unless the eviction was executed already."""
    if any(s.type == "eviction_executed" for s in counted):
        return None
    order = next((s for s in counted if s.type == "eviction_order"), None)
    return order.day("eviction_date") if order else None


def housing_plan_reasons(
    weights: HousingPlanWeights,
    household: Household,
    counted: Sequence[SignalFact],
    has_plan: bool,
) -> list[Reason]:
    """NO_HOUSING_PLAN or FAMILY_EVICTED_WITHOUT_PLAN for a family with no plan recorded."""
    if has_plan or not is_family(household):
        return []
    who = "Children in the household" if household.minors else "Children not ruled out"
    if any(s.type == "eviction_executed" for s in counted):
        text = f"{who}, evicted without a housing plan"
        return [Reason("FAMILY_EVICTED_WITHOUT_PLAN", weights.evicted_without_plan_points, text)]
    eviction_date = planned_eviction_date(counted)
    if eviction_date is None:
        return []
    due = subtract_working_days(eviction_date, weights.plan_due_working_days)
    text = (
        f"{who}, eviction on {eviction_date.isoformat()} and no housing plan: "
        f"a plan is due by {due.isoformat()}"
    )
    return [Reason("NO_HOUSING_PLAN", weights.no_plan_points, text)]


def no_plan_stage(weights: HousingPlanWeights, eviction_date: date, today: date) -> int:
    """0 before the plan is due; 1 within `plan_due_working_days`; 2 within the final warning."""
    left = working_days_until(today, eviction_date)
    if left <= weights.final_warning_working_days:
        return 2
    return 1 if left <= weights.plan_due_working_days else 0


def recurrence_reason(
    weights: RecurrenceWeights, previous_case_closed_on: date | None, opened_on: date | None
) -> Reason | None:
    """REPEATED_WITHIN_6_MONTHS: the previous case closed less than `within_months` before."""
    if previous_case_closed_on is None or opened_on is None:
        return None
    if opened_on >= add_months(previous_case_closed_on, weights.within_months):
        return None
    text = (
        f"The household's previous case closed on {previous_case_closed_on.isoformat()}, "
        f"less than {weights.within_months} months before this one opened"
    )
    return Reason("REPEATED_WITHIN_6_MONTHS", weights.points, text)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
