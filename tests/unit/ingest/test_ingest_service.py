"""Ingest's use cases on an in-memory store: what is kept, what is announced, what a corporation
learns of its signal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from cryptography.exceptions import InvalidTag

from shared.case_document import CaseDocument
from shared.crypto import PiiVault, generate_pii_key
from shared.events import CaseChanged, SignalReceived, SignalRef, signal_binding
from shared.vocabulary import ChangeKind, SignalStatus
from signal_ingest import service
from signal_ingest.domain.intake import Posted
from signal_ingest.domain.signal import SignalIn, parse_signal
from tests.signals import PII, rent_arrears
from tests.unit.ingest.fake_signals import FakeSignals

VAULT = PiiVault(generate_pii_key())
NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)


async def accept(store: FakeSignals, *posted: tuple[str, dict[str, Any]]) -> list[str]:
    batch: list[Posted] = [(source, parse_signal(raw)) for source, raw in posted]
    return [i.verdict for i in await service.accept_signals(store, batch, VAULT)]


async def test_an_accepted_signal_is_stored_with_its_event_and_no_personal_data_in_it() -> None:
    store, raw = FakeSignals(), rent_arrears(minors=2)

    assert await accept(store, ("corp", raw)) == ["accepted"]

    [event] = store.events
    received = SignalReceived.model_validate_json(event.value)
    assert (received.signal_id, received.source, received.minors) == (raw["id"], "corp", 2)
    assert event.key.decode() == received.household_pseudonym
    published = event.value + b"".join(value for _, value in event.headers)
    assert not any(pii.encode() in published for pii in PII)
    stored = store.signals[("corp", raw["id"])]
    assert not any(pii in stored.sealed_body for pii in PII)
    keys = await VAULT.households.load([received.household_pseudonym])
    opened = keys.open(stored.sealed_body, signal_binding("corp", raw["id"]))
    body: SignalIn = parse_signal(orjson.loads(opened))
    with pytest.raises(InvalidTag):  # bound to its row: it opens for no other
        keys.open(stored.sealed_body, signal_binding("corp", str(uuid.uuid4())))
    assert body == parse_signal(raw)


async def test_a_replay_is_a_duplicate_with_the_first_receipt_time_and_announced_once() -> None:
    store, signal = FakeSignals(), parse_signal(rent_arrears())
    [first] = await service.accept_signals(store, [("corp", signal)], VAULT)
    [again] = await service.accept_signals(store, [("corp", signal)], VAULT)

    assert (first.verdict, again.verdict) == ("accepted", "duplicate")
    assert again.received_at == first.received_at
    assert len(store.events) == 1


async def test_another_body_under_a_used_id_is_a_conflict_and_changes_nothing() -> None:
    store, raw = FakeSignals(), rent_arrears(amount=100.0)
    await accept(store, ("corp", raw))
    kept = store.signals[("corp", raw["id"])]

    assert await accept(store, ("corp", rent_arrears(amount=200.0, id=raw["id"]))) == ["conflict"]
    assert store.signals[("corp", raw["id"])] == kept
    assert len(store.events) == 1


async def test_the_same_id_from_another_source_is_another_signal() -> None:
    store, raw = FakeSignals(), rent_arrears()

    assert await accept(store, ("corp-a", raw), ("corp-b", raw), ("corp-a", raw)) == [
        "accepted",
        "accepted",
        "duplicate",
    ]
    assert len(store.events) == 2


async def test_a_source_sees_the_status_of_its_own_signals_only() -> None:
    store, raw = FakeSignals(), rent_arrears()
    await accept(store, ("corp", raw))

    state = await service.signal_state(store, "corp", raw["id"])
    assert state is not None and (state.id, state.status) == (raw["id"], "accepted")
    assert await service.signal_state(store, "other-corp", raw["id"]) is None


def case_changed(change: ChangeKind, refs: list[tuple[str, str]], status: SignalStatus) -> Any:
    document = CaseDocument(
        id=str(uuid.uuid4()),
        status="closed" if change == "closed" else "open",
        risk_score=40,
        priority="medium",
        reasons=[],
        team="schulden",
        respond_before=NOW,
        policy_version="test",
        opened_at=NOW,
        signals=[],
    )
    return CaseChanged(
        change=change,
        case_id=document.id,
        household_pseudonym="pseudonym",
        case=document,
        sealed_household="sealed",
        signal_refs=[SignalRef(source=s, signal_id=i) for s, i in refs],
        signal_status=status,
    )


async def test_a_closed_case_tells_its_signals_whether_they_were_picked_up() -> None:
    store, mine, other = FakeSignals(), rent_arrears(), rent_arrears()
    await accept(store, ("corp", mine), ("corp", other))

    closed = case_changed("closed", [("corp", mine["id"])], "picked_up")
    await service.apply_case_feedback(store, closed)

    assert [store.signals[("corp", raw["id"])].status for raw in (mine, other)] == [
        "picked_up",
        "accepted",
    ]


async def test_a_case_that_is_not_closed_changes_no_status() -> None:
    store, raw = FakeSignals(), rent_arrears()
    await accept(store, ("corp", raw))

    for change in ("opened", "updated", "escalated"):
        await service.apply_case_feedback(
            store, case_changed(change, [("corp", raw["id"])], "not_picked_up")
        )

    assert store.signals[("corp", raw["id"])].status == "accepted"
