"""Worked examples of the default policy: the points and texts a case worker will see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.unit.triage.triage_factories import POLICY, TODAY, arrears, make_signal
from triage.domain.scoring import Reason, assess
from triage.domain.signals import Household, SignalFact

NO_CHILDREN = Household(minors=0)


def reasons(*signals: SignalFact, household: Household = NO_CHILDREN) -> dict[str, Reason]:
    return {r.code: r for r in assess(POLICY, household, signals, TODAY).reasons}


@pytest.mark.parametrize(
    ("amount", "monthly", "points", "text"),
    [
        (300.0, 700.0, 5, "Rent arrears of 0.4 months (€300.00)"),
        (1380.50, 690.25, 20, "Rent arrears of 2.0 months (€1380.50)"),
        (1372.0, 700.0, 12, "Rent arrears of 1.9 months (€1372.00)"),  # 1.96: still one month
        (2070.75, 690.25, 30, "Rent arrears of 3.0 months (€2070.75)"),
        (
            1400.0,
            None,
            20,
            "Rent arrears of 2.0 months (€1400.00; monthly rent unknown, €700.00 assumed)",
        ),
    ],
)
def test_rent_arrears_weigh_in_months_of_rent(
    amount: float, monthly: float | None, points: int, text: str
) -> None:
    assert reasons(arrears(amount, monthly))["RENT_ARREARS"] == Reason("RENT_ARREARS", points, text)


@pytest.mark.parametrize(
    ("days_until", "points"), [(None, None), (40, None), (30, 10), (14, 20), (0, 20), (-3, 20)]
)
def test_eviction_date_urgency(days_until: int | None, points: int | None) -> None:
    eviction_date = None if days_until is None else (TODAY + timedelta(days=days_until))
    details = {"judgment_date": "2026-11-01", "reason": "arrears"}
    details["eviction_date"] = eviction_date.isoformat() if eviction_date else None  # type: ignore[assignment]
    found = reasons(make_signal("eviction_order", details))
    assert found["EVICTION_ORDER"].points == 40
    assert (found["EVICTION_DATE_NEAR"].points if "EVICTION_DATE_NEAR" in found else None) == points


def test_executed_eviction_supersedes_the_order_and_is_critical_alone() -> None:
    order = make_signal("eviction_order", {"judgment_date": "2026-10-01", "eviction_date": None})
    executed = make_signal("eviction_executed", {"executed_on": "2026-11-09"})
    assessment = assess(POLICY, NO_CHILDREN, [order, executed], TODAY)
    assert "EVICTION_ORDER" not in assessment.reason_codes
    assert (assessment.score, assessment.priority, assessment.team) == (70, "critical", "crisis")


def test_nuisance_with_aggression_goes_to_the_neighbourhood_team() -> None:
    signal = make_signal("nuisance", {"category": "aggression", "severity": "high"})
    assessment = assess(POLICY, NO_CHILDREN, [signal], TODAY)
    assert assessment.reason_codes == ("NUISANCE", "NUISANCE_AGGRESSION")
    assert (assessment.score, assessment.priority, assessment.team) == (30, "medium", "wijkteam")


def test_drugs_weigh_by_wet_damocles_stage() -> None:
    stages = {"reported": 10, "warning": 20, "closure_ordered": 35}
    for stage, points in stages.items():
        signal = make_signal("drugs", {"category": "drug_dealing", "stage": stage})
        assert reasons(signal)["DRUGS"].points == points


def test_combination_of_problem_areas_and_children_cap_at_100() -> None:
    signals = [
        arrears(2800.0),
        make_signal("nuisance", {"category": "aggression", "severity": "high"}),
        make_signal("drugs", {"stage": "closure_ordered"}),
        make_signal("pollution", {"severity": "high"}),
    ]
    assessment = assess(POLICY, Household(minors=5), signals, TODAY)
    found = {r.code: r.points for r in assessment.reasons}
    assert found["PROBLEM_COMBINATION"] == 20  # 4 areas: 10 + 2 x 5, capped at 20
    assert found["MINORS"] == 30  # 15 + 4 extra children x 5, capped at 15
    assert found["SCORE_CAPPED"] == 100 - (30 + 20 + 10 + 35 + 20 + 20 + 30)
    assert assessment.score == sum(found.values()) == 100


def test_minor_weights_and_unknown() -> None:
    pollution = make_signal("pollution", {"severity": "low"})
    assert "MINORS" not in reasons(pollution)
    assert reasons(pollution, household=Household(1))["MINORS"].text == "1 child under 18"
    assert reasons(pollution, household=Household(3))["MINORS"].points == 25
    assert reasons(pollution, household=Household(None))["MINORS_UNKNOWN"].points == 8


def test_only_the_highest_arrears_count() -> None:
    assessment = assess(POLICY, NO_CHILDREN, [arrears(2100.0), arrears(700.0)], date(2026, 11, 1))
    assert [r.points for r in assessment.reasons] == [30]
