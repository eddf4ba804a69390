"""The one way a background loop waits: until something wakes it, it is stopped, or time passes."""

from __future__ import annotations

import asyncio


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
