"""The rules of accepting a signal: a replay is a duplicate, a reused id with another body is a
conflict, and the body is recognised whatever its key order or spacing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from signal_ingest.domain.intake import Posted, Receipt, body_hash, judge, signal_key
from signal_ingest.domain.signal import parse_signal
from tests.signals import rent_arrears

EARLIER = datetime(2026, 11, 2, 9, tzinfo=UTC)
NOW = EARLIER + timedelta(hours=1)


def test_the_body_hash_ignores_key_order_and_spacing_but_not_content() -> None:
    raw = rent_arrears()
    shuffled = json.loads(json.dumps(dict(reversed(list(raw.items()))), indent=2))
    changed = {**raw, "details": {**raw["details"], "amount_eur": 1380.51}}

    assert body_hash(parse_signal(shuffled)) == body_hash(parse_signal(raw))
    assert body_hash(parse_signal(changed)) != body_hash(parse_signal(raw))


def test_a_newly_stored_signal_is_accepted() -> None:
    signal = parse_signal(rent_arrears())
    key = signal_key("corp", signal)
    digest = body_hash(signal)

    [intake] = judge([("corp", signal)], [digest], {key}, {key: Receipt(digest, NOW)})

    assert (intake.id, intake.verdict, intake.received_at) == (str(signal.id), "accepted", NOW)


def test_the_same_body_again_is_a_duplicate_answered_with_the_first_receipt_time() -> None:
    signal = parse_signal(rent_arrears())
    digest = body_hash(signal)

    [intake] = judge(
        [("corp", signal)], [digest], set(), {signal_key("corp", signal): Receipt(digest, EARLIER)}
    )

    assert (intake.verdict, intake.received_at) == ("duplicate", EARLIER)


def test_the_same_id_with_another_body_is_a_conflict() -> None:
    raw = rent_arrears()
    stored = parse_signal(raw)
    other = parse_signal({**raw, "details": {"amount_eur": 5.0}})
    receipt = Receipt(body_hash(stored), EARLIER)

    [intake] = judge(
        [("corp", other)], [body_hash(other)], set(), {signal_key("corp", other): receipt}
    )

    assert intake.verdict == "conflict"


def test_a_signal_posted_twice_in_one_write_is_accepted_once() -> None:
    raw = rent_arrears()
    first, again = parse_signal(raw), parse_signal(raw)
    other = parse_signal({**raw, "details": {"amount_eur": 5.0}})
    posted: list[Posted] = [("corp", first), ("corp", again), ("corp", other)]
    key = signal_key("corp", first)
    digests = [body_hash(signal) for _, signal in posted]

    outcome = judge(posted, digests, {key}, {key: Receipt(digests[0], NOW)})

    assert [intake.verdict for intake in outcome] == ["accepted", "duplicate", "conflict"]
