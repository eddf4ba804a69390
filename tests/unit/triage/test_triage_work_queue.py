"""The work queue's cursor: only what the API gave out is accepted; anything else is a 422
(BadCursor), never a database error."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson
import pytest

from triage.work_queue import BadCursor, QueuePosition


def crafted(parts: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(parts)).decode()


def test_a_cursor_round_trips() -> None:
    at = datetime(2026, 11, 11, 16, 0, tzinfo=UTC)
    position = QueuePosition(-3, at, 85, "c1")
    assert QueuePosition.decode(position.encode()) == position


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "",
        crafted([-3, "2026-11-11T17:00:00", 85, "c1"]),  # naive
        crafted([-3, "9999-12-31T23:59:59-14:00", 85, "c1"]),  # overflows in UTC
        crafted([-3, "not a time", 85, "c1"]),
        crafted([1e19, "2026-11-11T17:00:00+01:00", 85, "c1"]),
        base64.urlsafe_b64encode(
            b'[10000000000000000000, "2026-11-11T17:00:00+01:00", 1, "c"]'
        ).decode(),
        crafted([-4, "2026-11-11T17:00:00+01:00", 85, "c1"]),  # no such priority
        crafted([True, "2026-11-11T17:00:00+01:00", 85, "c1"]),
        crafted([-3, "2026-11-11T17:00:00+01:00", 101, "c1"]),  # no such score
        crafted([-3, "2026-11-11T17:00:00+01:00", 85.5, "c1"]),
        crafted([-3, "2026-11-11T17:00:00+01:00", "c1"]),  # the old shape, without the score
        crafted({"rank": -3}),
        crafted([-3, "2026-11-11T17:00:00+01:00", 85, "c" * 37]),
        crafted([-3, 1731340800, 85, "c1"]),
        crafted([-3, "2026-11-11T17:00:00+01:00", 85, "c\x00"]),  # PostgreSQL text: no NUL
    ],
)
def test_a_malformed_or_crafted_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursor):
        QueuePosition.decode(cursor)
