"""Retention (bewaartermijn, CONTRACT §10): when a closed case is due for erasure. Pure."""

from __future__ import annotations

import calendar
from datetime import datetime

from triage.domain.policy_model import RetentionPolicy


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the month's last day where it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def kept_until(closed_at: datetime, outcome: str | None, retention: RetentionPolicy) -> datetime:
    return add_months(closed_at, retention.months_for(outcome))


def is_expired(
    closed_at: datetime, outcome: str | None, retention: RetentionPolicy, now: datetime
) -> bool:
    return kept_until(closed_at, outcome, retention) <= now
