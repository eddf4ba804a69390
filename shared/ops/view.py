"""What the `/ops` page shows, from the summary and the hourly counts, in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from shared.ops.summary import ConsumerGroup, Summary
from shared.ops.volumes import HourCount, daily_series, last_days
from shared.web.pages.charts import Chart, keep_largest, stacked_bars
from shared.web.pages.i18n import Translator

GROUP_ROWS = 30
"""Groups listed on the page: all with lag, then the rest up to this many."""


@dataclass(frozen=True)
class Volumes:
    by_type: Sequence[HourCount]
    by_source: Sequence[HourCount]
    attempts: Sequence[HourCount]


@dataclass(frozen=True)
class OpsView:
    summary: Summary
    charts: list[Chart]
    groups: list[ConsumerGroup] | None
    hidden_groups: int
    total_lag: int | None


def _chart(
    t: Translator, chart_id: str, title: str, days: list[date], counts: Sequence[HourCount]
) -> Chart:
    def label(name: str) -> str:
        key = f"type.{name}" if chart_id == "by-type" else f"ops.{name}"
        return t(key) if key in t.messages else name

    series = keep_largest(daily_series(counts, days, label), t("ops.chart.other"))
    if chart_id == "deliveries":  # delivered first and green, failed after it and red
        colours = {"delivered": 2, "failed": 4}
        series = sorted(
            (replace(s, colour=colours.get(s.name)) for s in series),
            key=lambda s: s.name != "delivered",
        )
    total = sum(sum(s.counts) for s in series)
    frame = Chart(
        id=chart_id,
        title=t(title),
        description=t("ops.chart.desc", total=t.number(total)),
        table_label=t("ops.chart.table"),
    )
    return stacked_bars(
        frame,
        days,
        series,
        day_label=lambda d: t.day(datetime(d.year, d.month, d.day)),
        number=t.number,
        day_heading=t("ops.chart.day"),
    )


def ops_view(t: Translator, summary: Summary, volumes: Volumes, now: datetime) -> OpsView:
    days = last_days(now)
    charts = [
        _chart(t, "by-type", "ops.chart.by_type", days, volumes.by_type),
        _chart(t, "by-source", "ops.chart.by_source", days, volumes.by_source),
        _chart(t, "deliveries", "ops.chart.deliveries", days, volumes.attempts),
    ]
    groups = summary.pipeline.consumer_groups
    shown, hidden = groups, 0
    if groups is not None:
        lagging = [g for g in groups if g.lag]
        shown = lagging + [g for g in groups if not g.lag][: max(0, GROUP_ROWS - len(lagging))]
        hidden = len(groups) - len(shown)
    total = sum(g.lag for g in groups) if groups is not None else None
    return OpsView(summary, charts, shown, hidden, total)
