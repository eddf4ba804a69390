"""Triage's use cases on an in-memory repository: what is stored and what the USD is told."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import orjson
import pytest

from shared.audit import Actor
from shared.case_document import CaseHousehold
from shared.crypto import PiiVault, generate_pii_key
from shared.envelope import keys_for_tokens
from shared.events import SignalReceived, case_binding
from shared.vocabulary import SignalType
from tests.unit.triage.fake_cases import FakeCases
from tests.unit.triage.triage_factories import NOW, POLICY
from triage import casework_service, service, watch_service
from triage.case_file import CaseFile
from triage.domain.errors import RefusedInput
from triage.work_queue import BadCursor

VAULT = PiiVault(generate_pii_key())
USD = Actor.for_key("key-1", "usd-test")


def sealed_household(*names: str, postcode: str = "1402AB") -> str:
    household = {
        "address": {"postcode": postcode, "house_number": 7},
        "contacts": [{"name": name} for name in names],
        "minors": 0,
    }
    return VAULT.seal(orjson.dumps(household))


def received(
    pseudonym: str,
    type_: SignalType,
    details: dict[str, Any],
    sealed: str | None = None,
    source: str = "corp-test",
    contacts: int = 1,
) -> SignalReceived:
    return SignalReceived(
        signal_id=str(uuid.uuid4()),
        source=source,
        type=type_,
        occurred_at=NOW,
        received_at=NOW,
        household_pseudonym=pseudonym,
        minors=0,
        adults=1,
        details=details,
        contacts=contacts,
        sealed_household=sealed or sealed_household("J. de Vries"),
        district="1402",
    )


def arrears(pseudonym: str, amount: float) -> SignalReceived:
    return received(pseudonym, "rent_arrears", {"amount_eur": amount, "monthly_rent_eur": 700.0})


async def opened(cases: FakeCases, sealed: str | None = None) -> CaseFile:
    pseudonym = uuid.uuid4().hex
    signal = received(pseudonym, "rent_arrears", {"amount_eur": 700.0}, sealed)
    await service.triage_signals(cases, [signal], POLICY, NOW, VAULT)
    return (await cases.open_cases_for({pseudonym}))[pseudonym]


async def test_a_first_signal_opens_a_case_and_announces_it() -> None:
    cases = FakeCases()
    file = await opened(cases)
    (event,) = cases.announced()
    assert (event.change, event.case_id, event.case.status) == ("opened", file.case.case_id, "open")
    assert [s.type for s in event.case.signals] == ["rent_arrears"]
    assert event.signal_status == "accepted"


async def test_repeated_arrears_not_higher_announce_nothing_and_higher_ones_do() -> None:
    cases, pseudonym = FakeCases(), uuid.uuid4().hex
    await service.triage_signals(cases, [arrears(pseudonym, 900.0)], POLICY, NOW, VAULT)
    repeats = [arrears(pseudonym, 900.0), arrears(pseudonym, 450.0)]
    await service.triage_signals(cases, repeats, POLICY, NOW, VAULT)
    assert [e.change for e in cases.announced()] == ["opened"]

    await service.triage_signals(cases, [arrears(pseudonym, 2800.0)], POLICY, NOW, VAULT)
    assert [e.change for e in cases.announced()][1:] in (["updated"], ["escalated"])
    assert len(cases.announced()[-1].case.signals) == 4  # the repeats are on file all the same


async def test_a_refused_signal_leaves_the_rest_of_the_batch_triaged() -> None:
    cases = FakeCases()
    bad, good = arrears(uuid.uuid4().hex, -5.0), arrears(uuid.uuid4().hex, 700.0)
    refused = await service.triage_signals(cases, [bad, good], POLICY, NOW, VAULT)
    assert set(refused) == {bad.signal_id}
    assert [e.case.signals[0].id for e in cases.announced()] == [good.signal_id]


async def test_contact_attempt_and_outcome_are_announced() -> None:
    cases = FakeCases()
    case_id = (await opened(cases)).case.case_id
    attempt, _ = await casework_service.record_contact_attempt(
        cases.begin, case_id, casework_service.NewContactAttempt("phone", False, NOW), USD, NOW
    )
    closed = await casework_service.close_case(cases.begin, case_id, "help_accepted", USD, NOW)
    assert (attempt.status, closed.status) == ("contacted", "closed")
    assert [e.change for e in cases.announced()] == ["opened", "updated", "closed"]
    assert cases.announced()[-1].signal_status == "picked_up"
    assert [(a, c, who) for a, c, who, _ in cases.audited] == [
        ("contact_attempt.recorded", case_id, "usd-test"),
        ("case.outcome_recorded", case_id, "usd-test"),
    ]
    assert cases.audited[0][3] == {
        "attempt_id": attempt.contact_attempts[0].id,
        "channel": "phone",
        "reached": False,
    }
    assert cases.audited[1][3] == {"outcome": "help_accepted"}


async def test_an_attempt_posted_twice_with_its_id_is_recorded_and_announced_once() -> None:
    cases = FakeCases()
    case_id = (await opened(cases)).case.case_id
    attempt = casework_service.NewContactAttempt(
        "home_visit", True, NOW, attempt_id=str(uuid.uuid4())
    )
    first, replayed_first = await casework_service.record_contact_attempt(
        cases.begin, case_id, attempt, USD, NOW
    )
    again, replayed = await casework_service.record_contact_attempt(
        cases.begin, case_id, attempt, USD, NOW
    )
    assert (replayed_first, replayed) == (False, True)
    assert again == first
    assert [a.id for a in again.contact_attempts] == [attempt.attempt_id]
    assert [e.change for e in cases.announced()] == ["opened", "updated"]


async def test_an_unknown_case_cannot_be_changed() -> None:
    with pytest.raises(service.CaseNotFound):
        await casework_service.close_case(
            FakeCases().begin, str(uuid.uuid4()), "help_accepted", USD, NOW
        )


async def test_an_overdue_case_escalates_once() -> None:
    cases = FakeCases()
    file = await opened(cases)
    late = file.case.respond_before + timedelta(hours=1)
    assert await watch_service.escalate_overdue(cases.begin, late) == 1
    assert await watch_service.escalate_overdue(cases.begin, late + timedelta(days=1)) == 0
    assert [e.change for e in cases.announced()] == ["opened", "escalated"]


async def test_reading_a_case_opens_its_contacts_and_is_audited() -> None:
    cases = FakeCases()
    case_id = (await opened(cases)).case.case_id
    shown = await service.read_case(cases.begin, VAULT, case_id, USD, NOW)
    assert (shown.id, shown.household.address.house_number) == (case_id, 7)
    assert shown.district == "1402"
    assert cases.audited == [("contact_data.shown", case_id, "usd-test", {"via": "api"})]


async def test_contacts_are_kept_per_corporation_and_shown_with_their_source() -> None:
    cases, pseudonym = FakeCases(), uuid.uuid4().hex
    nuisance = {"category": "noise", "severity": "low"}
    first = received(pseudonym, "nuisance", nuisance, sealed_household("A. Eerst"), "corp-a")
    other = received(
        pseudonym, "pollution", {"severity": "low"}, sealed_household("B. Ander"), "corp-b"
    )
    await service.triage_signals(cases, [first, other], POLICY, NOW, VAULT)
    newer = received(
        pseudonym, "rent_arrears", {"amount_eur": 900.0}, sealed_household("A. Later"), "corp-a"
    )
    silent = received(
        pseudonym, "nuisance", nuisance | {"severity": "high"}, source="corp-b", contacts=0
    )
    await service.triage_signals(cases, [newer, silent], POLICY, NOW, VAULT)

    case_id = cases.announced()[0].case_id
    shown = await service.read_case(cases.begin, VAULT, case_id, USD, NOW)
    expected = [("A. Later", "corp-a"), ("B. Ander", "corp-b")]
    assert [(c.name, c.source) for c in shown.household.contacts] == expected
    token = cases.announced()[-1].sealed_household
    keys = await keys_for_tokens(VAULT.households, [token])
    announced = CaseHousehold.model_validate_json(keys.open(token, case_binding(case_id)))
    assert announced == shown.household


async def test_a_signal_whose_household_cannot_be_opened_is_refused_and_changes_nothing() -> None:
    cases, pseudonym = FakeCases(), uuid.uuid4().hex
    foreign = PiiVault(generate_pii_key()).seal(b'{"address": {"postcode": "1402AB"}}')
    bad = received(pseudonym, "rent_arrears", {"amount_eur": 700.0}, foreign)
    good = received(uuid.uuid4().hex, "rent_arrears", {"amount_eur": 700.0})
    refused = await service.triage_signals(cases, [bad, good], POLICY, NOW, VAULT)
    assert set(refused) == {bad.signal_id}
    assert [e.case.signals[0].id for e in cases.announced()] == [good.signal_id]


def eviction(pseudonym: str, eviction_on: str = "2026-11-30", minors: int | None = 2) -> Any:
    signal = received(
        pseudonym,
        "eviction_order",
        {"judgment_date": "2026-11-05", "eviction_date": eviction_on, "reason": "arrears"},
    )
    return signal.model_copy(update={"minors": minors})


async def test_open_cases_are_re_assessed_as_time_passes_and_escalated_once() -> None:
    cases, pseudonym = FakeCases(), uuid.uuid4().hex
    await service.triage_signals(cases, [eviction(pseudonym)], POLICY, NOW, VAULT)
    await service.triage_signals(cases, [arrears(uuid.uuid4().hex, 700.0)], POLICY, NOW, VAULT)
    due = NOW + timedelta(days=6)  # Monday 16 November: 10 working days before the eviction
    assert await watch_service.reassess_open_cases(cases.begin, POLICY, due, batch=1) == 1
    assert await watch_service.reassess_open_cases(cases.begin, POLICY, due, batch=1) == 0
    (escalation,) = [e for e in cases.announced() if e.change == "escalated"]
    assert escalation.case.assessed_at == due
    assert escalation.case.eviction is not None
    assert (escalation.case.eviction.state, escalation.case.eviction.days_left) == ("ordered", 14)
    assert {d.cause for d in cases.decisions} >= {"opened", "time_passed"}


async def test_a_housing_plan_is_kept_shown_and_takes_the_reason_away() -> None:
    cases, pseudonym = FakeCases(), uuid.uuid4().hex
    await service.triage_signals(cases, [eviction(pseudonym)], POLICY, NOW, VAULT)
    case_id = cases.announced()[0].case_id
    posted = casework_service.NewHousingPlan("hov", "HOV, twee jaar", date(2026, 12, 1))
    shown = await casework_service.record_housing_plan(
        cases.begin, case_id, posted, USD, POLICY, NOW
    )
    assert shown.housing_plan is not None
    assert (shown.housing_plan.kind, shown.housing_plan.recorded_by) == ("hov", "usd-test")
    assert "NO_HOUSING_PLAN" not in {r.code for r in shown.reasons}
    assert [p.kind for p in cases.plans] == ["hov"]
    assert cases.announced()[-1].case.housing_plan == shown.housing_plan
    plan_id = shown.housing_plan.id
    audited = ("housing_plan.recorded", case_id, "usd-test", {"plan_id": plan_id, "kind": "hov"})
    assert cases.audited == [audited]  # the summary (free text) stays out of the log


async def test_a_plan_starting_far_off_is_refused_and_nothing_is_recorded() -> None:
    cases, pseudonym = FakeCases(), uuid.uuid4().hex
    await service.triage_signals(cases, [eviction(pseudonym)], POLICY, NOW, VAULT)
    case_id = cases.announced()[0].case_id
    for starts_on in (date(1, 1, 1), date(2020, 1, 1), date(2031, 1, 1), date(9999, 12, 31)):
        posted = casework_service.NewHousingPlan("hov", None, starts_on)
        with pytest.raises(RefusedInput) as refused:
            await casework_service.record_housing_plan(
                cases.begin, case_id, posted, USD, POLICY, NOW
            )
        assert refused.value.field == "starts_on"
    assert cases.plans == []


async def test_a_summary_with_contact_data_is_refused() -> None:
    cases, pseudonym = FakeCases(), uuid.uuid4().hex
    await service.triage_signals(cases, [eviction(pseudonym)], POLICY, NOW, VAULT)
    case_id = cases.announced()[0].case_id
    for summary in ("bel 06-12345678", "mail j.devries@example.nl", "x" * 501):
        with pytest.raises(RefusedInput, match="summary"):
            await casework_service.record_housing_plan(
                cases.begin,
                case_id,
                casework_service.NewHousingPlan("other", summary),
                USD,
                POLICY,
                NOW,
            )
    assert cases.plans == []


async def test_a_household_back_within_six_months_is_a_repeat() -> None:
    cases, pseudonym = FakeCases(), uuid.uuid4().hex
    await service.triage_signals(cases, [arrears(pseudonym, 700.0)], POLICY, NOW, VAULT)
    first = cases.announced()[0].case_id
    await casework_service.close_case(cases.begin, first, "help_accepted", USD, NOW)
    later = NOW + timedelta(days=90)
    await service.triage_signals(cases, [arrears(pseudonym, 900.0)], POLICY, later, VAULT)
    reopened = cases.announced()[-1]
    assert (reopened.change, reopened.case_id != first) == ("opened", True)
    assert "REPEATED_WITHIN_6_MONTHS" in {r.code for r in reopened.case.reasons}


async def test_a_case_document_carries_the_most_recent_signals_and_pages_through_all() -> None:
    cases, pseudonym = FakeCases(), uuid.uuid4().hex
    batch = [arrears(pseudonym, 100.0 + i) for i in range(25)]
    await service.triage_signals(cases, batch, POLICY, NOW, VAULT)
    latest = cases.announced()[-1].case
    assert (len(latest.signals), latest.signals_total) == (20, 25)
    assert [s.id for s in latest.signals] == [s.signal_id for s in batch[5:]]
    seen, cursor = [], None
    while True:
        page = await service.case_signals(cases.begin, latest.id, cursor, 10)
        seen += [s.id for s in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [s.signal_id for s in batch]
    with pytest.raises(BadCursor):
        await service.case_signals(cases.begin, latest.id, "bm9wZQ==", 10)
