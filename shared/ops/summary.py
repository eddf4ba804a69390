"""The ops summary's shapes and the arithmetic behind them: counts and labels, no personal data.

Labels are signal types, source names (corporations), priorities and consumer names only.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from shared.bus import EventBus
from shared.consuming import EventProcessor
from shared.vocabulary import PRIORITIES

LOCAL = ZoneInfo("Europe/Amsterdam")
"""'Today' and 'this week' are the municipality's, not UTC's."""


class Volume(BaseModel):
    name: str = Field(description="Signal type or source.", examples=["rent_arrears"])
    last_24h: int
    last_30d: int


class SignalVolumes(BaseModel):
    by_type: list[Volume]
    by_source: list[Volume]
    by_status: dict[str, int] = Field(description="Signals of the last 30 days per status.")


class DeadlineCounts(BaseModel):
    overdue: int = 0
    due_today: int = 0
    due_this_week: int = Field(0, description="After today, up to Sunday midnight.")
    later: int = 0


class PriorityRow(BaseModel):
    priority: str
    open: int
    overdue: int = 0
    due_today: int = 0
    due_this_week: int = 0
    later: int = 0


class OpenCases(BaseModel):
    total: int
    by_priority: list[PriorityRow]
    by_deadline: DeadlineCounts


class ConsumerLag(BaseModel):
    name: str
    lag: int | None = Field(description="Records not yet handled; null if the bus did not say.")
    processed: int = Field(description="Records handled since this process started.")


class ConsumerGroup(BaseModel):
    group: str = Field(examples=["triage"])
    topic: str = Field(examples=["vroegsignaal.signals.v1"])
    lag: int = Field(description="Records after the group's committed offset.")


class Pipeline(BaseModel):
    outbox_backlog: int = Field(description="Events committed but not yet on the bus.")
    consumers: list[ConsumerLag] = Field(description="The consumers of this process.")
    consumer_groups: list[ConsumerGroup] | None = Field(
        None,
        description="Every consumer group on the bus, whichever process runs it (from the "
        "broker's committed offsets); null if the bus did not answer in time.",
    )


class DeadLetter(BaseModel):
    """A notification that ran out of retries or hit a 410: ids and technical reasons only."""

    id: str = Field(description="CloudEvent id and webhook-id; kept on replay.")
    type: str
    case_id: str
    status: str = Field(description="dead (budget spent) or endpoint_disabled (410).")
    attempts: int
    last_error: str | None
    dead_since: datetime | None


class DeadLetters(BaseModel):
    count: int
    latest: list[DeadLetter] = Field(description="The 20 most recent, newest first.")
    webhook_endpoint_disabled: bool = Field(description="The USD endpoint answered 410.")


class Summary(BaseModel):
    generated_at: datetime
    signals: SignalVolumes
    open_cases: OpenCases
    pipeline: Pipeline
    dead_letters: DeadLetters


def signal_volumes(rows: Iterable[tuple[str, str, str, int, int]]) -> SignalVolumes:
    """From (source, type, status, last 30 days, last 24 h) counts."""
    month: dict[str, Counter[str]] = {"type": Counter(), "source": Counter()}
    day: dict[str, Counter[str]] = {"type": Counter(), "source": Counter()}
    status: Counter[str] = Counter()
    for source, type_, state, in_month, in_day in rows:
        for axis, label in (("type", type_), ("source", source)):
            month[axis][label] += int(in_month)
            day[axis][label] += int(in_day)
        status[state] += int(in_month)

    def listed(axis: str) -> list[Volume]:
        ranked = sorted(month[axis].items(), key=lambda item: (-item[1], item[0]))
        return [Volume(name=n, last_24h=day[axis][n], last_30d=c) for n, c in ranked]

    return SignalVolumes(by_type=listed("type"), by_source=listed("source"), by_status=status)


def deadline_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The ends of today and of this week (Sunday midnight), local time."""
    local = now.astimezone(LOCAL)
    end_of_today = datetime.combine(local.date() + timedelta(days=1), time(), LOCAL)
    end_of_week = end_of_today + timedelta(days=6 - local.weekday())
    return end_of_today, end_of_week


def open_cases(rows: Iterable[tuple[str, int, int, int, int]]) -> OpenCases:
    """From (priority, open, overdue, due today, due this week) counts."""
    found: dict[str, PriorityRow] = {}
    for priority, *counts in rows:
        n, overdue, today, week = (int(c) for c in counts)
        found[priority] = PriorityRow(
            priority=priority,
            open=n,
            overdue=overdue,
            due_today=today,
            due_this_week=week,
            later=n - overdue - today - week,
        )
    order = [*PRIORITIES, *sorted(set(found) - set(PRIORITIES))]
    listed = [found.get(p) or PriorityRow(priority=p, open=0) for p in order]
    total = DeadlineCounts(
        **{f: sum(getattr(r, f) for r in listed) for f in DeadlineCounts.model_fields}
    )
    return OpenCases(total=sum(r.open for r in listed), by_priority=listed, by_deadline=total)


async def consumer_lags(
    processors: Sequence[EventProcessor], timeout_s: float = 2.0
) -> list[ConsumerLag]:
    async def one(processor: EventProcessor) -> ConsumerLag:
        try:
            lag: int | None = await asyncio.wait_for(processor.consumer.lag(), timeout_s)
        except Exception:  # not started yet, or the broker is away: say so, do not fail
            lag = None
        return ConsumerLag(name=processor.name, lag=lag, processed=processor.processed)

    return list(await asyncio.gather(*(one(p) for p in processors)))


async def consumer_groups(bus: EventBus, timeout_s: float = 3.0) -> list[ConsumerGroup] | None:
    """Every group's lag, largest first; None when the broker did not answer in time."""
    try:
        lags = await asyncio.wait_for(bus.group_lags(), timeout_s)
    except Exception:  # the broker is away: the console says so instead of failing
        return None
    groups = [ConsumerGroup(group=g.group, topic=g.topic, lag=g.lag) for g in lags]
    return sorted(groups, key=lambda g: (-g.lag, g.group, g.topic))
