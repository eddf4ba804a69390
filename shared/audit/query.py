"""Which audit entries a reader asks for (`since`, `until`, `case_id`, `cursor`): parsed, pure.

A date means a whole day in Europe/Amsterdam, the calendar of the municipality: `since` from
its first moment, `until` up to and including it. Datetimes need an offset.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import orjson

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
_MAX_ID: Final = 2**63 - 1
_CURSOR_VERSION: Final = 1


class BadQuery(ValueError):
    """A query parameter that cannot be read; `field` names it (for the 422 problem)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Entries with `since <= at < until`, about `subject`, after entry `after_id`, by id."""

    since: datetime | None = None
    until: datetime | None = None
    subject: str | None = None
    after_id: int = 0


def parse_moment(value: str, field: str, *, end: bool = False) -> datetime:
    """An ISO date or an offset datetime; with `end`, a date means the end of that day."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(), AMSTERDAM).astimezone(UTC)
        moment = datetime.fromisoformat(text)
        if moment.utcoffset() is None:
            raise BadQuery(field, f"{value!r} needs a UTC offset, e.g. 2026-11-02T09:00+01:00")
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, BadQuery):
            raise
        raise BadQuery(field, f"{value!r} is not an ISO 8601 date or datetime") from None


def audit_query(
    since: str | None, until: str | None, case_id: str | None, cursor: str | None
) -> AuditQuery:
    """The query the API's parameters describe; raises BadQuery naming the bad parameter."""
    start = parse_moment(since, "since") if since else None
    stop = parse_moment(until, "until", end=True) if until else None
    if start and stop and stop <= start:
        raise BadQuery("until", "must be later than since")
    return AuditQuery(start, stop, case_id, decode_cursor(cursor) if cursor else 0)


def encode_cursor(last_id: int) -> str:
    """Opaque to clients: the id of the last entry they were given."""
    return base64.urlsafe_b64encode(orjson.dumps([_CURSOR_VERSION, last_id])).decode()


def decode_cursor(cursor: str) -> int:
    """The entry id a cursor stands for; anything this API did not give out is a BadQuery."""
    refused = BadQuery("cursor", "is not a cursor this API gave out")
    if len(cursor) > 64:
        raise refused
    try:
        value = orjson.loads(base64.b64decode(cursor, altchars=b"-_", validate=True))
    except (binascii.Error, ValueError):
        raise refused from None
    if not (isinstance(value, list) and len(value) == 2 and all(map(_is_int, value))):
        raise refused
    version, last_id = value
    if version != _CURSOR_VERSION or not 0 <= last_id <= _MAX_ID:
        raise refused
    return int(last_id)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
