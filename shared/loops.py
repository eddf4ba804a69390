"""The one way a background loop runs and waits: every service's workers use `run_forever`.

A step does one pass of work and says how long it may idle before the next (0: go on at once).
A failing step is logged and retried after an exponential back-off with jitter; nothing a step
left uncommitted is lost, because each step commits its own work or leaves it to be claimed again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

Step = Callable[[], Awaitable[float]]
"""One pass of a loop; returns the seconds it may idle before the next pass (0: at once)."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits after consecutive failures: `first_s`, doubling up to `max_s`, with ±20% jitter."""

    first_s: float = 0.25
    max_s: float = 10.0

    def delay(self, failures: int) -> float:
        base: float = min(self.first_s * 2.0 ** max(failures - 1, 0), self.max_s)
        return base * random.uniform(0.8, 1.2)


async def wait_until(*events: asyncio.Event, timeout_s: float) -> None:
    """Returns as soon as any of `events` is set, or after `timeout_s`."""
    if any(event.is_set() for event in events):
        return
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def run_forever(
    name: str,
    step: Step,
    stop: asyncio.Event,
    backoff: Backoff = Backoff(),
    wake: asyncio.Event | None = None,
    quiet: tuple[type[BaseException], ...] = (),
) -> None:
    """Runs `step` until `stop` is set; `wake` cuts an idle wait short.

    Failures of a type in `quiet` (expected outages, such as the bus being away) are logged in
    one line; any other is logged with its traceback.
    """
    failures = 0
    events = (stop,) if wake is None else (stop, wake)
    while not stop.is_set():
        if wake is not None:
            wake.clear()  # before the pass: a wake during it means "look again"
        try:
            idle_s = await step()
        except Exception as exc:
            failures += 1
            delay = backoff.delay(failures)
            if isinstance(exc, quiet):
                log.warning("%s: %s; retrying in %.1fs", name, exc, delay)
            else:
                log.exception("%s failed; retrying in %.1fs", name, delay)
            await wait_until(stop, timeout_s=delay)
            continue
        failures = 0
        if idle_s > 0:
            await wait_until(*events, timeout_s=idle_s)
