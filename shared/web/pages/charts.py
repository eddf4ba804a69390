"""Server-rendered charts: the geometry of a stacked bar chart per day, drawn as SVG by the
`bar_chart` macro of components.html. No script; the same numbers are in a table beside it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

SERIES_COLOURS = 8
"""CSS classes series-0 … series-7; further series are summed into the last ("other")."""


@dataclass(frozen=True)
class Series:
    name: str
    label: str
    counts: Sequence[int]
    colour: int | None = None
    """A fixed colour (series-N) for a series that means something: green delivered, red failed."""


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    name: str
    day: str
    count: int
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class XLabel:
    x: float
    text: str


@dataclass(frozen=True)
class LegendItem:
    series: int
    label: str
    total: int


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    table_label: str
    width: int = 720
    height: int = 240
    left: int = 44
    right: int = 24
    top: int = 10
    bottom: int = 26
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    x_labels: list[XLabel] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    table_columns: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)


def nice_max(value: int) -> int:
    """The axis top: 1, 2 or 4 times a power of ten, at least `value` (and at least 4), so
    that its half is a whole number too."""
    value = max(value, 4)
    power = 10 ** math.floor(math.log10(value))
    return int(next(m * power for m in (1, 2, 4, 10) if m * power >= value))


def keep_largest(series: Sequence[Series], other_label: str) -> list[Series]:
    """The largest series first; beyond the palette, the rest summed as one `other` series."""
    ranked = sorted(series, key=lambda s: (-sum(s.counts), s.name))
    if len(ranked) <= SERIES_COLOURS:
        return ranked
    kept, rest = ranked[: SERIES_COLOURS - 1], ranked[SERIES_COLOURS - 1 :]
    summed = [sum(values) for values in zip(*(s.counts for s in rest), strict=True)]
    return [*kept, Series("other", other_label, summed)]


def stacked_bars(
    chart: Chart,
    days: Sequence[date],
    series: Sequence[Series],
    day_label: Callable[[date], str],
    number: Callable[[int], str],
    day_heading: str,
) -> Chart:
    """`chart` with bars for `series` (one count per day in `days`), axis, legend and table."""
    totals = [sum(s.counts[i] for s in series) for i in range(len(days))]
    top = nice_max(max(totals, default=0))
    plot_w = chart.width - chart.left - chart.right
    plot_h = chart.height - chart.top - chart.bottom
    slot = plot_w / max(len(days), 1)
    bars: list[Bar] = []
    for i, day in enumerate(days):
        y = float(chart.top + plot_h)
        for index, s in enumerate(series):
            count = s.counts[i]
            if not count:
                continue
            height = plot_h * count / top
            y -= height
            bars.append(
                Bar(
                    x=round(chart.left + i * slot + slot * 0.15, 1),
                    y=round(y, 1),
                    width=round(slot * 0.7, 1),
                    height=round(height, 1),
                    series=index if s.colour is None else s.colour,
                    name=s.name,
                    day=day.isoformat(),
                    count=count,
                    title=f"{s.label}, {day_label(day)}: {number(count)}",
                )
            )
    ticks = [
        Tick(y=round(chart.top + plot_h - plot_h * v / top, 1), value=v) for v in (0, top // 2, top)
    ]
    step = max(1, len(days) // 6)
    x_labels = [
        XLabel(x=round(chart.left + i * slot + slot / 2, 1), text=day_label(day))
        for i, day in enumerate(days)
        if (len(days) - 1 - i) % step == 0
    ]
    legend = [
        LegendItem(i if s.colour is None else s.colour, s.label, sum(s.counts))
        for i, s in enumerate(series)
    ]
    rows = [
        [day_label(day), *(number(s.counts[i]) for s in series)]
        for i, day in enumerate(days)
        if totals[i]
    ]
    return replace(
        chart,
        bars=bars,
        ticks=ticks,
        x_labels=x_labels,
        legend=legend,
        table_columns=[day_heading, *(s.label for s in series)],
        table_rows=rows,
    )
