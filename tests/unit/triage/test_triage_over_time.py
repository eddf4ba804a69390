"""Time counts (CONTRACT §3 property 10, §8): a case re-assessed as the clock moves, never waiting
for a signal. The clock is injected: each test moves `now` hour by hour."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.unit.triage.triage_factories import NOW, POLICY, make_signal
from triage.domain.case import Case, open_case
from triage.domain.deadlines import local_date
from triage.domain.decisions import replay
from triage.domain.housing import HousingPlan
from triage.domain.policy import default_policy_path, load_policy
from triage.domain.signals import Household

EVICTION_ON = date(2026, 11, 30)  # a Monday, 20 days after NOW (Tuesday 10 November)
FAMILY = Household(minors=2, adults=1)
NO_CHILDREN = Household(minors=0, adults=1)


def eviction_order(eviction_date: date | None = EVICTION_ON, **extra: Any) -> Any:
    details = {"judgment_date": "2026-11-05", "reason": "arrears", **extra}
    if eviction_date is not None:
        details["eviction_date"] = eviction_date.isoformat()
    return make_signal("eviction_order", details)


def eviction_case(household: Household, now: datetime = NOW) -> Case:
    case, _ = open_case(str(uuid.uuid4()), "p", household, eviction_order(), POLICY, now)
    return case


def hours(start: datetime, end: datetime) -> Iterator[datetime]:
    moment = start
    while moment <= end:
        yield moment
        moment += timedelta(hours=1)


def plan(kind: Any = "hov", at: datetime = NOW) -> HousingPlan:
    return HousingPlan(str(uuid.uuid4()), kind, at, "usd-test", "HOV, twee jaar", None)


def test_an_eviction_date_twenty_days_ahead_rises_in_score_as_the_clock_passes_fourteen() -> None:
    case = eviction_case(NO_CHILDREN)
    before = case.assessment.score
    scores: dict[date, int] = {}  # by the USD's (Amsterdam) date
    for moment in hours(NOW, NOW + timedelta(days=19)):
        case.reassess(POLICY, moment)
        scores[local_date(moment)] = case.assessment.score
    assert scores[date(2026, 11, 15)] == before  # 15 days left: the within-30-days step only
    assert scores[date(2026, 11, 16)] > before  # 14 days left: the two-week step
    assert "EVICTION_DATE_NEAR" in case.assessment.reason_codes
    by_day = list(scores.values())
    assert by_day == sorted(by_day)  # coming closer never lowers it


def test_the_score_is_what_the_decision_s_inputs_give_at_its_time() -> None:
    case = eviction_case(FAMILY)
    for moment in hours(NOW, NOW + timedelta(days=7)):
        case.reassess(POLICY, moment)
    assert case.decisions, "each assessment that changed something is kept"
    for decision in case.decisions:
        assert replay(POLICY, decision.inputs) == decision.assessment
    assert case.assessed_at == case.decisions[-1].at
    assert case.assessment == case.decisions[-1].assessment


def test_a_family_without_a_plan_is_escalated_at_ten_and_at_two_working_days_once_each() -> None:
    case = eviction_case(FAMILY)
    assert "NO_HOUSING_PLAN" in case.assessment.reason_codes  # 14 working days left: not yet due
    escalations: list[tuple[date, str]] = []
    for moment in hours(NOW, datetime(2026, 12, 2, 12, tzinfo=UTC)):
        change = case.reassess(POLICY, moment)
        if change.kind == "escalated":
            escalations.append((local_date(moment), change.cause))
    assert escalations == [
        (date(2026, 11, 16), "plan_due"),  # 10 working days before Monday 30 November
        (date(2026, 11, 26), "plan_final_warning"),  # 2 working days before
    ]


def test_recording_a_plan_removes_the_reason_and_the_escalations() -> None:
    case = eviction_case(FAMILY)
    before = case.assessment.score
    change = case.record_housing_plan(plan(), POLICY, NOW)
    assert change.kind == "updated"
    assert "NO_HOUSING_PLAN" not in case.assessment.reason_codes
    assert case.assessment.score < before
    assert (case.housing_plan, case.recorded_plans) == (case.housing_plans[-1], case.housing_plans)
    kinds = {case.reassess(POLICY, m).kind for m in hours(NOW, NOW + timedelta(days=19))}
    assert "escalated" not in kinds


def test_a_later_plan_stands_and_the_earlier_stays_on_file() -> None:
    case = eviction_case(FAMILY)
    first, second = plan("social_network"), plan("hov", NOW + timedelta(hours=1))
    case.record_housing_plan(first, POLICY, NOW)
    case.record_housing_plan(second, POLICY, NOW + timedelta(hours=1))
    assert case.housing_plan == second
    assert [h.detail["kind"] for h in case.history if h.kind == "housing_plan"] == [
        "social_network",
        "hov",
    ]


def test_no_children_means_no_housing_plan_reason() -> None:
    case = eviction_case(NO_CHILDREN)
    assert "NO_HOUSING_PLAN" not in case.assessment.reason_codes
    kinds = {case.reassess(POLICY, m).kind for m in hours(NOW, NOW + timedelta(days=19))}
    assert "escalated" not in kinds  # high stays high: the date adds points, not a priority


def test_children_unknown_count_as_a_family() -> None:
    case = eviction_case(Household(minors=None))
    assert "NO_HOUSING_PLAN" in case.assessment.reason_codes


def test_a_case_opened_within_the_final_warning_is_not_escalated_again_for_it() -> None:
    late = datetime(2026, 11, 27, 9, tzinfo=UTC)  # 1 working day before the eviction
    case = eviction_case(FAMILY, late)
    kinds = [case.reassess(POLICY, m).kind for m in hours(late, late + timedelta(days=2))]
    assert "escalated" not in kinds  # the opening announced it


def test_a_postponed_eviction_date_is_announced_again_when_it_falls_due() -> None:
    case = eviction_case(FAMILY)
    due = datetime(2026, 11, 16, 9, tzinfo=UTC)
    assert case.reassess(POLICY, due).cause == "plan_due"
    case.apply_signal(eviction_order(date(2027, 1, 29)), FAMILY, POLICY, due)
    causes = [
        change.cause
        for moment in hours(due, datetime(2027, 1, 29, tzinfo=UTC))
        if (change := case.reassess(POLICY, moment)).kind == "escalated"
    ]
    assert causes == ["plan_due", "plan_final_warning"]


def test_the_eviction_and_its_countdown() -> None:
    case = eviction_case(FAMILY)
    assert case.eviction is not None
    assert (case.eviction.state, case.eviction.days_left(NOW.date())) == ("ordered", 20)
    executed = make_signal("eviction_executed", {"executed_on": "2026-11-30"})
    change = case.apply_signal(executed, FAMILY, POLICY, NOW + timedelta(days=20))
    assert change.kind in ("updated", "escalated")
    assert (case.eviction.state, case.eviction.executed_on) == ("executed", EVICTION_ON)
    assert case.eviction.days_left(EVICTION_ON) is None
    assert "FAMILY_EVICTED_WITHOUT_PLAN" in case.assessment.reason_codes
    assert "NO_HOUSING_PLAN" not in case.assessment.reason_codes


def test_an_order_resolved_before_the_date_was_prevented() -> None:
    case = eviction_case(FAMILY)
    case.apply_signal(make_signal("rent_arrears", {"amount_eur": 900.0}), FAMILY, POLICY, NOW)
    resolve = make_signal(
        "resolved",
        {"resolves": "eviction_order", "reason": "payment_arrangement"},
        at=NOW + timedelta(hours=1),
    )
    case.apply_signal(resolve, FAMILY, POLICY, NOW + timedelta(hours=1))
    assert case.eviction is not None and case.eviction.state == "prevented"
    assert case.eviction.eviction_date == EVICTION_ON
    assert "NO_HOUSING_PLAN" not in case.assessment.reason_codes


def test_a_family_evicted_with_a_plan_is_not_flagged() -> None:
    case = eviction_case(FAMILY)
    case.record_housing_plan(plan("urgency"), POLICY, NOW)
    executed = make_signal("eviction_executed", {"executed_on": "2026-11-30"})
    case.apply_signal(executed, FAMILY, POLICY, NOW + timedelta(days=20))
    assert "FAMILY_EVICTED_WITHOUT_PLAN" not in case.assessment.reason_codes


def test_re_assessing_a_closed_case_changes_nothing() -> None:
    case = eviction_case(FAMILY)
    case.close("help_accepted", NOW)
    history = len(case.history)
    assert case.reassess(POLICY, NOW + timedelta(days=15)).kind is None
    assert len(case.history) == history


def test_a_rise_in_priority_over_time_is_escalated_once() -> None:
    case = eviction_case(NO_CHILDREN)  # 40 + 10 (within 30 days)
    arrears = make_signal("rent_arrears", {"amount_eur": 300.0, "monthly_rent_eur": 700.0})
    case.apply_signal(arrears, NO_CHILDREN, POLICY, NOW)  # + 5 + 10 (two problem areas) = 65
    assert case.assessment.priority == "high"
    deadline = case.respond_before
    changes = [case.reassess(POLICY, m) for m in hours(NOW, NOW + timedelta(days=19))]
    escalated = [c for c in changes if c.kind == "escalated"]
    assert [c.cause for c in escalated] == ["priority_rose"]  # 14 days left: 75, critical
    assert case.assessment.priority == "critical"
    assert case.respond_before == deadline  # the earlier deadline stands


def test_the_escalation_days_are_the_policy_s_plan_due_and_final_warning_working_days(
    tmp_path: Path,
) -> None:
    """Not constants: a policy with 5 and 1 working days escalates on those days instead."""
    text = default_policy_path().read_text(encoding="utf-8")
    for old, new in (
        ("plan_due_working_days = 10", "plan_due_working_days = 5"),
        ("final_warning_working_days = 2", "final_warning_working_days = 1"),
    ):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy(path)
    case, _ = open_case(str(uuid.uuid4()), "p", FAMILY, eviction_order(), policy, NOW)
    escalations = [
        (local_date(moment), change.cause)
        for moment in hours(NOW, datetime(2026, 12, 2, 12, tzinfo=UTC))
        if (change := case.reassess(policy, moment)).kind == "escalated"
    ]
    assert escalations == [
        (date(2026, 11, 23), "plan_due"),  # 5 working days before Monday 30 November
        (date(2026, 11, 27), "plan_final_warning"),  # 1 working day before
    ]
