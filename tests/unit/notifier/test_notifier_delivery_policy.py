"""Backoff, Retry-After, classification and the delivery state machine — pure, no I/O."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from notifier.domain.delivery import (
    AttemptResult,
    DeliveryStatus,
    Outcome,
    RetryPolicy,
    after_attempt,
    classify,
    new_delivery,
    next_attempt_at,
    parse_retry_after,
    replay,
)

NOW = datetime(2015, 10, 21, 7, 27, 0, tzinfo=UTC)
POLICY = RetryPolicy()


class Fixed:
    """A 'random' source that always picks the same fraction of the range."""

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.fraction


def delay(attempt: int, rng, retry_after: timedelta | None = None, policy=POLICY) -> timedelta:
    return next_attempt_at(policy, attempt, NOW, retry_after, rng) - NOW


@pytest.mark.parametrize(
    ("attempt", "cap"),
    [(1, 1), (2, 2), (3, 4), (10, 512), (11, 900), (12, 900), (10_000, 900)],
)
def test_the_cap_doubles_up_to_max_delay(attempt, cap):
    assert delay(attempt, Fixed(1.0)) == timedelta(seconds=cap)
    assert delay(attempt, Fixed(0.0)) == timedelta(0)


def test_full_jitter_stays_within_zero_and_the_cap():
    rng = random.Random(42)
    for attempt in range(1, 30):
        cap = min(POLICY.max_delay, POLICY.base_delay * 2 ** (attempt - 1))
        samples = [delay(attempt, rng) for _ in range(200)]
        assert all(timedelta(0) <= s <= cap for s in samples)
        assert len(set(samples)) > 100


def test_retry_after_is_a_lower_bound():
    assert delay(1, Fixed(0.0), timedelta(seconds=60)) == timedelta(seconds=60)
    assert delay(11, Fixed(1.0), timedelta(seconds=60)) == timedelta(minutes=15)


def test_retry_after_beyond_max_delay_is_honoured():
    """CONTRACT §4 says honour Retry-After: max_delay caps our backoff, not the receiver's ask."""
    assert delay(1, Fixed(0.0), timedelta(hours=2)) == timedelta(hours=2)
    assert delay(11, Fixed(1.0), timedelta(hours=2)) == timedelta(hours=2)


def test_retry_after_is_capped_by_the_rest_of_the_budget():
    left = timedelta(minutes=30)

    assert next_attempt_at(POLICY, 1, NOW, timedelta(hours=2), Fixed(0.0), left) == NOW + left
    assert next_attempt_at(POLICY, 1, NOW, timedelta(minutes=20), Fixed(0.0), left) == (
        NOW + timedelta(minutes=20)
    )


def test_a_long_retry_after_within_the_budget_is_scheduled_as_asked():
    delivery = new_delivery("n-8", NOW)

    delivery = after_attempt(
        delivery, AttemptResult(503, retry_after="7200"), POLICY, NOW, Fixed(0.0)
    )

    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.next_attempt_at == NOW + timedelta(hours=2)


def test_a_retry_after_beyond_the_budget_is_dead_not_sent_early():
    delivery = new_delivery("n-9", NOW)
    late = NOW + POLICY.budget - timedelta(hours=1)

    delivery = after_attempt(
        delivery, AttemptResult(503, retry_after="7200"), POLICY, late, Fixed(0.0)
    )

    assert delivery.status is DeliveryStatus.DEAD
    assert delivery.next_attempt_at is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 0 ", timedelta(0)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", timedelta(seconds=60)),
        ("Wed, 21 Oct 2015 07:00:00 GMT", timedelta(0)),
        (None, None),
        ("", None),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("٣", None),
    ],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header, NOW) == expected


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (202, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (410, Outcome.DISABLE_ENDPOINT),
        (None, Outcome.RETRY),
        (301, Outcome.RETRY),
        (400, Outcome.RETRY),
        (401, Outcome.RETRY),
        (404, Outcome.RETRY),
        (408, Outcome.RETRY),
        (425, Outcome.RETRY),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (503, Outcome.RETRY),
    ],
)
def test_only_2xx_is_delivered(status, outcome):
    assert classify(status) is outcome


def test_a_failure_schedules_the_next_attempt():
    delivery = new_delivery(str(uuid4()), NOW)

    delivery = after_attempt(delivery, AttemptResult(503), POLICY, NOW, Fixed(1.0))

    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at == NOW + timedelta(seconds=1)
    assert delivery.last_error == "HTTP 503"


def test_a_timeout_keeps_the_adapters_reason():
    delivery = new_delivery(str(uuid4()), NOW)

    delivery = after_attempt(delivery, AttemptResult(None, error="timeout"), POLICY, NOW, Fixed(0))

    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.last_error == "timeout"


def test_success_after_failures_is_delivered():
    delivery = after_attempt(new_delivery("n-1", NOW), AttemptResult(500), POLICY, NOW, Fixed(0))

    delivery = after_attempt(delivery, AttemptResult(204), POLICY, NOW, Fixed(0))

    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert delivery.next_attempt_at is None


def test_410_parks_the_delivery_for_replay():
    delivery = after_attempt(new_delivery("n-2", NOW), AttemptResult(410), POLICY, NOW, Fixed(0))

    assert delivery.status is DeliveryStatus.ENDPOINT_DISABLED
    assert delivery.next_attempt_at is None


def test_max_attempts_is_dead():
    policy = RetryPolicy(max_attempts=3)
    delivery = new_delivery("n-3", NOW)
    for _ in range(3):
        delivery = after_attempt(delivery, AttemptResult(500), policy, NOW, Fixed(0))

    assert delivery.status is DeliveryStatus.DEAD
    assert delivery.attempts == 3


def test_a_retry_beyond_the_budget_is_not_scheduled():
    delivery = new_delivery("n-4", NOW)
    late = NOW + POLICY.budget - timedelta(seconds=30)

    delivery = after_attempt(delivery, AttemptResult(503, retry_after="60"), POLICY, late, Fixed(0))

    assert delivery.status is DeliveryStatus.DEAD
    assert delivery.next_attempt_at is None


def test_only_pending_deliveries_take_attempts():
    delivered = after_attempt(new_delivery("n-5", NOW), AttemptResult(200), POLICY, NOW, Fixed(0))

    with pytest.raises(ValueError, match="not pending"):
        after_attempt(delivered, AttemptResult(200), POLICY, NOW, Fixed(0))


def test_replay_gives_a_fresh_budget_under_the_same_id():
    policy = RetryPolicy(max_attempts=1)
    dead = after_attempt(new_delivery("n-6", NOW), AttemptResult(500), policy, NOW, Fixed(0))
    later = NOW + timedelta(days=3)

    revived = replay(dead, later)

    assert revived.notification_id == "n-6"
    assert revived.status is DeliveryStatus.PENDING
    assert (revived.attempts, revived.started_at, revived.next_attempt_at) == (0, later, later)


def test_the_default_budget_lasts_about_a_day():
    """With the defaults a dead endpoint is tried for a day, not an hour, before dead letters."""
    rng = random.Random(3)
    delivery = new_delivery("n-7", NOW)
    now = NOW
    while delivery.status is DeliveryStatus.PENDING:
        delivery = after_attempt(delivery, AttemptResult(503), POLICY, now, rng)
        now = delivery.next_attempt_at or now

    assert delivery.status is DeliveryStatus.DEAD
    assert now - NOW > timedelta(hours=23)
    assert delivery.attempts < POLICY.max_attempts


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"base_delay": timedelta(0)},
        {"base_delay": timedelta(hours=1)},
        {"budget": timedelta(0)},
    ],
)
def test_nonsense_policies_are_refused(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)
