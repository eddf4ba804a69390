"""Response deadlines (reactietermijn) in Dutch working days, as the USD's calendar counts them.

Working days skip weekends and the public holidays of `holidays.country_holidays("NL")`
(New Year, Good Friday, Easter Monday, King's Day, Ascension, Whit Monday, Christmas...).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import holidays

from shared.vocabulary import Priority
from triage.domain.policy_model import DeadlineRule, ScoringPolicy

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")


@cache
def _dutch_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Dutch public holiday."""
    return day.weekday() < 5 and day not in _dutch_holidays(day.year)


@lru_cache(maxsize=4096)  # pure, and asked for the same few days all day long
def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (start itself never counts)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


@lru_cache(maxsize=4096)  # pure, and asked for the same few days all day long
def subtract_working_days(end: date, count: int) -> date:
    """The working day `count` working days before `end` (`end` itself never counts)."""
    day = end
    remaining = count
    while remaining > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


@lru_cache(maxsize=4096)  # pure, and asked for the same few days all day long
def working_days_until(today: date, day: date) -> int:
    """Working days after `today` up to and including `day`; 0 when `day` is today or past."""
    count, current = 0, today
    while current < day:
        current += timedelta(days=1)
        count += is_working_day(current)
    return count


def local_date(moment: datetime) -> date:
    """The calendar date in Amsterdam, which is what 'today' means for the USD."""
    return _aware(moment).astimezone(AMSTERDAM).date()


def respond_before(priority: Priority, opened_at: datetime, policy: ScoringPolicy) -> datetime:
    """Deadline for the first contact attempt of a case opened (or escalated) at `opened_at`."""
    rule: DeadlineRule = policy.deadlines.for_priority(priority)
    opened_on = local_date(opened_at)
    if rule.unit == "working_days":
        last_day = add_working_days(opened_on, rule.amount)
    else:
        last_day = opened_on + timedelta(days=rule.amount)
    return datetime.combine(last_day, policy.deadlines.end_of_day, tzinfo=AMSTERDAM)


def _aware(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} must be timezone-aware")
    return moment
