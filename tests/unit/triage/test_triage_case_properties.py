"""CONTRACT §3 properties 5 and 6 on the case aggregate, over random households and signals."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.vocabulary import priority_rank
from tests.unit.triage.triage_factories import (
    NOW,
    POLICY,
    PROBLEM_TYPE_LIST,
    arrears,
    euros,
    households,
    problem_signals,
    resolved,
    signal_lists,
)
from triage.domain.case import Case, open_case
from triage.domain.deadlines import local_date
from triage.domain.feedback import signal_status_for_corporation
from triage.domain.scoring import assess
from triage.domain.signals import Household, SignalFact

LATER = NOW + timedelta(days=1)


def new_case(household: Household, first: SignalFact) -> Case:
    case, change = open_case(str(uuid.uuid4()), "pseudo-1", household, first, POLICY, NOW)
    assert change.kind == "opened"
    return case


@given(households, euros, st.floats(min_value=0.01, max_value=1.0))
def test_repeated_arrears_not_higher_does_not_notify(
    household: Household, amount: float, fraction: float
) -> None:
    case = new_case(household, arrears(amount))
    before = case.assessment
    change = case.apply_signal(arrears(round(amount * fraction, 2)), household, POLICY, LATER)
    assert change.kind is None
    assert case.assessment == before
    assert case.counted("rent_arrears").amount("amount_eur") == amount
    assert case.history[-1].kind == "signal_repeated"


@given(households, euros, st.decimals(min_value="0.01", max_value="5000", places=2))
def test_higher_arrears_rescore_the_case(household: Household, amount: float, more: float) -> None:
    case = new_case(household, arrears(amount))
    before = case.assessment
    higher = arrears(amount + float(more))
    change = case.apply_signal(higher, household, POLICY, LATER)
    assert change.kind in ("updated", "escalated")
    assert case.counted("rent_arrears") is higher
    expected = assess(POLICY, household, [higher], local_date(LATER), case_id=case.case_id)
    assert case.assessment == expected
    rose = priority_rank(expected.priority) > priority_rank(before.priority)
    assert (change.kind == "escalated") == rose


@given(households, st.permutations(PROBLEM_TYPE_LIST).map(lambda ts: ts[:2]), st.data())
def test_a_new_type_rescores_the_case(
    household: Household, two_types: list[str], data: st.DataObject
) -> None:
    first = data.draw(problem_signals(two_types[0]))  # type: ignore[arg-type]
    second = data.draw(problem_signals(two_types[1]))  # type: ignore[arg-type]
    case = new_case(household, first)
    change = case.apply_signal(second, household, POLICY, LATER)
    assert change.kind in ("updated", "escalated")
    assert case.assessment == assess(
        POLICY, household, [first, second], local_date(LATER), case_id=case.case_id
    )


@given(households, st.lists(st.sampled_from(PROBLEM_TYPE_LIST), min_size=1, unique=True), st.data())
def test_resolved_removes_and_an_empty_case_closes_as_resolved(
    household: Household, types: list[str], data: st.DataObject
) -> None:
    signals = [data.draw(problem_signals(t)) for t in types]  # type: ignore[arg-type]
    case = new_case(household, signals[0])
    for signal in signals[1:]:
        case.apply_signal(signal, household, POLICY, NOW)
    order = data.draw(st.permutations(types))
    resolve_at = max(s.occurred_at for s in signals) + timedelta(hours=1)
    for index, type_ in enumerate(order):
        change = case.apply_signal(resolved(type_, at=resolve_at), household, POLICY, resolve_at)
        assert type_ not in case.open_types()
        if index < len(order) - 1:
            # A resolution never raises the priority; it escalates only when what is left is an
            # eviction date of a family without a housing plan (CONTRACT §8), once.
            assert change.kind in ("updated", "escalated")
            if change.kind == "escalated":
                assert "NO_HOUSING_PLAN" in case.assessment.reason_codes
            assert case.status == "open"
        else:
            assert change.kind == "closed"
            assert (case.status, case.outcome) == ("closed", "resolved")
    assert signal_status_for_corporation(case) == "not_picked_up"


@given(households, signal_lists.filter(bool), st.data())
def test_a_case_always_reflects_its_open_signals(
    household: Household, signals: list[SignalFact], data: st.DataObject
) -> None:
    """Whatever arrives, a re-scored case holds the assessment of exactly what is open."""
    case = new_case(household, signals[0])
    for signal in signals[1:]:
        if data.draw(st.booleans()):
            signal = resolved(signal.type, at=signal.occurred_at + timedelta(days=1))
        change = case.apply_signal(signal, household, POLICY, LATER)
        if change.kind == "closed":
            assert not case.open_signals
            break
        assert case.open_signals
        assert "resolved" not in case.open_types()
        if change.kind is not None:
            expected = assess(
                POLICY,
                case.household,
                case.open_signals.values(),
                local_date(LATER),
                case_id=case.case_id,
            )
            assert case.assessment == expected
