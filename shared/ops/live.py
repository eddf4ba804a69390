"""The live event stream for ops: record envelopes as Server-Sent Events, never the payload.

Each record becomes topic, CloudEvent type, time, source and subject plus the household pseudonym
shortened to 12 characters: enough to see a household's events belong together, nothing that
identifies a person (CONTRACT §5). Of the data only two labels are read: a signal's type and a
case's priority.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence

import anyio
import orjson

from shared.bus import EventBus, Record

log = logging.getLogger(__name__)

KEY_CHARS = 12
KEEPALIVE_S = 15.0
LIFETIME_S = 60.0
"""A stream ends after this long and the page reconnects, so each open console holds a bus
consumer for a bounded time (shutdown itself is bounded by uvicorn's graceful timeout)."""


def _labels(value: bytes) -> tuple[str | None, str | None]:
    """A signal's `type` and a case's `case.priority` from the data; nothing else is kept."""
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    case = data.get("case")
    priority = case.get("priority") if isinstance(case, dict) else None
    kind = data.get("type") if "signal_id" in data else None
    return (
        kind if isinstance(kind, str) else None,
        priority if isinstance(priority, str) else None,
    )


def live_event(record: Record) -> dict[str, str | None]:
    """The envelope of a record, pseudonymised, with the signal type or case priority."""
    attrs = {name: value.decode(errors="replace") for name, value in record.headers}
    key = record.key.decode(errors="replace")
    subject = attrs.get("ce_subject")
    signal_type, priority = _labels(record.value)
    return {
        "topic": record.topic,
        "type": attrs.get("ce_type"),
        "time": attrs.get("ce_time"),
        "key": key[:KEY_CHARS],
        "source": attrs.get("ce_source"),
        "subject": key[:KEY_CHARS] if subject == key else subject,
        "signal_type": signal_type,
        "priority": priority,
    }


def sse(data: Mapping[str, object], event: str | None = None) -> bytes:
    head = f"event: {event}\n".encode() if event else b""
    return head + b"data: " + orjson.dumps(data) + b"\n\n"


async def event_stream(
    bus: EventBus,
    topics: Sequence[str],
    stop: asyncio.Event,
    keepalive_s: float = KEEPALIVE_S,
    lifetime_s: float = LIFETIME_S,
) -> AsyncIterator[bytes]:
    """SSE bytes of records appended after the first frame (`: live`), until `stop` is set,
    `lifetime_s` passed or the client went away (Starlette then cancels this generator)."""
    tail = bus.tail(topics)
    try:
        await tail.start()
    except Exception as exc:
        log.warning("ops stream: the bus did not answer (%s)", type(exc).__name__)
        yield sse({"detail": "The event bus is not reachable; retrying."}, "unavailable")
        return
    try:
        yield b": live\n\n"
        clock = asyncio.get_running_loop().time
        ends, quiet_since = clock() + lifetime_s, clock()
        while not stop.is_set() and clock() < ends:
            records = await tail.fetch(200, min(1.0, keepalive_s))
            if records:
                yield b"".join(sse(live_event(r)) for r in records)
                quiet_since = clock()
            elif clock() - quiet_since >= keepalive_s:
                yield b": keep-alive\n\n"
                quiet_since = clock()
    except Exception as exc:
        log.warning("ops stream ended: %s", type(exc).__name__)
        yield sse({"detail": "The event stream broke off; reconnecting."}, "unavailable")
    finally:
        with anyio.CancelScope(shield=True):  # a disconnect cancels us; stop the tail anyway
            await tail.stop()
