"""Delivery policy for webhooks to the USD: when to retry, when to give up, when to stop.

Pure: no I/O, no clock, no global randomness. The delivery rounds pass `now` and an `rng`.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol


class RandomSource(Protocol):
    """What jitter needs from a random generator; `random.Random` fits."""

    def uniform(self, a: float, b: float) -> float: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard we try before a notification goes to the dead letters.

    The 24-hour `budget` is the real limit: it rides out a night of maintenance at the USD.
    The 15-minute `max_delay` caps our own backoff, so the gap after an outage stays short
    because cases carry deadlines; a `Retry-After` from the USD may ask for longer and is
    honoured up to the end of the budget. With full jitter a capped retry waits 7.5 minutes on
    average, so 24 hours is roughly 200 attempts; `max_attempts` only guards a runaway loop.
    """

    max_attempts: int = 250
    base_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=15)
    budget: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not timedelta(0) < self.base_delay <= self.max_delay:
            raise ValueError("need 0 < base_delay <= max_delay")
        if self.budget <= timedelta(0):
            raise ValueError("budget must be positive")


class Outcome(enum.Enum):
    """What one HTTP attempt means for the notification."""

    DELIVERED = "delivered"
    RETRY = "retry"
    DISABLE_ENDPOINT = "disable_endpoint"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    ENDPOINT_DISABLED = "endpoint_disabled"


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """One POST as the adapter saw it. `status_code` is None for a timeout or connection error.

    `error` is a short technical reason ("HTTP 503", "timeout"); never a response body.
    `unsendable`: the request could not even be built or sent because of the notification's own
    data (or a bug); a retry would fail the same way, so it is a dead letter at once.
    """

    status_code: int | None
    retry_after: str | None = None
    error: str | None = None
    unsendable: bool = False


@dataclass(frozen=True, slots=True)
class Delivery:
    """Delivery state of one notification; `notification_id` is the webhook-id and CloudEvent id.

    `started_at` opens the retry budget: when the notification was queued or last replayed.
    """

    notification_id: str
    started_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None


def classify(status_code: int | None) -> Outcome:
    """Only 2xx is success (Standard Webhooks). 410 means the USD removed the endpoint.

    Every other answer is retried, 4xx included: a 400 or 401 here is most likely a
    misconfiguration on either side (e.g. a rotated secret) that ops can fix within the
    budget, and dropping a signal about a household at risk is worse than a wasted request.
    Redirects are not followed, so 3xx is a failure too.
    """
    if status_code is None:
        return Outcome.RETRY
    if 200 <= status_code < 300:
        return Outcome.DELIVERED
    if status_code == 410:
        return Outcome.DISABLE_ENDPOINT
    return Outcome.RETRY


def parse_retry_after(header_value: str | None, now: datetime) -> timedelta | None:
    """Read `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); None if unusable."""
    if header_value is None:
        return None
    value = header_value.strip()
    if value.isascii() and value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


def next_attempt_at(
    policy: RetryPolicy,
    attempt_number: int,
    now: datetime,
    retry_after: timedelta | None,
    rng: RandomSource,
    budget_left: timedelta | None = None,
) -> datetime:
    """When to try again after failed attempt `attempt_number` (1-based).

    Exponential backoff with full jitter: uniform in [0, min(max_delay, base * 2**(n-1))].
    A `Retry-After` is a lower bound and is honoured beyond `max_delay` (CONTRACT §4); only
    `budget_left`, the rest of the retry budget, caps it, so a server cannot park us forever.
    """
    if attempt_number < 1:
        raise ValueError("attempt_number is 1-based")
    max_s = policy.max_delay.total_seconds()
    exponent = min(attempt_number - 1, 64)
    cap_s = min(max_s, policy.base_delay.total_seconds() * 2.0**exponent)
    delay_s = rng.uniform(0.0, cap_s)
    if retry_after is not None:
        asked = retry_after if budget_left is None else min(retry_after, budget_left)
        delay_s = max(delay_s, asked.total_seconds())
    return now + timedelta(seconds=delay_s)


def new_delivery(notification_id: str, now: datetime) -> Delivery:
    """A notification ready for its first attempt."""
    return Delivery(notification_id=notification_id, started_at=now, next_attempt_at=now)


def after_attempt(
    delivery: Delivery,
    result: AttemptResult,
    policy: RetryPolicy,
    now: datetime,
    rng: RandomSource,
) -> Delivery:
    """Move a pending delivery on after one attempt: delivered, retry later, dead or disabled.

    An unsendable notification (a poison pill) is dead at once: it never burns the budget.

    A retry that would fall after the budget is not scheduled, nor one the receiver's
    `Retry-After` puts after it (sending earlier would not honour it): the delivery is dead
    (and goes to the dead letters, where ops can replay it under the same id).
    """
    if delivery.status is not DeliveryStatus.PENDING:
        raise ValueError(f"delivery is {delivery.status}, not pending")
    attempts = delivery.attempts + 1
    outcome = classify(result.status_code)
    if outcome is Outcome.DELIVERED:
        return dataclasses.replace(
            delivery, status=DeliveryStatus.DELIVERED, attempts=attempts, next_attempt_at=None
        )
    code = result.status_code
    if result.unsendable:
        return dataclasses.replace(
            delivery,
            status=DeliveryStatus.DEAD,
            attempts=attempts,
            next_attempt_at=None,
            last_error=result.error or "unsendable",
        )
    error = result.error or ("no response" if code is None else f"HTTP {code}")
    status, when = DeliveryStatus.ENDPOINT_DISABLED, None
    if outcome is Outcome.RETRY:
        retry_after = parse_retry_after(result.retry_after, now)
        budget_ends = delivery.started_at + policy.budget
        budget_left = max(budget_ends - now, timedelta(0))
        when = next_attempt_at(policy, attempts, now, retry_after, rng, budget_left)
        status = DeliveryStatus.PENDING
        beyond_budget = when > budget_ends or (
            retry_after is not None and retry_after > budget_left
        )
        if attempts >= policy.max_attempts or beyond_budget:
            status, when = DeliveryStatus.DEAD, None
    return dataclasses.replace(
        delivery, status=status, attempts=attempts, next_attempt_at=when, last_error=error
    )


def replay(delivery: Delivery, now: datetime) -> Delivery:
    """Give a dead or parked delivery a fresh budget; the id (and so the webhook-id) stays."""
    if delivery.status is DeliveryStatus.DELIVERED:
        raise ValueError("a delivered notification is not replayed")
    return dataclasses.replace(
        delivery,
        status=DeliveryStatus.PENDING,
        started_at=now,
        attempts=0,
        next_attempt_at=now,
    )
