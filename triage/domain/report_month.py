"""The month a report or export covers, in the municipality's calendar (Europe/Amsterdam).

Why: "November" for the council is 1 November 00:00 to 1 December 00:00 Amsterdam time, not UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cached_property
from typing import Final
from zoneinfo import ZoneInfo

from triage.domain.errors import DomainError

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class BadMonth(DomainError):
    """Not a month as YYYY-MM (2000-01 up to 9998-12)."""


@dataclass(frozen=True, order=True)
class ReportMonth:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> ReportMonth:
        found = _MONTH.fullmatch(text.strip())
        if found is None:
            raise BadMonth(f"month must be YYYY-MM, e.g. 2026-11; got {text!r}")
        year, month = int(found[1]), int(found[2])
        if not 1 <= month <= 12:
            raise BadMonth(f"month must be 01 to 12; got {text!r}")
        if not 2000 <= year <= 9998:
            raise BadMonth(f"year must be 2000 to 9998; got {text!r}")
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.next().first_day.toordinal() - 1)

    @property
    def days(self) -> int:
        return self.last_day.day

    def next(self) -> ReportMonth:
        return ReportMonth(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> ReportMonth:
        return ReportMonth(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @classmethod
    def of(cls, moment: datetime) -> ReportMonth:
        """The month `moment` falls in, in Amsterdam."""
        local = moment.astimezone(AMSTERDAM)
        return cls(local.year, local.month)

    def last(self, count: int) -> list[ReportMonth]:
        """The `count` months ending with this one, oldest first."""
        months = [self]
        while len(months) < count:
            months.insert(0, months[0].previous())
        return months

    @cached_property
    def start(self) -> datetime:
        """The first moment of the month in Amsterdam (inclusive), as UTC."""
        return datetime.combine(self.first_day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)

    @cached_property
    def end(self) -> datetime:
        """The first moment of the next month (exclusive), as UTC."""
        return self.next().start

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def until(self, last: ReportMonth) -> list[ReportMonth]:
        """This month up to and including `last` (empty when `last` is earlier)."""
        months, current = [], self
        while current <= last:
            months.append(current)
            current = current.next()
        return months
