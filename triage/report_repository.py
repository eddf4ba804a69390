"""What the monthly report and the DDAS export read: the cases a month touches and the shelter
bookings. Reading only; the only module besides `triage.repository` and
`triage.shelter_repository` that touches triage's tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from triage.case_file import CaseFile
from triage.case_rows import case_file_from_row
from triage.domain.deadlines import local_date
from triage.domain.report_month import ReportMonth
from triage.domain.shelter_figures import ShelterBookingFact
from triage.tables import cases, shelter_bookings, shelter_units


class SqlReportRepository:
    """Reads on one connection, inside the caller's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def count_cases_in(self, months: Months) -> int:
        query = select(func.count()).select_from(cases).where(_touches(months))
        return int((await self._conn.execute(query)).scalar_one())

    async def cases_in(self, months: Months, after_id: str, limit: int) -> list[CaseFile]:
        """Cases open at some moment of the months, by id, `limit` at a time after `after_id`."""
        query = (
            select(cases)
            .where(_touches(months), cases.c.case_id > after_id)
            .order_by(cases.c.case_id)
            .limit(limit)
        )
        return [case_file_from_row(row) for row in (await self._conn.execute(query)).all()]

    async def bookings_in(self, months: Months) -> list[ShelterBookingFact]:
        first, last = _span(months)
        b = shelter_bookings.c
        query = select(b.facility, b.unit, b.from_date, b.until_date, b.released_at).where(
            b.from_date <= last.last_day,
            or_(b.until_date.is_(None), b.until_date >= first.first_day),
            or_(b.released_at.is_(None), b.released_at >= first.start),
        )
        return [
            ShelterBookingFact(facility, unit, from_date, until_date, _local_day(released_at))
            for facility, unit, from_date, until_date, released_at in (
                await self._conn.execute(query)
            ).all()
        ]

    async def capacities(self) -> dict[tuple[str, str], int | None]:
        u = shelter_units.c
        rows = (await self._conn.execute(select(u.facility, u.unit, u.capacity))).all()
        return {(facility, unit): capacity for facility, unit, capacity in rows}


Months = ReportMonth | Sequence[ReportMonth]
"""One month, or consecutive months read together (the console's last six)."""


def _span(months: Months) -> tuple[ReportMonth, ReportMonth]:
    if isinstance(months, ReportMonth):
        return months, months
    return min(months), max(months)


def _touches(months: Months) -> ColumnElement[bool]:
    """Opened before the last month ends and not closed before the first began."""
    first, last = _span(months)
    return and_(
        cases.c.opened_at < last.end,
        or_(cases.c.closed_at.is_(None), cases.c.closed_at >= first.start),
    )


def _local_day(moment: datetime | None) -> date | None:
    return local_date(moment) if moment is not None else None
