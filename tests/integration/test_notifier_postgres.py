"""The notifier on real PostgreSQL: several delivery workers never send a notification twice, and
never a case's changes out of order."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.engine import make_url

from notifier.channels.lanes import LaneTransport
from notifier.consumer import CaseEventConsumer
from notifier.domain.delivery import Delivery, DeliveryStatus
from notifier.repository import NotificationRepository
from notifier.service import list_notifications
from services import dlq
from services.schema import upgrade
from shared.crypto import PiiVault
from shared.db import create_engine
from tests.conftest import SettingsFactory
from tests.integration.notifier.conftest import Reply, WebhookReceiver
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

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def usd() -> Iterator[WebhookReceiver]:
    """The unit tests' verifying webhook receiver, served by uvicorn in a thread."""
    receiver = WebhookReceiver()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    receiver.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(receiver.app, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield receiver
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
async def own_database(pg_url: str, unique: str) -> AsyncIterator[str]:
    """A database of this test's own: workers claim whatever is due, so no one else's rows."""
    url = make_url(pg_url)
    name = f"vs_notifier_{unique}"
    server = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )
    try:
        await server.execute(f'CREATE DATABASE "{name}"')
        own = url.set(database=name).render_as_string(hide_password=False)
        await upgrade(own)
        yield own
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()


async def test_two_workers_never_send_the_same_notification(
    make_settings: SettingsFactory, own_database: str, usd: WebhookReceiver
) -> None:
    endpoint = usd.endpoint(then=Reply(200, delay=0.005))
    settings = make_settings(
        database_url=own_database, usd_webhook_url=endpoint.url, usd_webhook_secret=endpoint.secret
    )
    vault = PiiVault(settings.pii_key or "")
    cases = [case_event(vault) for _ in range(300)]
    engines = [create_engine(own_database) for _ in range(2)]
    recorder = CaseEventConsumer(settings)
    async with engines[0].begin() as conn:
        await recorder(conn, [case.event for case in cases])

    stop = asyncio.Event()
    async with LaneTransport(8) as one, LaneTransport(8) as two:
        workers = [
            webhook_worker(
                engine,
                client,
                endpoint,
                vault,
                settings,
                FAST,
                batch_size=20,
            )
            for engine, client in zip(engines, (one, two), strict=True)
        ]
        runs = [asyncio.create_task(worker.run(stop)) for worker in workers]

        def all_delivered() -> None:
            assert sum(worker.delivered for worker in workers) == len(cases)

        await eventually(all_delivered, 30)
        stop.set()
        await asyncio.gather(*runs)
    for engine in engines:
        await engine.dispose()

    sent = Counter(r.headers["webhook-id"] for r in endpoint.received)
    assert set(sent) == {case.id for case in cases}
    assert max(sent.values()) == 1
    assert all(worker.delivered > 0 for worker in workers)  # both took part


async def test_two_workers_keep_each_case_in_order(
    make_settings: SettingsFactory, own_database: str, usd: WebhookReceiver
) -> None:
    failing = 20  # the first answers are 503s: some `opened` (and later) need a retry
    endpoint = usd.endpoint(replies=[Reply(503)] * failing, then=Reply(200, delay=0.003))
    settings = make_settings(
        database_url=own_database, usd_webhook_url=endpoint.url, usd_webhook_secret=endpoint.secret
    )
    vault = PiiVault(settings.pii_key or "")
    stories = [case_story(vault) for _ in range(40)]
    rank = {case.id: position for story in stories for position, case in enumerate(story)}
    engine = create_engine(own_database)
    async with engine.begin() as conn:  # every case's later changes are due at once
        await CaseEventConsumer(settings)(
            conn, [story[i].event for i in range(3) for story in stories]
        )

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
                concurrency=4,
            )
            for _ in range(2)
        ]
        runs = [asyncio.create_task(worker.run(stop)) for worker in workers]

        def all_delivered() -> None:
            assert sum(worker.delivered for worker in workers) == len(rank)

        await eventually(all_delivered, 30)
        stop.set()
        await asyncio.gather(*runs)
    await engine.dispose()

    by_case: dict[str, list[int]] = {}
    for request in endpoint.received:
        by_case.setdefault(request.event["subject"], []).append(rank[request.headers["webhook-id"]])
    assert len(by_case) == len(stories)
    # No change goes out before the one before it was delivered: retries of `opened` included.
    assert all(sequence == sorted(sequence) for sequence in by_case.values())
    delivered = Counter(r.headers["webhook-id"] for r in endpoint.received[failing:])
    assert set(delivered) == set(rank) and max(delivered.values()) == 1


async def test_gone_and_replay_on_postgres(
    make_settings: SettingsFactory, own_database: str, usd: WebhookReceiver
) -> None:
    endpoint = usd.endpoint(then=Reply(410))
    settings = make_settings(
        database_url=own_database, usd_webhook_url=endpoint.url, usd_webhook_secret=endpoint.secret
    )
    async with notifier_running(settings) as runtime:
        gone, parked = case_event(runtime.vault), case_event(runtime.vault)
        await publish(runtime, gone)
        assert (await settled(runtime, {gone.id}))[gone.id] == ("endpoint_disabled", 1)
        await publish(runtime, parked, gone)  # `gone` again: a redelivery, not a new notification
        endpoint.then = Reply(200)
        assert await dlq.replay(settings, None, replay_all=True) == 0
        states = await settled(runtime, {gone.id, parked.id})

    assert states == {gone.id: ("delivered", 1), parked.id: ("delivered", 1)}
    assert sorted(r.headers["webhook-id"] for r in endpoint.received) == sorted(
        [gone.id, gone.id, parked.id]
    )


async def test_a_round_writes_its_states_only_while_its_claim_holds(
    make_settings: SettingsFactory, own_database: str
) -> None:
    """The round's states go in one statement on PostgreSQL, each still guarded by the attempts
    it was claimed at; a replay's states (no count) are written whatever the row says."""
    settings = make_settings(database_url=own_database)
    vault = PiiVault(settings.pii_key or "")
    first, second = case_event(vault), case_event(vault)
    engine = create_engine(own_database)
    try:
        async with engine.begin() as conn:
            await CaseEventConsumer(settings)(conn, [first.event, second.event])
        now = datetime.now(UTC) + timedelta(seconds=1)
        async with engine.begin() as conn:
            claimed = await NotificationRepository(conn).claim_due(
                "webhook", now, 10, timedelta(minutes=1)
            )
        assert {d.notification_id for d in claimed} == {first.id, second.id}

        def state(d: Delivery, status: DeliveryStatus) -> Delivery:
            return replace(d, status=status, attempts=d.attempts + 1, next_attempt_at=None)

        async def save(states: list[tuple[Delivery, int | None]]) -> dict[str, tuple[str, int]]:
            async with engine.begin() as conn:
                await NotificationRepository(conn).save_states("webhook", states, now)
                found = await list_notifications(conn, None, 10)
            return {n.id: (n.status, n.attempts) for n in found}

        delivered = await save([(state(d, DeliveryStatus.DELIVERED), d.attempts) for d in claimed])
        assert delivered == {first.id: ("delivered", 1), second.id: ("delivered", 1)}

        stale = await save([(state(d, DeliveryStatus.DEAD), d.attempts) for d in claimed])
        assert stale == delivered  # the claim ended with the first save: nothing changes

        replayed = replace(claimed[0], status=DeliveryStatus.PENDING, attempts=0)
        after = await save([(replayed, None)])
        assert after[replayed.notification_id] == ("pending", 0)
    finally:
        await engine.dispose()


async def test_a_claim_first_planned_on_empty_tables_still_claims_once_they_fill(
    make_settings: SettingsFactory, own_database: str
) -> None:
    """Found in the national-month bench: after a few claims on tables analysed while empty
    (as autovacuum leaves them after a purge or a truncation) PostgreSQL kept a generic plan of
    nested loops over sequential scans, so claiming from 741 pending deliveries ran 44 s on one
    core and the notifiers went quiet for as long. A claim must not depend on when its plan was
    made."""
    settings = make_settings(database_url=own_database)
    vault = PiiVault(settings.pii_key or "")
    engine = create_engine(own_database, pool_size=1)  # one connection: its statements are reused
    lease, far = timedelta(minutes=1), datetime.now(UTC) + timedelta(days=1)
    try:
        async with engine.begin() as conn:  # as autovacuum leaves tables it saw empty
            await conn.execute(text("ANALYZE notifications, webhook_deliveries"))
        for _ in range(10):  # past the 5 custom plans after which a generic one may be kept
            async with engine.begin() as conn:
                assert (
                    await NotificationRepository(conn).claim_due(
                        "webhook", far, 50, lease, unless_disabled="usd"
                    )
                    == []
                )
        stories = [case_story(vault, ("opened", "updated")) for _ in range(600)]
        async with engine.begin() as conn:
            await CaseEventConsumer(settings)(conn, [e.event for story in stories for e in story])
        async with engine.begin() as conn:
            await conn.execute(text("SET LOCAL statement_timeout = '20s'"))
            claimed = await NotificationRepository(conn).claim_due(
                "webhook", far, 100, lease, unless_disabled="usd"
            )
    finally:
        await engine.dispose()
    opened = {story[0].id for story in stories}
    assert len(claimed) == 100 and {d.notification_id for d in claimed} <= opened
