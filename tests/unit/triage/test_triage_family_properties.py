"""CONTRACT §3 properties 10 and 11 and the §8 housing-plan rules of the default policy, over
random households, signals and clocks."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.vocabulary import priority_rank
from tests.unit.triage.triage_factories import (
    POLICY,
    days,
    households,
    moments,
    problem_signals,
    signal_lists,
)
from triage.domain.case import open_case
from triage.domain.families import add_months, is_family
from triage.domain.scoring import assess, counted_signals
from triage.domain.signals import Household, SignalFact

months_ago = st.integers(min_value=0, max_value=24 * 31)


@given(households, signal_lists, days, months_ago)
def test_a_previous_case_closed_less_than_six_months_ago_is_a_reason(
    household: Household, signals: list[SignalFact], opened_on: date, days_before: int
) -> None:
    """Property 11: recurrence is visible, and it never lowers a score."""
    closed_on = opened_on - timedelta(days=days_before)
    repeat = assess(
        POLICY,
        household,
        signals,
        opened_on,
        previous_case_closed_on=closed_on,
        opened_on=opened_on,
    )
    fresh = assess(POLICY, household, signals, opened_on, opened_on=opened_on)
    recent = opened_on < add_months(closed_on, 6)
    assert ("REPEATED_WITHIN_6_MONTHS" in repeat.reason_codes) == recent
    assert repeat.score >= fresh.score
    assert sum(r.points for r in repeat.reasons) == repeat.score


@given(households, signal_lists, st.data(), days, st.integers(min_value=0, max_value=60))
def test_an_eviction_date_that_comes_closer_never_lowers_the_score(
    household: Household,
    others: list[SignalFact],
    data: st.DataObject,
    today: date,
    later_by: int,
) -> None:
    """Property 10: time counts, one way."""
    order = data.draw(problem_signals("eviction_order"))
    signals = [s for s in others if s.type != "eviction_order"] + [order]
    now = assess(POLICY, household, signals, today)
    later = assess(POLICY, household, signals, today + timedelta(days=later_by))
    assert later.score >= now.score


@given(households, signal_lists, days, st.booleans())
def test_no_housing_plan_is_exactly_a_family_facing_an_eviction_date_without_a_plan(
    household: Household, signals: list[SignalFact], today: date, has_plan: bool
) -> None:
    assessment = assess(POLICY, household, signals, today, housing_plan="hov" if has_plan else None)
    counted = counted_signals(signals)
    types = {s.type for s in counted}
    order = next((s for s in counted if s.type == "eviction_order"), None)
    dated = order is not None and order.day("eviction_date") is not None
    expected = is_family(household) and not has_plan and dated and "eviction_executed" not in types
    assert ("NO_HOUSING_PLAN" in assessment.reason_codes) == expected
    evicted = is_family(household) and not has_plan and "eviction_executed" in types
    assert ("FAMILY_EVICTED_WITHOUT_PLAN" in assessment.reason_codes) == evicted


@given(households, st.data(), moments, st.lists(st.integers(0, 24 * 90), max_size=40))
def test_re_assessment_is_a_pure_function_and_each_plan_stage_is_announced_once(
    household: Household, data: st.DataObject, opened: datetime, offsets: list[int]
) -> None:
    first = data.draw(problem_signals())
    twin_a, _ = open_case(str(uuid.uuid4()), "p", household, first, POLICY, opened)
    twin_b, _ = open_case(twin_a.case_id, "p", household, first, POLICY, opened)
    plan_escalations = 0
    for hours in sorted(offsets):
        now = opened + timedelta(hours=hours)
        before = priority_rank(twin_a.assessment.priority)
        change_a, change_b = twin_a.reassess(POLICY, now), twin_b.reassess(POLICY, now)
        assert (change_a, twin_a.assessment) == (change_b, twin_b.assessment)
        if priority_rank(twin_a.assessment.priority) > before:  # a rise is announced
            assert change_a.kind == "escalated"
        assert twin_a.reassess(POLICY, now).kind is None  # nothing new at the same moment
        plan_escalations += change_a.cause.startswith("plan_")
    assert plan_escalations <= 2
