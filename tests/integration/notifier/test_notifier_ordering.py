"""A case's notifications reach the USD in order, and a claim is posted within its lease."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.channels.lanes import LaneTransport
from notifier.channels.webhook import LEASE_MARGIN
from notifier.consumer import CaseEventConsumer
from notifier.domain.delivery import Delivery, DeliveryStatus, RetryPolicy
from notifier.repository import NotificationRepository
from notifier.service import list_notifications
from notifier.workers import ROUNDS_PER_CLAIM
from services.schema import upgrade
from shared.crypto import PiiVault
from shared.db import create_engine
from tests.conftest import SettingsFactory
from tests.integration.notifier.notifier_env import (
    FAST,
    case_event,
    case_story,
    eventually,
    notifier_running,
    publish,
    settled,
    webhook_worker,
)

OPENED, UPDATED, CLOSED = (f"nl.vroegsignaal.case.{c}" for c in ("opened", "updated", "closed"))
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


@pytest.fixture
async def engine(make_settings: SettingsFactory) -> AsyncIterator[AsyncEngine]:
    settings = make_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(settings.resolved_database_url)
    engine = create_engine(settings.resolved_database_url)
    yield engine
    await engine.dispose()


async def test_a_case_reaches_the_usd_in_order_when_opened_needs_a_retry(
    make_settings: SettingsFactory, webhook_receiver: Any, reply: Any
) -> None:
    endpoint = webhook_receiver.endpoint(replies=[reply(503)], then=reply(200))
    settings = make_settings(usd_webhook_url=endpoint.url, usd_webhook_secret=endpoint.secret)
    async with notifier_running(settings) as runtime:
        opened, updated, closed = story = case_story(runtime.vault)
        await publish(runtime, *story)
        states = await settled(runtime, {e.id for e in story})

    assert [states[e.id] for e in story] == [("delivered", 2), ("delivered", 1), ("delivered", 1)]
    assert [r.event["type"] for r in endpoint.received] == [OPENED, OPENED, UPDATED, CLOSED]
    assert [r.headers["webhook-id"] for r in endpoint.received] == [
        opened.id,
        opened.id,
        updated.id,
        closed.id,
    ]


async def test_only_the_oldest_pending_change_of_a_case_is_claimed(
    make_settings: SettingsFactory, engine: AsyncEngine
) -> None:
    settings = make_settings()
    vault = PiiVault(settings.pii_key or "")
    opened, updated, closed = case_story(vault)
    other = case_event(vault)
    record = CaseEventConsumer(settings, clock=lambda: NOW)  # a clock that stands still
    async with engine.begin() as conn:
        await record(conn, [opened.event])
        await record(conn, [updated.event, closed.event, other.event])
    claims: dict[str, Delivery] = {}

    async def claim(at: datetime) -> set[str]:
        async with engine.begin() as conn:
            claimed = await NotificationRepository(conn).claim_due("webhook", at, 10, LEASE)
        claims.update((d.notification_id, d) for d in claimed)
        return {d.notification_id for d in claimed}

    async def settle(notification_id: str, at: datetime, status: DeliveryStatus) -> None:
        claimed = claims[notification_id]
        after = replace(claimed, status=status, attempts=1, next_attempt_at=None)
        async with engine.begin() as conn:
            await NotificationRepository(conn).save_states(
                "webhook", [(after, claimed.attempts)], at
            )

    soon = NOW + timedelta(seconds=1)
    assert await claim(soon) == {opened.id, other.id}
    async with engine.connect() as conn:
        # `updated` is due but waits behind `opened`: the next due time is opened's lease end.
        assert await NotificationRepository(conn).next_due("webhook") == soon + LEASE
    assert await claim(soon + timedelta(seconds=1)) == set()  # opened still in flight

    await settle(opened.id, soon, DeliveryStatus.DEAD)  # dead: ops replay it; the rest go on
    assert await claim(soon + timedelta(seconds=2)) == {updated.id}
    assert await claim(soon + timedelta(seconds=3)) == set()
    await settle(updated.id, soon, DeliveryStatus.DELIVERED)
    assert await claim(soon + timedelta(seconds=4)) == {closed.id}


def scaled_clock(factor: float) -> Callable[[], datetime]:
    """Time running `factor` times faster than the wall clock: a minute's lease in a blink."""
    start, origin = datetime.now(UTC), time.monotonic()
    return lambda: start + timedelta(seconds=(time.monotonic() - origin) * factor)


async def test_a_slow_usd_never_gets_a_claimed_notification_twice(
    make_settings: SettingsFactory, engine: AsyncEngine, webhook_receiver: Any, reply: Any
) -> None:
    """Two workers, an USD that takes 10 s (scaled) per answer: every claim is posted well
    within its lease, so the other worker never takes a delivery over and posts it again."""
    endpoint = webhook_receiver.endpoint(then=reply(200, delay=0.1))
    settings = make_settings(usd_webhook_url=endpoint.url, usd_webhook_secret=endpoint.secret)
    vault = PiiVault(settings.pii_key or "")
    cases = [case_event(vault) for _ in range(96)]
    async with engine.begin() as conn:
        await CaseEventConsumer(settings)(conn, [c.event for c in cases])
    clock = scaled_clock(100)  # 0.1 s real = 10 s for the workers and their leases

    stop = asyncio.Event()
    async with LaneTransport(8) as client:
        workers = [
            webhook_worker(
                engine,
                client,
                endpoint,
                vault,
                settings,
                FAST,
                poll_s=0.05,
                clock=clock,
            )
            for _ in range(2)
        ]
        runs = [asyncio.create_task(worker.run(stop)) for worker in workers]

        async def all_delivered() -> None:
            async with engine.connect() as conn:
                delivered = await list_notifications(conn, DeliveryStatus.DELIVERED, 1000)
            assert len(delivered) == len(cases)

        await eventually(all_delivered, 20)
        stop.set()
        await asyncio.gather(*runs)

    sent = Counter(r.headers["webhook-id"] for r in endpoint.received)
    assert set(sent) == {c.id for c in cases}
    assert max(sent.values()) == 1


async def test_an_attempt_is_cut_off_after_the_attempt_timeout(
    make_settings: SettingsFactory, engine: AsyncEngine, webhook_receiver: Any, reply: Any
) -> None:
    """httpx's timeouts are per operation; the worker bounds the whole attempt, which the lease
    is sized from."""
    endpoint = webhook_receiver.endpoint(then=reply(200, delay=1.0))
    settings = make_settings(usd_webhook_url=endpoint.url, usd_webhook_secret=endpoint.secret)
    vault = PiiVault(settings.pii_key or "")
    case = case_event(vault)
    async with engine.begin() as conn:
        await CaseEventConsumer(settings)(conn, [case.event])
    patient = RetryPolicy(base_delay=timedelta(minutes=1), max_delay=timedelta(minutes=1))
    async with LaneTransport(8) as client:
        worker = webhook_worker(
            engine,
            client,
            endpoint,
            vault,
            settings,
            patient,
            concurrency=2,
            attempt_timeout_s=0.1,
        )
        started = time.monotonic()
        await worker.deliver_due()  # one round
        took = time.monotonic() - started

    assert took < 0.8
    # A claim of ROUNDS_PER_CLAIM x concurrency, posted within its lease whatever the USD does.
    assert worker.lease == ROUNDS_PER_CLAIM * timedelta(seconds=0.1) + LEASE_MARGIN
    async with engine.connect() as conn:
        [state] = await list_notifications(conn, None, 10)
    assert (state.status, state.attempts, state.last_error) == ("pending", 1, "timeout")
