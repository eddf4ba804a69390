"""CONTRACT §3 properties 1-4 of the default scoring policy, over random households and signals."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.triage.triage_factories import (
    POLICY,
    days,
    eviction_signals,
    households,
    minors_known,
    problem_signals,
    signal_lists,
)
from triage.domain.scoring import assess
from triage.domain.signals import Household, SignalFact


def score(signals: list[SignalFact], minors: int | None, today: date) -> int:
    return assess(POLICY, Household(minors=minors, adults=1), signals, today).score


@given(signal_lists, st.integers(min_value=1, max_value=9), days)
def test_children_weigh_extra_unless_already_at_the_maximum(
    signals: list[SignalFact], minors: int, today: date
) -> None:
    without_children = score(signals, 0, today)
    with_children = score(signals, minors, today)
    if without_children == 100:
        assert with_children == 100
    else:
        assert with_children > without_children


@given(signal_lists, minors_known, days)
def test_more_minors_never_score_lower(signals: list[SignalFact], minors: int, today: date) -> None:
    assert score(signals, minors + 1, today) >= score(signals, minors, today)


@given(signal_lists, days)
def test_unknown_minors_is_a_reason_and_never_below_zero_minors(
    signals: list[SignalFact], today: date
) -> None:
    unknown = assess(POLICY, Household(minors=None), signals, today)
    assert "MINORS_UNKNOWN" in unknown.reason_codes
    assert unknown.score >= score(signals, 0, today)


@given(eviction_signals, signal_lists, st.integers(min_value=1, max_value=9), days)
def test_eviction_with_minors_is_critical_for_the_crisis_team(
    eviction: SignalFact, others: list[SignalFact], minors: int, today: date
) -> None:
    assessment = assess(POLICY, Household(minors=minors), [*others, eviction], today)
    assert (assessment.priority, assessment.team) == ("critical", "crisis")


@given(eviction_signals, signal_lists, days)
def test_eviction_without_minors_is_at_least_high(
    eviction: SignalFact, others: list[SignalFact], today: date
) -> None:
    assessment = assess(POLICY, Household(minors=0), [*others, eviction], today)
    assert assessment.priority in ("high", "critical")
    assert assessment.team == "crisis"


@given(households, signal_lists, days, st.randoms(use_true_random=False))
def test_every_point_is_explained_and_scoring_is_deterministic(
    household: Household, signals: list[SignalFact], today: date, rnd: random.Random
) -> None:
    assessment = assess(POLICY, household, signals, today)
    assert 0 <= assessment.score <= 100
    assert sum(reason.points for reason in assessment.reasons) == assessment.score
    assert all(reason.code and reason.text for reason in assessment.reasons)
    assert assessment.policy_version == "2026.3"
    shuffled = list(signals)
    rnd.shuffle(shuffled)
    assert assess(POLICY, household, shuffled, today) == assessment


@given(eviction_signals, signal_lists, days)
def test_eviction_with_minors_unknown_is_critical_for_the_crisis_team(
    eviction: SignalFact, others: list[SignalFact], today: date
) -> None:
    """Property 8: whether children live there is checked on the first day, not assumed away."""
    assessment = assess(POLICY, Household(minors=None), [*others, eviction], today)
    assert (assessment.priority, assessment.team) == ("critical", "crisis")
    assert "EVICTION_MINORS_UNKNOWN" in assessment.reason_codes


@given(
    st.sampled_from(["warning", "closure_ordered"]),
    st.none() | st.integers(min_value=1, max_value=9),
    signal_lists,
    days,
    st.data(),
)
def test_wet_damocles_with_children_is_critical_for_the_crisis_team(
    stage: str, minors: int | None, others: list[SignalFact], today: date, data: st.DataObject
) -> None:
    """Property 9: a warning or closure order with children (or children not ruled out)."""
    drugs = data.draw(problem_signals("drugs"))
    drugs = SignalFact(
        drugs.signal_id, drugs.source, "drugs", drugs.occurred_at, {**drugs.details, "stage": stage}
    )
    others = [s for s in others if s.type != "drugs"]  # the drugs signal that counts is this one
    assessment = assess(POLICY, Household(minors=minors), [*others, drugs], today)
    assert (assessment.priority, assessment.team) == ("critical", "crisis")


@given(st.none() | minors_known, signal_lists, days, st.data())
def test_drugs_only_reported_is_not_lifted_by_the_damocles_rule(
    minors: int | None, others: list[SignalFact], today: date, data: st.DataObject
) -> None:
    drugs = data.draw(problem_signals("drugs"))
    reported = SignalFact(
        drugs.signal_id, drugs.source, "drugs", drugs.occurred_at, {"stage": "reported"}
    )
    others = [s for s in others if s.type != "drugs"]
    assessment = assess(POLICY, Household(minors=minors), [*others, reported], today)
    assert not {"DAMOCLES_WITH_MINORS", "DAMOCLES_MINORS_UNKNOWN"} & set(assessment.reason_codes)
