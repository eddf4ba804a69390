"""Counts per hour (as databases group them, in UTC) turned into counts per local day.

Grouping by UTC hour in SQL and by day here keeps the query the same on PostgreSQL and SQLite
and puts each hour on the Amsterdam day it belongs to, across daylight-saving changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.ops.summary import LOCAL
from shared.web.pages.charts import Series

DAYS = 30


@dataclass(frozen=True, slots=True)
class HourCount:
    hour: datetime
    name: str
    count: int


def last_days(now: datetime, days: int = DAYS) -> list[date]:
    """The last `days` local dates, today last."""
    today = now.astimezone(LOCAL).date()
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def window_start(now: datetime, days: int = DAYS) -> datetime:
    """The first moment of the oldest day in `last_days`."""
    first = last_days(now, days)[0]
    return datetime(first.year, first.month, first.day, tzinfo=LOCAL)


def daily_series(
    counts: Iterable[HourCount], days: list[date], label: Callable[[str], str]
) -> list[Series]:
    """One series per name with a count for each of `days`."""
    index = {day: i for i, day in enumerate(days)}
    per_name: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for row in counts:
        slot = index.get(row.hour.astimezone(LOCAL).date())
        if slot is not None:
            per_name[row.name][slot] += row.count
    return [Series(name, label(name), counts) for name, counts in sorted(per_name.items())]
