"""A notification on the wire: a CloudEvents 1.0 event in structured JSON mode (CONTRACT §4)."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from cloudevents.core.bindings.http import to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from notifier.domain.notification import Notification


def to_json_value(value: object) -> Any:
    """Turn case data into plain JSON values the same way every time.

    Datetimes become RFC 3339 in UTC with `Z`, dates ISO 8601, UUIDs their canonical string,
    enums their value. Anything else that JSON cannot hold is refused, not guessed.
    """
    # Exact types first: a case document read back from JSON is only these.
    if type(value) is str or type(value) is int or value is None:
        return value
    if type(value) is dict:
        if not all(isinstance(key, str) for key in value):
            raise TypeError("JSON object keys must be strings")
        return {key: to_json_value(item) for key, item in value.items()}
    if type(value) is list:
        return [to_json_value(item) for item in value]
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("NaN and infinity are not JSON")
        return value
    if isinstance(value, enum.Enum):
        return to_json_value(value.value)
    if isinstance(value, datetime):
        return _rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("JSON object keys must be strings")
        return {key: to_json_value(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [to_json_value(item) for item in value]
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def encode_event(notification: Notification, source: str) -> tuple[dict[str, str], bytes]:
    """The CloudEvents 1.0 structured-mode headers and body for one notification."""
    event = CloudEvent(
        attributes={
            "specversion": "1.0",
            "id": notification.id,
            "source": source,
            "type": notification.event_type,
            "time": notification.time.astimezone(UTC),
            "subject": notification.subject,
            "datacontenttype": "application/json",
        },
        data=to_json_value(notification.data),
    )
    message = to_structured(event, JSONFormat())
    return dict(message.headers), message.body


def _rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetimes are ambiguous; use timezone-aware ones")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
