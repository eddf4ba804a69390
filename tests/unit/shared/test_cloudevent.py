"""CloudEvents in Kafka binary mode: attributes go as `ce_*` headers; broken ones are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.cloudevent import CloudEvent, EnvelopeError


def test_attributes_round_trip_through_headers() -> None:
    event = CloudEvent(
        type="nl.vroegsignaal.case.opened",
        source="/vroegsignaal/triage",
        subject="case-1",
        data=b"{}",
        time=datetime(2026, 11, 2, 9, tzinfo=UTC),
    )
    assert CloudEvent.from_binary(event.headers(), event.data) == event


@pytest.mark.parametrize(
    "broken",
    [
        [("ce_specversion", b"1.0"), ("ce_id", b"x"), ("ce_source", b"/s"), ("ce_type", b"t")],
        [
            ("ce_specversion", b"0.3"),
            ("ce_id", b"x"),
            ("ce_source", b"/s"),
            ("ce_type", b"t"),
            ("ce_time", b"2026-11-02T09:00:00+00:00"),
        ],
        [
            ("ce_specversion", b"1.0"),
            ("ce_id", b"\xff\xfe"),
            ("ce_source", b"/s"),
            ("ce_type", b"t"),
            ("ce_time", b"2026-11-02T09:00:00+00:00"),
        ],
        [
            ("ce_specversion", b"1.0"),
            ("ce_id", b"x"),
            ("ce_source", b"/s"),
            ("ce_type", b"t"),
            ("ce_time", b"yesterday"),
        ],
    ],
)
def test_a_record_that_is_not_a_cloudevent_is_refused_not_crashed_on(
    broken: list[tuple[str, bytes]],
) -> None:
    with pytest.raises(EnvelopeError):
        CloudEvent.from_binary(broken, b"{}")
