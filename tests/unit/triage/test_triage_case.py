"""The case's life cycle: contact attempts, closing, overdue escalation and corporation feedback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.vocabulary import ContactChannel, Outcome
from tests.unit.triage.triage_factories import NOW, POLICY, arrears, make_signal, resolved
from triage.domain.case import Case, open_case
from triage.domain.case_records import ContactAttempt
from triage.domain.errors import CaseError, RefusedInput
from triage.domain.feedback import signal_status_for_corporation
from triage.domain.signals import Household

NO_CHILDREN = Household(minors=0, adults=1)
TWO_CHILDREN = Household(minors=2, adults=1)


def arrears_case(household: Household = NO_CHILDREN, now: datetime = NOW) -> Case:
    case, _ = open_case(str(uuid.uuid4()), "pseudo", household, arrears(700.0), POLICY, now)
    return case


def eviction(**details: Any) -> Any:
    return make_signal("eviction_order", {"judgment_date": "2026-11-05", **details})


def test_opening_routes_arrears_only_to_debt_help_with_a_deadline() -> None:
    case = arrears_case()
    assert (case.status, case.assessment.priority, case.assessment.team) == (
        "open",
        "low",
        "schuldhulp",
    )
    assert case.respond_before > NOW
    assert [entry.kind for entry in case.history] == ["opened"]


def test_a_resolved_signal_cannot_open_a_case() -> None:
    with pytest.raises(CaseError, match="resolved"):
        open_case("c", "p", NO_CHILDREN, resolved("rent_arrears", at=NOW), POLICY, NOW)


def test_eviction_with_children_escalates_and_brings_the_deadline_forward() -> None:
    case = arrears_case(TWO_CHILDREN)  # 1 month, 2 children: medium, 10 working days
    old_deadline = case.respond_before
    change = case.apply_signal(eviction(eviction_date=None), TWO_CHILDREN, POLICY, NOW)
    assert (change.kind, change.cause) == ("escalated", "priority_rose")
    assert (case.assessment.priority, case.assessment.team) == ("critical", "crisis")
    assert case.respond_before < old_deadline
    assert case.respond_before == datetime(2026, 11, 11, 17, 0, tzinfo=case.respond_before.tzinfo)


def test_escalation_keeps_the_earlier_deadline() -> None:
    opened = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday; medium: due Monday 16 November
    case, _ = open_case("c", "p", TWO_CHILDREN, arrears(700.0, at=opened), POLICY, opened)
    assert case.assessment.priority == "medium"
    old_deadline = case.respond_before
    sunday = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)  # high would be due Wednesday 18
    change = case.apply_signal(arrears(2100.0, at=sunday), TWO_CHILDREN, POLICY, sunday)
    assert (change.kind, case.assessment.priority) == ("escalated", "high")
    assert case.respond_before == old_deadline


def test_duplicate_signal_id_is_ignored_without_history() -> None:
    case = arrears_case()
    again = make_signal("nuisance", {"severity": "low"}, signal_id=case.signal_ids[0])
    change = case.apply_signal(again, NO_CHILDREN, POLICY, NOW)
    assert (change.kind, change.cause) == (None, "duplicate_signal")
    assert len(case.history) == 1


def test_an_older_signal_of_an_open_type_is_recorded_only() -> None:
    case = arrears_case()
    case.apply_signal(make_signal("nuisance", {"severity": "high"}), NO_CHILDREN, POLICY, NOW)
    older = make_signal("nuisance", {"severity": "low"}, at=NOW - timedelta(days=3))
    assert case.apply_signal(older, NO_CHILDREN, POLICY, NOW).kind is None
    assert case.counted("nuisance").text("severity") == "high"


def test_unknown_minors_in_a_later_signal_keep_the_known_count() -> None:
    case = arrears_case(TWO_CHILDREN)
    case.apply_signal(make_signal("pollution", {"severity": "low"}), Household(None), POLICY, NOW)
    assert case.household.minors == 2


def test_resolving_a_type_that_is_not_open_changes_nothing() -> None:
    case = arrears_case()
    change = case.apply_signal(resolved("nuisance", at=NOW), NO_CHILDREN, POLICY, NOW)
    assert (change.kind, case.status) == (None, "open")
    assert "rent_arrears" in case.open_types()


def test_a_resolution_resolves_only_what_the_same_corporation_signalled() -> None:
    case, _ = open_case(
        "c",
        "p",
        NO_CHILDREN,
        make_signal("nuisance", {"severity": "high"}, source="corp-a"),
        POLICY,
        NOW,
    )
    later = NOW + timedelta(hours=1)
    change = case.apply_signal(
        resolved("nuisance", at=later, source="corp-b"), NO_CHILDREN, POLICY, later
    )
    assert (change.kind, case.status) == (None, "open")
    assert signal_status_for_corporation(case) == "accepted"
    assert case.open_types() == {"nuisance"}
    change = case.apply_signal(
        resolved("nuisance", at=later, source="corp-a"), NO_CHILDREN, POLICY, later
    )
    assert (change.kind, case.outcome) == ("closed", "resolved")


def test_each_corporation_s_signal_stays_open_until_it_resolves_its_own() -> None:
    case, _ = open_case("c", "p", NO_CHILDREN, arrears(2100.0), POLICY, NOW)
    other = make_signal(
        "rent_arrears", {"amount_eur": 700.0, "monthly_rent_eur": 700.0}, source="corp-b"
    )
    assert case.apply_signal(other, NO_CHILDREN, POLICY, NOW).kind is None  # not higher: no news
    later = NOW + timedelta(hours=1)
    change = case.apply_signal(resolved("rent_arrears", at=later), NO_CHILDREN, POLICY, later)
    assert (change.kind, case.status) == ("updated", "open")
    assert case.counted("rent_arrears") == other


def test_a_resolution_older_than_the_open_signal_does_not_remove_it() -> None:
    case = arrears_case()
    stale = resolved("rent_arrears", at=NOW - timedelta(days=1))
    assert case.apply_signal(stale, NO_CHILDREN, POLICY, NOW).kind is None
    assert case.status == "open"


def attempt(
    channel: ContactChannel = "phone", reached: bool = False, at: datetime = NOW, id_: str = ""
) -> ContactAttempt:
    return ContactAttempt(id_ or str(uuid.uuid4()), channel, reached, at)


def test_contact_attempt_marks_contacted_and_stops_deadline_escalation() -> None:
    case = arrears_case()
    late = case.respond_before + timedelta(minutes=1)
    change = case.record_contact_attempt(attempt(), now=NOW)
    assert (change.kind, case.status) == ("updated", "contacted")
    assert not case.deadline_passed(late)
    assert case.escalate_overdue(late).kind is None


def test_a_contact_attempt_more_than_five_minutes_ahead_is_refused() -> None:
    """An attempt dated 2030 would silence the deadline escalation: it is refused, not kept."""
    case = arrears_case()
    with pytest.raises(RefusedInput) as refused:
        case.record_contact_attempt(attempt(at=NOW + timedelta(minutes=5, seconds=1)), now=NOW)
    assert refused.value.field == "at"
    assert (case.contact_attempts, case.status) == ([], "open")
    assert case.deadline_passed(case.respond_before + timedelta(seconds=1))
    skewed = attempt(at=NOW + timedelta(minutes=4))  # a clock a few minutes ahead is no lie
    assert case.record_contact_attempt(skewed, now=NOW).kind == "updated"


def test_a_contact_attempt_from_before_the_case_was_opened_is_refused() -> None:
    """An attempt dated 1999 would silence this case's deadline escalation just as one dated
    2030: it was no attempt on this case. A clock a few minutes behind is no lie."""
    case = arrears_case()
    with pytest.raises(RefusedInput) as refused:
        case.record_contact_attempt(attempt(at=NOW - timedelta(minutes=5, seconds=1)), now=NOW)
    assert refused.value.field == "at"
    assert (case.contact_attempts, case.status) == ([], "open")
    assert case.deadline_passed(case.respond_before + timedelta(seconds=1))
    behind = attempt(at=NOW - timedelta(minutes=4))
    assert case.record_contact_attempt(behind, now=NOW + timedelta(hours=1)).kind == "updated"


def test_the_same_attempt_id_again_changes_nothing() -> None:
    case = arrears_case()
    first = attempt()
    assert case.record_contact_attempt(first, now=NOW).kind == "updated"
    history = len(case.history)
    change = case.record_contact_attempt(first, now=NOW + timedelta(hours=1))
    assert (change.kind, change.cause) == (None, "duplicate_attempt")
    assert (case.contact_attempts, len(case.history)) == ([first], history)
    with pytest.raises(CaseError, match="other details"):
        case.record_contact_attempt(attempt("letter", id_=first.id), now=NOW)


def test_overdue_case_escalates_once_per_deadline() -> None:
    case = arrears_case()
    assert case.escalate_overdue(case.respond_before).kind is None  # not yet past
    late = case.respond_before + timedelta(seconds=1)
    assert case.deadline_passed(late)
    assert case.escalate_overdue(late).kind == "escalated"
    assert case.escalate_overdue(late + timedelta(days=1)).kind is None


def test_priority_rise_after_an_overdue_escalation_keeps_the_passed_deadline() -> None:
    case = arrears_case(TWO_CHILDREN)
    late = case.respond_before + timedelta(hours=1)
    passed = case.respond_before
    assert case.escalate_overdue(late).kind == "escalated"
    change = case.apply_signal(eviction(eviction_date=None), TWO_CHILDREN, POLICY, late)
    assert change.kind == "escalated"
    assert case.respond_before == passed
    assert case.escalate_overdue(late + timedelta(hours=1)).kind is None


def test_close_with_an_outcome_and_never_twice() -> None:
    case = arrears_case()
    change = case.close("help_accepted", NOW)
    assert (change.kind, case.status, case.outcome) == ("closed", "closed", "help_accepted")
    with pytest.raises(CaseError):
        case.close("help_declined", NOW)
    with pytest.raises(CaseError, match="new case"):
        case.apply_signal(arrears(9000.0), NO_CHILDREN, POLICY, NOW)
    with pytest.raises(CaseError):
        case.record_contact_attempt(attempt("letter", reached=True), now=NOW)


def test_resolved_is_not_an_outcome_the_usd_can_choose() -> None:
    with pytest.raises(CaseError, match="unknown outcome"):
        arrears_case().close("resolved", NOW)


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("help_accepted", "picked_up"),
        ("help_declined", "picked_up"),
        ("already_in_care", "picked_up"),
        ("repeated_signal", "not_picked_up"),  # DDAS: niet opgepakt, herhaalde melding
        ("not_reached", "not_picked_up"),
        ("not_resident", "not_picked_up"),
        ("closed_other", "not_picked_up"),
    ],
)
def test_corporation_sees_only_whether_the_signal_was_picked_up(
    outcome: Outcome, status: str
) -> None:
    case = arrears_case()
    assert signal_status_for_corporation(case) == "accepted"
    case.record_contact_attempt(attempt("letter", reached=True), now=NOW)
    assert signal_status_for_corporation(case) == "accepted"
    case.close(outcome, NOW)
    assert signal_status_for_corporation(case) == status
