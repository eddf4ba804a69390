"""Log lines are JSON with the correlation ids in hand, and never an exception's message."""

from __future__ import annotations

import asyncio
import logging

import orjson

from shared.logs import JsonLines, log_context


def line(record: logging.LogRecord) -> dict[str, object]:
    parsed: dict[str, object] = orjson.loads(JsonLines().format(record))
    return parsed


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("vs.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_a_line_is_json_with_the_ids_of_its_context() -> None:
    with log_context(signal_id="6f1c2b1e", event_id=None):
        with log_context(event_id="ce-1"):
            inner = line(record("triaged %d signals", 3))
        outer = line(record("done"))
    after = line(record("idle"))
    assert inner["message"] == "triaged 3 signals" and inner["level"] == "error"
    assert (inner["signal_id"], inner["event_id"]) == ("6f1c2b1e", "ce-1")
    assert outer["signal_id"] == "6f1c2b1e" and "event_id" not in outer
    assert "signal_id" not in after


async def test_the_context_follows_the_work_across_awaits() -> None:
    async def work(signal_id: str) -> str:
        with log_context(signal_id=signal_id):
            await asyncio.sleep(0)
            return str(line(record("x"))["signal_id"])

    assert await asyncio.gather(work("a"), work("b")) == ["a", "b"]


def test_an_exception_shows_its_type_and_place_never_its_message() -> None:
    try:
        raise ValueError("J. de Vries, +31612345678")
    except ValueError as exc:
        logged = line(record("failed", exc=exc))
    text = orjson.dumps(logged).decode()
    assert logged["exception"] == "ValueError"
    assert "test_logs.py" in str(logged["raised_at"])
    assert "Vries" not in text and "3161" not in text
