"""The CloudEvents 1.0 envelope of every event on the bus, in Kafka binary mode (`ce_*` headers).

Binary mode keeps `data` as the record value and the attributes as headers, so consumers can
route and deduplicate (source + id) without parsing the payload.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

SPECVERSION = "1.0"
Headers = tuple[tuple[str, bytes], ...]


class EnvelopeError(ValueError):
    """A record that is not a CloudEvent in binary mode."""


@dataclass(frozen=True, slots=True)
class CloudEvent:
    type: str
    source: str
    data: bytes
    subject: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    correlationid: str | None = None
    """Extension attribute: the id of the signal that caused this event, so one grep for a
    signal id follows it from POST to webhook (an id, never personal data)."""

    def headers(self) -> Headers:
        pairs = [
            ("ce_specversion", SPECVERSION),
            ("ce_id", self.id),
            ("ce_source", self.source),
            ("ce_type", self.type),
            ("ce_time", self.time.isoformat()),
            ("content-type", self.datacontenttype),
        ]
        if self.subject is not None:
            pairs.append(("ce_subject", self.subject))
        if self.correlationid is not None:
            pairs.append(("ce_correlationid", self.correlationid))
        return tuple((name, value.encode()) for name, value in pairs)

    @classmethod
    def from_binary(cls, headers: Sequence[tuple[str, bytes]], value: bytes) -> CloudEvent:
        try:
            attrs = {name: raw.decode() for name, raw in headers}
            if attrs["ce_specversion"] != SPECVERSION:
                raise EnvelopeError(f"unsupported specversion {attrs['ce_specversion']}")
            return cls(
                id=attrs["ce_id"],
                source=attrs["ce_source"],
                type=attrs["ce_type"],
                time=datetime.fromisoformat(attrs["ce_time"]),
                subject=attrs.get("ce_subject"),
                correlationid=attrs.get("ce_correlationid"),
                datacontenttype=attrs.get("content-type", "application/json"),
                data=value,
            )
        except KeyError as missing:
            raise EnvelopeError(f"missing CloudEvent header {missing}") from None
        except ValueError as bad:  # undecodable header or a ce_time that is no timestamp
            raise EnvelopeError(f"unreadable CloudEvent header: {type(bad).__name__}") from None
