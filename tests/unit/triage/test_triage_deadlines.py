"""Response deadlines in Dutch working days (CONTRACT §3 property 7), around NL public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings

from shared.vocabulary import Priority
from tests.unit.triage.triage_factories import POLICY, moments
from triage.domain.deadlines import respond_before

AMS = ZoneInfo("Europe/Amsterdam")
NL = holidays.country_holidays("NL", years=range(2026, 2030))


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMS)


def end_of(day: str) -> datetime:
    return at(day, "17:00")


@pytest.mark.parametrize(
    ("priority", "opened", "deadline"),
    [
        # Friday afternoon critical signal: the next working day is Monday.
        ("critical", at("2026-11-06", "16:45"), end_of("2026-11-09")),
        ("critical", at("2026-11-09", "08:00"), end_of("2026-11-10")),
        # King's Day 2026 is Monday 27 April; 2027 it is Tuesday 27 April.
        ("critical", at("2026-04-24", "15:00"), end_of("2026-04-28")),
        ("critical", at("2027-04-26"), end_of("2027-04-28")),
        # Christmas 2026: Friday 25 and Saturday 26 December.
        ("critical", at("2026-12-24"), end_of("2026-12-28")),
        ("medium", at("2026-12-24"), end_of("2027-01-11")),
        # New Year's Day 2027 is a Friday: Thursday's critical case is due Monday 4 January.
        ("critical", at("2026-12-31"), end_of("2027-01-04")),
        # Easter 2027: Good Friday 26 March (a holiday in the holidays package), Easter Monday 29.
        ("critical", at("2027-03-25"), end_of("2027-03-30")),
        ("critical", at("2027-03-29"), end_of("2027-03-30")),
        # High: three calendar days, even when the last one is a Sunday.
        ("high", at("2026-11-05"), end_of("2026-11-08")),
        ("low", at("2026-11-02"), end_of("2026-11-30")),
        # Late Friday evening in UTC is already Saturday in Amsterdam.
        ("critical", datetime(2026, 11, 6, 23, 30, tzinfo=UTC), end_of("2026-11-09")),
    ],
)
def test_deadline_around_weekends_and_holidays(
    priority: Priority, opened: datetime, deadline: datetime
) -> None:
    assert respond_before(priority, opened, POLICY) == deadline


def test_deadline_is_in_amsterdam_time_across_daylight_saving() -> None:
    due = respond_before("critical", at("2026-10-23"), POLICY)  # CEST -> CET on 25 October
    assert due == datetime(2026, 10, 26, 16, 0, tzinfo=UTC)
    assert due.tzinfo is not None


def test_naive_opening_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        respond_before("low", datetime(2026, 11, 2, 9, 0), POLICY)


def working(day: date) -> bool:
    return day.weekday() < 5 and day not in NL


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    return sum(working(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


@settings(deadline=None)
@given(moments)
def test_default_deadlines_follow_the_contract(opened: datetime) -> None:
    opened_on = opened.astimezone(AMS).date()
    expected_working_days = {"critical": 1, "medium": 10, "low": 20}
    for priority, count in expected_working_days.items():
        due = respond_before(priority, opened, POLICY)  # type: ignore[arg-type]
        assert due > opened
        assert due.astimezone(AMS).time().isoformat() == "17:00:00"
        assert working(due.date())
        assert working_days_between(opened_on, due.date()) == count
    high = respond_before("high", opened, POLICY)
    assert high.date() == opened_on + timedelta(days=3)
