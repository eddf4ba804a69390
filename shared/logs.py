"""Log lines as JSON, one per line, with the correlation ids of the work in hand.

`log_context(signal_id=..., event_id=...)` binds ids for everything logged inside it (across
awaits), so one grep for a signal id follows it from POST to webhook. A line never carries
personal data: messages name ids, types and counts; an exception shows its type and where it
was raised, never its message (a driver's message can quote the values of a statement).
"""

from __future__ import annotations

import contextvars
import logging
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType

import orjson

_CONTEXT: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "log_context", default=MappingProxyType({})
)
QUIET_LOGGERS = {
    "aiokafka": logging.WARNING,
    "uvicorn.access": logging.WARNING,
    "httpx": logging.WARNING,
}


@contextmanager
def log_context(**ids: str | None) -> Iterator[None]:
    """Adds `ids` (None values are left out) to every line logged within the block."""
    token = _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in ids.items() if v is not None}})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_CONTEXT.get(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            line["exception"] = exc_type.__name__
            line["raised_at"] = [
                f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(tb)[-5:]
            ]
        return orjson.dumps(line, default=str).decode()


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet)
