"""Crisis shelter use in a month (CONTRACT §8, §11): bookings started, households, unit-nights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from triage.domain.report_month import ReportMonth


@dataclass(frozen=True)
class ShelterBookingFact:
    """A crisis shelter booking as the report reads it: which unit, from when to when."""

    facility: str
    unit: str
    from_date: date
    until_date: date | None
    released_on: date | None

    def nights_in(self, month: ReportMonth) -> int:
        """Nights the unit was held within `month` (the night of the last day counts until it
        is released or the booking ends)."""
        ends = [d for d in (self.until_date, self.released_on) if d is not None]
        end = min(ends) if ends else month.last_day + timedelta(days=1)
        start = max(self.from_date, month.first_day)
        stop = min(end, month.last_day + timedelta(days=1))
        return max(0, (stop - start).days)


@dataclass(frozen=True)
class ShelterUnitFigures:
    facility: str
    unit: str
    capacity: int | None
    bookings_started: int
    households: int
    nights: int

    def occupancy(self, days: int) -> float | None:
        """Share of the unit's nights taken; None without a fixed capacity."""
        if not self.capacity:
            return None
        return round(self.nights / (self.capacity * days), 3)


def shelter_figures(
    month: ReportMonth,
    bookings: Sequence[ShelterBookingFact],
    capacities: dict[tuple[str, str], int | None],
) -> list[ShelterUnitFigures]:
    """Per unit kind: bookings that started in the month, households sheltered, nights held."""
    figures = []
    keys = sorted(set(capacities) | {(b.facility, b.unit) for b in bookings})
    for facility, unit in keys:
        mine = [b for b in bookings if (b.facility, b.unit) == (facility, unit)]
        nights = [b.nights_in(month) for b in mine]
        figures.append(
            ShelterUnitFigures(
                facility=facility,
                unit=unit,
                capacity=capacities.get((facility, unit)),
                bookings_started=sum(
                    month.first_day <= b.from_date <= month.last_day for b in mine
                ),
                households=sum(n > 0 for n in nights),
                nights=sum(nights),
            )
        )
    return figures
