"""The monthly report on the ops console (CONTRACT §11): the last six months as charts, from
the same computation as GET /v1/reports/monthly (no personal data: types and outcomes)."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.web.pages.charts import Chart, Series, keep_largest, stacked_bars
from shared.web.pages.i18n import Translator
from triage.domain.monthly_report import MonthlyReport
from triage.domain.report_month import ReportMonth
from triage.report_service import build_monthly_reports

MONTHS: Final = 6
FRESH_FOR_S: Final = 60.0
"""The console is reloaded often; six months of cases are read at most once a minute."""
_recent: weakref.WeakKeyDictionary[AsyncEngine, tuple[float, list[MonthlyReport]]] = (
    weakref.WeakKeyDictionary()
)


async def monthly_charts(engine: AsyncEngine, t: Translator, now: datetime) -> list[Chart]:
    reports = await _reports(engine, now)
    return [
        _chart(t, "report-types", "ops.report.by_type", reports, lambda r: r.signals_by_type),
        _chart(t, "report-outcomes", "ops.report.outcomes", reports, lambda r: r.outcomes),
    ]


async def _reports(engine: AsyncEngine, now: datetime) -> list[MonthlyReport]:
    months = ReportMonth.of(now).last(MONTHS)
    kept = _recent.get(engine)
    fresh = kept is not None and time.monotonic() - kept[0] < FRESH_FOR_S
    if kept is not None and fresh and [r.month for r in kept[1]] == months:
        return kept[1]
    reports = await build_monthly_reports(engine, months, now)
    _recent[engine] = (time.monotonic(), reports)
    return reports


def _chart(
    t: Translator,
    chart_id: str,
    title: str,
    reports: Sequence[MonthlyReport],
    counts_of: Callable[[MonthlyReport], dict[str, int]],
) -> Chart:
    prefix = "type" if chart_id == "report-types" else "outcome"
    names = sorted({name for r in reports for name in counts_of(r)})
    series = [
        Series(
            name, _label(t, f"{prefix}.{name}", name), [counts_of(r).get(name, 0) for r in reports]
        )
        for name in names
    ]
    series = keep_largest(series, t("ops.chart.other"))
    total = sum(sum(s.counts) for s in series)
    frame = Chart(
        id=chart_id,
        title=t(title),
        description=t("ops.report.desc", total=t.number(total), months=MONTHS),
        table_label=t("ops.chart.table"),
    )
    months = {r.month.first_day: str(r.month) for r in reports}
    return stacked_bars(
        frame,
        list(months),
        series,
        day_label=lambda d: months.get(date(d.year, d.month, 1), d.isoformat()),
        number=t.number,
        day_heading=t("ops.report.month"),
    )


def _label(t: Translator, key: str, name: str) -> str:
    return t(key) if key in t.messages else name
