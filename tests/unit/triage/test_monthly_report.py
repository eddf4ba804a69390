"""The monthly report from cases and their history (CONTRACT §11), pure."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.unit.triage.triage_factories import POLICY, arrears, make_signal
from triage.domain.case import Case, open_case
from triage.domain.case_records import ContactAttempt
from triage.domain.housing import HousingPlan
from triage.domain.monthly_report import monthly_report
from triage.domain.report_document import csv_rows, report_document
from triage.domain.report_month import BadMonth, ReportMonth
from triage.domain.shelter_figures import ShelterBookingFact
from triage.domain.signals import Household

NOVEMBER = ReportMonth(2026, 11)
IN_NOV = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # a Tuesday
LATER = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)


def case_at(
    at: datetime,
    minors: int | None = 2,
    district: str = "1402",
    source: str = "woonstad",
    previous: datetime | None = None,
) -> Case:
    signal = arrears(900.0, at=at)
    signal = make_signal("rent_arrears", dict(signal.details), at=at, source=source)
    case, _ = open_case(
        str(uuid.uuid4()),
        uuid.uuid4().hex,
        Household(minors, 1, district),
        signal,
        POLICY,
        at,
        previous,
    )
    return case


def eviction_executed(case: Case, at: datetime) -> None:
    signal = make_signal("eviction_executed", {"executed_on": "2026-11-20"}, at=at)
    case.apply_signal(signal, case.household, POLICY, at)


def test_a_month_is_amsterdam_s_calendar_and_bad_months_are_refused() -> None:
    assert str(ReportMonth.parse("2026-11")) == "2026-11"
    assert ReportMonth(2026, 12).next() == ReportMonth(2027, 1)
    # 31 October 23:30 UTC is already 1 November in Amsterdam (CET, +01:00).
    assert NOVEMBER.holds(datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    assert not NOVEMBER.holds(datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    for bad in ("2026-13", "2026-1", "november", "1999-12", "2026-11-01", ""):
        with pytest.raises(BadMonth):
            ReportMonth.parse(bad)
    assert [str(m) for m in ReportMonth(2026, 11).until(ReportMonth(2027, 2))] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]


def test_signals_cases_and_outcomes_count_in_the_month_they_happened() -> None:
    october = case_at(datetime(2026, 10, 20, 9, tzinfo=UTC), source="dudok")
    october.apply_signal(arrears(2000.0, at=IN_NOV), october.household, POLICY, IN_NOV)
    november = case_at(IN_NOV, minors=0, district="1411")
    november.close("help_accepted", IN_NOV + timedelta(days=3))
    december = case_at(LATER)
    report = monthly_report(NOVEMBER, [october, november, december], [], {}, LATER)

    assert report.signals_by_type == {"rent_arrears": 2}
    assert report.signals_by_source == {"woningcorporatie-test": 1, "woonstad": 1}
    assert report.households == 2
    assert (report.cases_opened, report.cases_closed) == (1, 1)
    assert report.outcomes == {"help_accepted": 1}
    assert set(report.scores_by_district) == {"1411"}
    assert report.scores_by_district["1411"].cases == 1


def test_first_contact_share_and_median_working_days() -> None:
    quick, slow, none_yet = case_at(IN_NOV), case_at(IN_NOV), case_at(IN_NOV)
    quick.record_contact_attempt(ContactAttempt("a", "phone", True, IN_NOV), IN_NOV)
    # Tuesday 1 December: 15 working days after Tuesday 10 November (deadline: 10).
    late = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert late > slow.respond_before
    slow.record_contact_attempt(ContactAttempt("b", "letter", False, late), late)
    report = monthly_report(NOVEMBER, [quick, slow, none_yet], [], {}, LATER)
    assert report.first_contact_due == 3  # none_yet's deadline passed without an attempt
    assert report.first_contact_within_deadline == 1
    assert report.first_contact_share == pytest.approx(0.333)
    assert report.median_working_days_to_first_attempt == 7.5  # of 0 and 15


def test_evictions_by_minors_and_families_evicted_without_a_plan() -> None:
    family, unknown, adults, planned = (
        case_at(IN_NOV, minors=2),
        case_at(IN_NOV, minors=None),
        case_at(IN_NOV, minors=0),
        case_at(IN_NOV, minors=1),
    )
    plan = HousingPlan("p1", "shelter", IN_NOV, "usd")
    planned.record_housing_plan(plan, POLICY, IN_NOV)
    for case in (family, unknown, adults, planned):
        eviction_executed(case, IN_NOV + timedelta(days=1))
    report = monthly_report(NOVEMBER, [family, unknown, adults, planned], [], {}, LATER)
    executed = report.evictions_executed
    assert (executed.with_minors, executed.without_minors, executed.minors_unknown) == (2, 1, 1)
    assert report.families_evicted_without_plan == 2  # the family and the unknown one


def test_repeat_households_and_shelter_nights() -> None:
    repeat = case_at(IN_NOV, previous=datetime(2026, 8, 1, tzinfo=UTC))
    bookings = [
        ShelterBookingFact("vluchtheuvel", "place", date(2026, 10, 25), None, date(2026, 11, 5)),
        ShelterBookingFact("vluchtheuvel", "place", date(2026, 11, 28), None, None),
        ShelterBookingFact("hotel", "room", date(2026, 11, 1), date(2026, 11, 3), None),
    ]
    capacities = {("vluchtheuvel", "place"): 16, ("hotel", "room"): None}
    report = monthly_report(NOVEMBER, [repeat], bookings, capacities, LATER)
    assert report.repeat_households == 1
    units = {(u.facility, u.unit): u for u in report.shelter}
    place = units["vluchtheuvel", "place"]
    assert (place.bookings_started, place.households, place.nights) == (1, 2, 4 + 3)
    assert place.occupancy(NOVEMBER.days) == round(7 / (16 * 30), 3)
    room = units["hotel", "room"]
    assert (room.nights, room.occupancy(30)) == (2, None)


def test_publication_suppresses_small_counts_and_what_is_derived_from_them() -> None:
    cases = [case_at(IN_NOV, district="1402") for _ in range(6)] + [
        case_at(IN_NOV, district="1411")
    ]
    report = monthly_report(NOVEMBER, cases, [], {}, LATER)
    plain = report_document(report)
    published = report_document(report, publish=True)
    assert plain["cases"]["opened"] == 7
    assert published["cases"]["opened"] == 7
    assert plain["scores"]["by_district"]["1411"]["cases"] == 1
    assert published["scores"]["by_district"]["1411"]["cases"] == "<5"
    assert published["scores"]["by_district"]["1411"]["median_score"] is None
    assert published["scores"]["by_district"]["1402"]["cases"] == 6
    assert published["scores"]["by_district"]["1402"]["median_score"] is not None
    assert published["families_evicted_without_plan"] == "<5"
    rows = dict(csv_rows(published))
    assert rows["scores.by_district.1411.cases"] == "<5"
    assert rows["cases.opened"] == "7"
