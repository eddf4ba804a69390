"""A token bucket per source: bursts up to the limit, refills at the rate, sources apart."""

from __future__ import annotations

import pytest

from shared.web.rate_limit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_source_may_burst_then_waits_for_tokens_to_come_back() -> None:
    clock = Clock()
    limiter = RateLimiter(rate_per_s=10, burst=30, clock=clock)
    assert [limiter.retry_after("corp-a") for _ in range(30)] == [None] * 30
    assert limiter.retry_after("corp-a") == 1
    clock.now += 0.5  # five tokens back
    assert [limiter.retry_after("corp-a") for _ in range(5)] == [None] * 5
    assert limiter.retry_after("corp-a") == 1


def test_one_source_over_its_limit_does_not_limit_another() -> None:
    limiter = RateLimiter(rate_per_s=1, burst=2, clock=Clock())
    assert [limiter.retry_after("corp-a") for _ in range(3)] == [None, None, 1]
    assert limiter.retry_after("corp-b") is None


def test_tokens_never_pile_up_beyond_the_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(rate_per_s=100, burst=3, clock=clock)
    limiter.retry_after("corp-a")
    clock.now += 3600
    assert [limiter.retry_after("corp-a") for _ in range(4)] == [None, None, None, 1]


def test_retry_after_is_whole_seconds_to_the_next_token() -> None:
    limiter = RateLimiter(rate_per_s=0.25, burst=1, clock=Clock())
    assert limiter.retry_after("corp-a") is None
    assert limiter.retry_after("corp-a") == 4


@pytest.mark.parametrize(("rate", "burst"), [(0, 10), (10, 0)])
def test_a_limit_that_cannot_work_is_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate_per_s=rate, burst=burst)
