"""Reading the audit API's parameters: dates, datetimes and cursors; bad ones name themselves."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from shared.audit.query import BadQuery, audit_query, decode_cursor, encode_cursor, parse_moment


def test_a_cursor_comes_back_as_the_id_it_was_made_from() -> None:
    for last_id in (0, 1, 42, 2**63 - 1):
        assert decode_cursor(encode_cursor(last_id)) == last_id


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        "abc",
        "x" * 65,
        _b64(b"[1,-1]"),
        _b64(b"[1,9223372036854775808]"),
        _b64(b"[1,1e30]"),
        _b64(b"[1,1.5]"),
        _b64(b"[2,5]"),
        _b64(b"[true,5]"),
        _b64(b"[1,true]"),
        _b64(b"[1]"),
        _b64(b'{"id":1}'),
        _b64(b'"5"'),
        _b64(b"\xff\xfe"),
        _b64(b"[1,5]").rstrip("="),
    ],
)
def test_crafted_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(BadQuery) as refused:
        decode_cursor(cursor)
    assert refused.value.field == "cursor"


def test_a_date_is_a_whole_day_in_amsterdam() -> None:
    assert parse_moment("2026-11-02", "since") == datetime(2026, 11, 1, 23, tzinfo=UTC)
    assert parse_moment("2026-11-02", "until", end=True) == datetime(2026, 11, 2, 23, tzinfo=UTC)
    assert parse_moment("2026-07-01", "since") == datetime(2026, 6, 30, 22, tzinfo=UTC)


def test_a_datetime_needs_its_offset() -> None:
    assert parse_moment("2026-11-02T09:30:00+01:00", "since") == datetime(
        2026, 11, 2, 8, 30, tzinfo=UTC
    )
    with pytest.raises(BadQuery, match="offset"):
        parse_moment("2026-11-02T09:30:00", "since")


@pytest.mark.parametrize(
    ("value", "end"),
    [
        ("yesterday", False),
        ("2026-13-01", False),
        ("9999-12-31", True),
        ("0001-01-01T00:00+14:00", False),
    ],
)
def test_unreadable_or_unrepresentable_moments_are_refused(value: str, end: bool) -> None:
    with pytest.raises(BadQuery) as refused:
        parse_moment(value, "since", end=end)
    assert refused.value.field == "since"


def test_until_must_come_after_since() -> None:
    with pytest.raises(BadQuery) as refused:
        audit_query("2026-11-02", "2026-11-01", None, None)
    assert refused.value.field == "until"
    assert audit_query("2026-11-02", "2026-11-02", None, None).until is not None
