"""Webhook channel to the USD: a CloudEvent in structured JSON mode, signed per Standard Webhooks.

The sender makes one attempt and reports what happened; retry decisions live in
`notifier.domain.delivery`, so the worker drives `send` and `after_attempt` together.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import httpx
from cloudevents.core.bindings.http import to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from standardwebhooks import Webhook

from notifier.domain.delivery import AttemptResult
from notifier.domain.notification import Notification
from shared.keys import is_usable_webhook_secret


def to_json_value(value: object) -> Any:
    """Turn case data into plain JSON values the same way every time.

    Datetimes become RFC 3339 in UTC with `Z`, dates ISO 8601, UUIDs their canonical string,
    enums their value. Anything else that JSON cannot hold is refused, not guessed.
    """
    if value is None or isinstance(value, bool | int | str):
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
            "type": str(notification.event_type),
            "time": notification.time.astimezone(UTC),
            "subject": notification.subject,
            "datacontenttype": "application/json",
        },
        data=to_json_value(notification.data),
    )
    message = to_structured(event, JSONFormat())
    return dict(message.headers), message.body


class WebhookSender:
    """Posts notifications to the USD webhook with a long-lived, caller-configured client."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        secret: str,
        source: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not is_usable_webhook_secret(secret):
            raise ValueError("webhook secret must be whsec_ + base64 of 24 to 64 bytes")
        if not source:
            raise ValueError("CloudEvent source must not be empty")
        self._client = client
        self._url = url
        self._webhook = Webhook(secret)
        self._source = source
        self._clock = clock

    def signed_request(self, notification: Notification) -> tuple[dict[str, str], bytes]:
        """Headers and body for one attempt; a fresh timestamp, the same webhook-id every time."""
        headers, body = encode_event(notification, self._source)
        seconds = math.floor(self._clock().timestamp())
        signature = self._webhook.sign(
            msg_id=notification.id,
            timestamp=datetime.fromtimestamp(seconds, UTC),
            data=body.decode("utf-8"),
        )
        headers |= {
            "webhook-id": notification.id,
            "webhook-timestamp": str(seconds),
            "webhook-signature": signature,
        }
        return headers, body

    async def send(self, notification: Notification) -> AttemptResult:
        """One attempt. Transport failures come back as results; only programming errors raise."""
        headers, body = self.signed_request(notification)
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.TimeoutException:
            return AttemptResult(status_code=None, error="timeout")
        except httpx.TransportError as exc:
            return AttemptResult(status_code=None, error=type(exc).__name__)
        error = None if response.is_success else f"HTTP {response.status_code}"
        return AttemptResult(
            status_code=response.status_code,
            retry_after=response.headers.get("retry-after"),
            error=error,
        )


def _rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetimes are ambiguous; use timezone-aware ones")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
