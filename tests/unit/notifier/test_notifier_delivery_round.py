"""One webhook delivery round after another, on a fake database and `httpx.MockTransport`: what
the USD receives, and what becomes of each notification. No socket, no migration."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Collection
from dataclasses import replace
from datetime import datetime, timedelta

import httpx
import orjson
import pytest
from prometheus_client import REGISTRY

from notifier.channels.webhook import PayloadBuilder, WebhookChannel, WebhookSender
from notifier.domain.delivery import DeliveryStatus, RetryPolicy
from notifier.domain.notification import StoredNotification
from notifier.service import WebhookRound, deliver_webhooks
from shared.crypto import PiiVault, generate_pii_key
from shared.envelope import KeySet, MemoryHouseholdKeys
from shared.events import case_binding
from shared.keys import generate_webhook_secret
from tests.unit.notifier.fakes import (
    HOUSEHOLD,
    START,
    VAULT,
    Clock,
    FakeDatabase,
    FakeUsd,
    TopOfRange,
    stored_notification,
)

URL = "https://usd.example.nl/hooks/vroegsignaal"
SOURCE = "/vroegsignaal/notifier"
DEFAULT = RetryPolicy()
FAR_FUTURE = "9999-12-31T23:59:59-14:00"
"""A moment that exists with its offset but not in UTC (CONTRACT §2 refuses it at ingest)."""


@pytest.fixture
def usd() -> FakeUsd:
    return FakeUsd(generate_webhook_secret())


@pytest.fixture
async def channel(usd: FakeUsd) -> AsyncIterator[WebhookChannel]:
    async with httpx.MockTransport(usd) as transport:
        sender = WebhookSender(transport, URL, usd.secret, SOURCE)
        yield WebhookChannel(sender, PayloadBuilder(VAULT, "full", "https://vs.example.nl"))


async def one_round(
    db: FakeDatabase, channel: WebhookChannel, clock: Clock, policy: RetryPolicy = DEFAULT
) -> WebhookRound:
    return await deliver_webhooks(db, channel, policy, batch_size=16, clock=clock, rng=TopOfRange())


async def until_settled(
    db: FakeDatabase, channel: WebhookChannel, clock: Clock, policy: RetryPolicy = DEFAULT
) -> list[float]:
    """Rounds, jumping the clock to each next due time; the waits between attempts in seconds."""
    waits = []
    for _ in range(500):
        done = await one_round(db, channel, clock, policy)
        if done.next_due is None or not db.pending():
            return waits
        waits.append((done.next_due - clock.now).total_seconds())
        clock.now = done.next_due
    raise AssertionError("never settled")


async def test_a_2xx_delivers_a_signed_cloudevent(channel: WebhookChannel, usd: FakeUsd) -> None:
    note = stored_notification("escalated")
    db, clock = FakeDatabase(note), Clock()

    done = await one_round(db, channel, clock)

    assert (done.claimed, done.delivered, done.endpoint_disabled) == (1, 1, False)
    assert db.states[note.id].status is DeliveryStatus.DELIVERED
    [(request, event)] = usd.received  # FakeUsd verified the signature with standardwebhooks
    assert request.headers["content-type"] == "application/cloudevents+json"
    assert request.headers["webhook-signature"].startswith("v1,")
    assert event["id"] == request.headers["webhook-id"] == note.id
    assert event["type"] == "nl.vroegsignaal.case.escalated"
    assert event["subject"] == note.subject
    assert event["data"] == {"id": note.subject, "priority": "high", "household": HOUSEHOLD}
    assert [(d.attempts, r.status_code) for d, r in db.attempts] == [(1, 200)]


async def test_a_5xx_is_retried_with_a_growing_backoff_under_one_webhook_id(
    channel: WebhookChannel, usd: FakeUsd
) -> None:
    usd.replies = [httpx.Response(503)] * 4
    note = stored_notification()
    db, clock = FakeDatabase(note), Clock()

    waits = await until_settled(db, channel, clock)

    assert waits == [1.0, 2.0, 4.0, 8.0]  # full jitter at its cap: base x 2^(n-1)
    assert (db.states[note.id].status, db.states[note.id].attempts) == ("delivered", 5)
    assert {r.headers["webhook-id"] for r, _ in usd.received} == {note.id}
    assert {e["id"] for _, e in usd.received} == {note.id}
    timestamps = [int(r.headers["webhook-timestamp"]) for r, _ in usd.received]
    assert timestamps == sorted(timestamps)  # signed afresh for every attempt


async def test_retry_after_is_honoured_beyond_our_own_backoff(
    channel: WebhookChannel, usd: FakeUsd
) -> None:
    usd.replies = [httpx.Response(503, headers={"Retry-After": "7200"})]
    note = stored_notification()
    db, clock = FakeDatabase(note), Clock()

    done = await one_round(db, channel, clock)

    assert done.next_due == START + timedelta(hours=2)  # past the 15-minute max_delay
    assert db.states[note.id].last_error == "HTTP 503"
    clock.advance(7199)
    assert (await one_round(db, channel, clock)).claimed == 0  # not a second early
    clock.advance(1)
    assert (await one_round(db, channel, clock)).delivered == 1


async def test_410_disables_the_endpoint_and_parks_what_follows(
    channel: WebhookChannel, usd: FakeUsd
) -> None:
    usd.replies = [httpx.Response(410)]
    gone, later = stored_notification(), stored_notification()
    db, clock = FakeDatabase(gone), Clock()

    done = await one_round(db, channel, clock)

    assert done.endpoint_disabled and done.next_due is None
    assert db.states[gone.id].status is DeliveryStatus.ENDPOINT_DISABLED
    assert db.states[gone.id].last_error == "HTTP 410"
    assert db.disabled == {channel.endpoint}
    db.add(later)
    parked = await one_round(db, channel, clock)
    assert (parked.claimed, parked.endpoint_disabled) == (0, True)
    assert len(usd.received) == 1  # nothing posted while the endpoint is disabled


async def test_the_retry_budget_ends_in_a_dead_letter(
    channel: WebhookChannel, usd: FakeUsd
) -> None:
    usd.then = lambda: httpx.Response(500)
    note = stored_notification()
    db, clock = FakeDatabase(note), Clock()
    policy = RetryPolicy(max_delay=timedelta(seconds=20), budget=timedelta(minutes=2))

    await until_settled(db, channel, clock, policy)

    dead = db.states[note.id]
    assert (dead.status, dead.last_error, dead.next_attempt_at) == ("dead", "HTTP 500", None)
    assert dead.attempts == len(usd.received) > 3
    assert clock.now - START <= policy.budget
    assert {r.headers["webhook-id"] for r, _ in usd.received} == {note.id}


async def test_an_attempt_is_cut_off_after_its_timeout(usd: FakeUsd) -> None:
    async def never_answers(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    note = stored_notification()
    db, clock = FakeDatabase(note), Clock()
    async with httpx.MockTransport(never_answers) as transport:
        sender = WebhookSender(transport, URL, usd.secret, SOURCE)
        payloads = PayloadBuilder(VAULT, "full", "https://vs.example.nl")
        slow = WebhookChannel(sender, payloads, concurrency=2, attempt_timeout_s=0.01)
        await one_round(db, slow, clock)

    assert (db.states[note.id].status, db.states[note.id].last_error) == ("pending", "timeout")
    assert slow.lease(16) == timedelta(seconds=8 * 0.01) + timedelta(seconds=30)


async def test_a_notification_that_cannot_be_built_is_a_dead_letter_at_once_not_a_stop(
    channel: WebhookChannel, usd: FakeUsd, caplog: pytest.LogCaptureFixture
) -> None:
    broken = replace(stored_notification(), sealed_household="not sealed")
    beyond_utc = replace(stored_notification(), time=datetime.fromisoformat(FAR_FUTURE))
    fine = stored_notification()
    db, clock = FakeDatabase(broken, beyond_utc, fine), Clock()
    alerts_before = unsendable_count()

    await one_round(db, channel, clock)

    for poison in (broken, beyond_utc):
        state = db.states[poison.id]
        assert (state.status, state.attempts) == (DeliveryStatus.DEAD, 1)
        assert (state.last_error or "").startswith("unsendable: ")
    assert db.states[beyond_utc.id].last_error == "unsendable: OverflowError"
    assert db.states[fine.id].status is DeliveryStatus.DELIVERED
    assert [json.loads(r.content)["id"] for r, _ in usd.received] == [fine.id]
    assert unsendable_count() == alerts_before + 2
    assert "ERROR" in {r.levelname for r in caplog.records if beyond_utc.id in r.getMessage()}


async def test_a_dead_poison_pill_stays_out_of_the_rounds_after_a_restart(
    usd: FakeUsd, channel: WebhookChannel
) -> None:
    poison = replace(stored_notification(), time=datetime.fromisoformat(FAR_FUTURE))
    db, clock = FakeDatabase(poison), Clock()
    await one_round(db, channel, clock)
    behind = stored_notification()
    db.add(behind)

    async with httpx.MockTransport(usd) as transport:
        sender = WebhookSender(transport, URL, usd.secret, SOURCE)
        restarted = WebhookChannel(sender, PayloadBuilder(VAULT, "full", "https://vs.example.nl"))
        done = await one_round(db, restarted, clock)

    assert (done.claimed, done.delivered) == (1, 1)
    assert [json.loads(r.content)["id"] for r, _ in usd.received] == [behind.id]
    assert db.states[poison.id].status is DeliveryStatus.DEAD


def unsendable_count() -> float:
    return REGISTRY.get_sample_value("vs_webhook_unsendable_total") or 0.0


class CountingKeys(MemoryHouseholdKeys):
    """A key store that counts its loads, and fails them while `away`."""

    def __init__(self) -> None:
        super().__init__(VAULT.open)
        self.loads: list[set[str]] = []
        self.away = False

    async def load(self, pseudonyms: Collection[str]) -> KeySet:
        if self.away:
            raise ConnectionRefusedError("key store away")
        self.loads.append(set(pseudonyms))
        return await super().load(pseudonyms)


async def household_notifications(keys: CountingKeys, count: int) -> list[StoredNotification]:
    made = []
    for i in range(count):
        n = stored_notification()
        sealed = (await keys.ensure([f"p{i}"])).seal(
            f"p{i}", orjson.dumps(HOUSEHOLD), case_binding(n.subject)
        )
        made.append(replace(n, sealed_household=sealed))
    return made


async def test_a_round_loads_its_household_keys_once_and_an_erased_one_fails_alone(
    usd: FakeUsd,
) -> None:
    keys = CountingKeys()
    made = await household_notifications(keys, 5)
    await keys.destroy(["p3"])
    keys.loads.clear()
    vault = PiiVault(generate_pii_key())
    vault.households = keys
    async with httpx.MockTransport(usd) as transport:
        sender = WebhookSender(transport, URL, usd.secret, SOURCE)
        channel = WebhookChannel(sender, PayloadBuilder(vault, "full", "https://vs.example.nl"))
        db = FakeDatabase(*made)
        done = await one_round(db, channel, Clock())

    assert keys.loads == [{f"p{i}" for i in range(5)}]
    assert (done.claimed, done.delivered) == (5, 4)
    assert db.states[made[3].id].last_error == "unsendable: MissingHouseholdKey"
    households = [json.loads(r.content)["data"]["household"] for r, _ in usd.received]
    assert households == [HOUSEHOLD] * 4


async def test_a_round_whose_key_load_fails_makes_each_notification_unsendable(
    usd: FakeUsd,
) -> None:
    keys = CountingKeys()
    made = await household_notifications(keys, 3)
    keys.away = True
    vault = PiiVault(generate_pii_key())
    vault.households = keys
    async with httpx.MockTransport(usd) as transport:
        sender = WebhookSender(transport, URL, usd.secret, SOURCE)
        channel = WebhookChannel(sender, PayloadBuilder(vault, "full", "https://vs.example.nl"))
        db = FakeDatabase(*made)
        done = await one_round(db, channel, Clock())

    assert (done.claimed, done.delivered) == (3, 0)
    assert usd.received == []
    errors = {db.states[n.id].last_error for n in made}
    assert errors == {"unsendable: ConnectionRefusedError"}
