"""The shared sample month (../shared/samples/signals.jsonl) through the case aggregate.

Expectations are written down per household so a policy change that moves them is visible.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.unit.triage.triage_factories import POLICY
from triage.domain.case import Case, open_case
from triage.domain.case_records import CaseChange
from triage.domain.feedback import signal_status_for_corporation
from triage.domain.signals import Household, SignalFact

SAMPLES = Path(__file__).parents[3] / ".." / "shared" / "samples" / "signals.jsonl"


def household_key(household: dict[str, Any]) -> str:
    address = household["address"]
    postcode = address["postcode"].replace(" ", "")
    return f"{postcode} {address['house_number']}{address.get('house_number_addition', '')}"


@pytest.fixture(scope="module")
def month() -> tuple[dict[str, Case], dict[str, list[CaseChange]]]:
    """Replays the month in order; each signal is processed at the moment it occurred."""
    cases: dict[str, Case] = {}
    changes: dict[str, list[CaseChange]] = {}
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        key = household_key(raw["household"])
        household = Household(raw["household"].get("minors"), raw["household"].get("adults"))
        now = datetime.fromisoformat(raw["occurred_at"])
        signal = SignalFact(raw["id"], "sample-corporation", raw["type"], now, raw["details"])
        if key in cases:
            change = cases[key].apply_signal(signal, household, POLICY, now)
        else:
            cases[key], change = open_case(f"case-{key}", key, household, signal, POLICY, now)
        changes.setdefault(key, []).append(change)
    return cases, changes


def summary(case: Case) -> tuple[int, str, str]:
    return case.assessment.score, case.assessment.priority, case.assessment.team


def kinds(changes: list[CaseChange]) -> list[str | None]:
    return [change.kind for change in changes]


def test_family_with_two_children_ends_critical_after_the_eviction_order(month: Any) -> None:
    cases, changes = month
    case = cases["1402AB 12A"]
    # 2.0 months of arrears (20) + two children (20) = medium, schuldhulp; the eviction order
    # escalates it to critical/crisis; December's higher arrears (3.0 months) come the day before
    # the eviction date with no housing plan recorded: escalated again (CONTRACT §8).
    assert kinds(changes["1402AB 12A"]) == ["opened", "escalated", "escalated"]
    assert changes["1402AB 12A"][-1].cause == "plan_final_warning"
    assert summary(case) == (100, "critical", "crisis")
    assert case.respond_before.isoformat() == "2026-11-09T17:00:00+01:00"  # Fri 6 -> Mon 9
    codes = case.assessment.reason_codes
    assert {"RENT_ARREARS", "EVICTION_ORDER", "MINORS", "EVICTION_WITH_MINORS"} <= set(codes)
    assert "NO_HOUSING_PLAN" in codes
    assert "Rent arrears of 3.0 months (€2070.75)" in [r.text for r in case.assessment.reasons]


def test_arrears_paid_by_arrangement_close_the_case_as_resolved(month: Any) -> None:
    cases, changes = month
    case = cases["1411GT 3"]
    assert kinds(changes["1411GT 3"]) == ["opened", "closed"]
    assert (case.status, case.outcome, case.open_signals) == ("closed", "resolved", {})
    assert signal_status_for_corporation(case) == "not_picked_up"


def test_eviction_without_children_is_high_then_critical_once_executed(month: Any) -> None:
    cases, changes = month
    case = cases["1412KL 9"]
    assert kinds(changes["1412KL 9"]) == ["opened", "escalated"]
    first = case.history[0].detail
    assert (first["score"], first["priority"], first["team"]) == (40, "high", "crisis")
    assert summary(case) == (70, "critical", "crisis")


@pytest.mark.parametrize(
    ("key", "expected", "respond_before"),
    [
        ("1381CK 44", (18, "low", "wijkteam"), "2026-12-01T17:00:00+01:00"),  # minors unknown
        ("1403DH 7bis", (35, "medium", "wijkteam"), "2026-11-18T17:00:00+01:00"),
        # Wet Damocles warning with three children: critical, the crisis team, the first day.
        ("1405AA 101", (45, "critical", "crisis"), "2026-11-06T17:00:00+01:00"),
    ],
)
def test_single_signal_households(
    month: Any, key: str, expected: tuple[int, str, str], respond_before: str
) -> None:
    cases, changes = month
    assert kinds(changes[key]) == ["opened"]
    assert summary(cases[key]) == expected
    assert cases[key].respond_before.isoformat() == respond_before
    assert signal_status_for_corporation(cases[key]) == "accepted"


def test_unknown_minors_are_explained(month: Any) -> None:
    cases, _ = month
    assert "MINORS_UNKNOWN" in cases["1381CK 44"].assessment.reason_codes
