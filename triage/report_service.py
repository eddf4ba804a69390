"""Use cases of figures: the monthly report (CONTRACT §11), read in one transaction.

Cases are read a chunk at a time, so a long history never sits in memory twice and a caller
can show progress (`on_progress(done, total)`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from triage.case_file import CaseFile
from triage.domain.monthly_report import MonthlyReport, monthly_report
from triage.domain.report_month import ReportMonth
from triage.report_repository import Months, SqlReportRepository

CHUNK: Final = 500
Progress = Callable[[int, int], None]


async def month_cases(
    reports: SqlReportRepository, month: Months, on_progress: Progress | None = None
) -> AsyncIterator[CaseFile]:
    """Every case the month touches, in id order, reporting progress per chunk."""
    total = await reports.count_cases_in(month)
    done, after = 0, ""
    if on_progress:
        on_progress(0, total)
    while True:
        chunk = await reports.cases_in(month, after, CHUNK)
        if not chunk:
            return
        for file in chunk:
            yield file
        done += len(chunk)
        after = chunk[-1].case.case_id
        if on_progress:
            on_progress(min(done, total), total)


async def build_monthly_report(
    engine: AsyncEngine,
    month: ReportMonth,
    now: datetime,
    on_progress: Progress | None = None,
) -> MonthlyReport:
    async with engine.connect() as conn:
        reports = SqlReportRepository(conn)
        cases = [file.case async for file in month_cases(reports, month, on_progress)]
        bookings = await reports.bookings_in(month)
        capacities = await reports.capacities()
    return monthly_report(month, cases, bookings, capacities, now)


async def build_monthly_reports(
    engine: AsyncEngine, months: Sequence[ReportMonth], now: datetime
) -> list[MonthlyReport]:
    """Several months from one read of the cases they touch (the console's chart)."""
    async with engine.connect() as conn:
        reports = SqlReportRepository(conn)
        cases = [file.case async for file in month_cases(reports, months)]
        bookings = await reports.bookings_in(months)
        capacities = await reports.capacities()
    return [monthly_report(month, cases, bookings, capacities, now) for month in months]
