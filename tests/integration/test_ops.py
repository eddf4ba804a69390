"""The ops console (CONTRACT §6) on the embedded default and on PostgreSQL + Kafka.

Counts are checked for this test's own source and households: the PostgreSQL database and the
Kafka topics are shared with other tests.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from sqlalchemy import delete, select

from notifier.tables import notifications, webhook_deliveries
from services.processes import SERVICES
from shared.settings import Settings
from signal_ingest.consumer import CONSUMER as FEEDBACK
from tests.e2e.process import eventually, free_port
from tests.harness import Harness, running
from tests.signals import PII, rent_arrears
from triage.consumer import SignalTriage
from triage.tables import cases

JSON = {"Content-Type": "application/json"}
LIVE_FIELDS = {"topic", "type", "time", "key", "source", "subject", "signal_type", "priority"}


async def summary(vs: Harness, auth: dict[str, str]) -> dict[str, Any]:
    response = await vs.client.get("/v1/ops/summary", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def open_for(body: dict[str, Any], priority: str) -> int:
    return next(r["open"] for r in body["open_cases"]["by_priority"] if r["priority"] == priority)


async def test_summary_counts_signals_cases_consumers_and_dead_letters(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        ops = await vs.key(f"ops-{unique}", "ops:read")
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        before = await summary(vs, ops)
        posted = [rent_arrears(postcode="1402 AB") for _ in range(3)]
        for signal in posted:
            assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).is_success

        body = await summary(vs, ops)
        mine = [v for v in body["signals"]["by_source"] if v["name"] == f"corp-{unique}"]
        assert mine == [{"name": f"corp-{unique}", "last_24h": 3, "last_30d": 3}]
        by_type = {v["name"]: v for v in body["signals"]["by_type"]}
        assert by_type["rent_arrears"]["last_24h"] >= 3
        assert sum(body["signals"]["by_status"].values()) >= 3
        assert isinstance(body["pipeline"]["outbox_backlog"], int)

        # Triage opens a case per household; the summary shows them under their priority.
        priority = await eventually(lambda: case_priority(vs, posted[0]), 30)

        async def counted() -> dict[str, Any] | None:
            now = await summary(vs, ops)
            return now if open_for(now, priority) >= open_for(before, priority) + 1 else None

        body = await eventually(counted, 30)
        rows = body["open_cases"]["by_priority"]
        assert [r["priority"] for r in rows][:4] == ["critical", "high", "medium", "low"]
        for row in rows:
            buckets = ("overdue", "due_today", "due_this_week", "later")
            assert sum(row[b] for b in buckets) == row["open"]
        assert body["open_cases"]["total"] == sum(r["open"] for r in rows)

        # This process's consumers report their lag, and it drains.
        async def drained() -> list[dict[str, Any]] | None:
            consumers = (await summary(vs, ops))["pipeline"]["consumers"]
            return consumers if all(c["lag"] == 0 for c in consumers) else None

        consumers = await eventually(drained, 30)
        assert {SignalTriage.CONSUMER, FEEDBACK} <= {c["name"] for c in consumers}

        # A parked notification is listed as a dead letter: ids and reasons, nothing personal.
        dead_id = f"dead-{unique}"
        await park_notification(vs, dead_id)
        try:
            dead = (await summary(vs, ops))["dead_letters"]
            assert dead["count"] >= 1 and isinstance(dead["webhook_endpoint_disabled"], bool)
            letter = next(d for d in dead["latest"] if d["id"] == dead_id)
            assert letter["case_id"] == f"case-{unique}" and letter["attempts"] == 8
            assert letter["last_error"] == "HTTP 503" and letter["dead_since"]
            assert letter["status"] == "dead"  # spent its budget, not a disabled endpoint
        finally:
            async with vs.runtime.engine.begin() as conn:
                await conn.execute(
                    delete(webhook_deliveries).where(
                        webhook_deliveries.c.notification_id == dead_id
                    )
                )
                await conn.execute(delete(notifications).where(notifications.c.id == dead_id))


async def park_notification(vs: Harness, notification_id: str) -> None:
    now = datetime.now(UTC)
    async with vs.runtime.engine.begin() as conn:
        await conn.execute(
            notifications.insert().values(
                id=notification_id,
                event_type="nl.vroegsignaal.case.opened",
                subject=notification_id.replace("dead-", "case-"),
                time=now,
                case_document="{}",
                sealed_household="sealed",
                created_at=now,
            )
        )
        await conn.execute(
            webhook_deliveries.insert().values(
                notification_id=notification_id,
                status="dead",
                attempts=8,
                started_at=now,
                next_attempt_at=None,
                last_error="HTTP 503",
                settled_at=now,
            )
        )


async def test_ops_data_needs_an_ops_read_key(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        corp = await vs.key(f"corp-{unique}", "signals:write")
        for path in ("/v1/ops/summary", "/v1/ops/stream"):
            anonymous = await vs.client.get(path)
            assert anonymous.status_code == 401
            assert anonymous.headers["content-type"] == "application/problem+json"
            wrong = await vs.client.get(path, headers={"Authorization": "Bearer nonsense"})
            assert wrong.status_code == 401
            assert (await vs.client.get(path, headers=corp)).status_code == 403
        for process in SERVICES.values():  # every process serves the console
            paths = set(process.app(vs.runtime).openapi()["paths"])
            assert {"/ops", "/v1/ops/summary", "/v1/ops/stream"} <= paths


async def test_ops_page_shows_no_data_without_a_session(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        assert (await vs.client.post("/v1/signals", json=rent_arrears(), headers=corp)).is_success
        bearer = await vs.key(f"ops-{unique}", "ops:read")
        for headers in ({}, bearer):  # a page needs a session; an API key header is not one
            page = await vs.client.get("/ops", headers=headers)
            assert page.status_code == 303 and page.headers["location"].startswith("/signin")
        form = await vs.client.get("/signin?next=/ops")
        assert "default-src 'none'" in form.headers["content-security-policy"]
        assert form.headers["cache-control"] == "no-store"
        for data in (f"corp-{unique}", *PII):
            assert data not in form.text


async def test_summary_lists_every_consumer_group_on_the_bus(stack: Settings, unique: str) -> None:
    """Groups of other processes too: a group this process does not run is listed with its lag."""
    async with running(stack) as vs:
        ops = await vs.key(f"ops-{unique}", "ops:read")
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = rent_arrears()
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).is_success
        await eventually(lambda: case_priority(vs, signal), 30)
        elsewhere = vs.runtime.bus.consumer(f"elsewhere-{unique}", ["vroegsignaal.signals.v1"])
        await elsewhere.start()
        try:
            first = (await eventually(lambda: elsewhere.fetch(1, 1.0), 30))[0]
            await elsewhere.commit([first])
        finally:
            await elsewhere.stop()
        # One more record behind its offset, on its partition (a redelivery: triage ignores it).
        await vs.runtime.bus.publish([replace(first, offset=-1)])

        async def listed() -> dict[str, Any] | None:
            groups = (await summary(vs, ops))["pipeline"]["consumer_groups"] or []
            return next((g for g in groups if g["group"] == f"elsewhere-{unique}"), None)

        group = await eventually(listed, 30)
        assert group["topic"] == "vroegsignaal.signals.v1" and group["lag"] >= 1
        names = {g["group"] for g in (await summary(vs, ops))["pipeline"]["consumer_groups"]}
        assert {SignalTriage.CONSUMER, FEEDBACK} <= names


@asynccontextmanager
async def served(vs: Harness) -> AsyncIterator[str]:
    """The harness app on a real socket: httpx's ASGI transport buffers whole responses."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(vs.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await eventually(started, 10, 0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


def pseudonym(vs: Harness, signal: dict[str, Any]) -> str:
    """The household pseudonym of a `rent_arrears()` signal: the record key on the bus."""
    return vs.runtime.vault.pseudonym(f"1402AB|{signal['household']['address']['house_number']}|")


def household_key(vs: Harness, signal: dict[str, Any]) -> str:
    """The record key as the stream shows it: 12 characters."""
    return pseudonym(vs, signal)[:12]


async def test_stream_shows_new_events_pseudonymised(stack: Settings, unique: str) -> None:
    async with running(stack) as vs, served(vs) as url, httpx.AsyncClient(timeout=30) as client:
        ops = await vs.key(f"ops-{unique}", "ops:read")
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        earlier = rent_arrears()
        assert (await vs.client.post("/v1/signals", json=earlier, headers=corp)).is_success
        await eventually(lambda: case_priority(vs, earlier), 30)  # on the bus before we connect

        async with client.stream("GET", f"{url}/v1/ops/stream", headers=ops) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert await anext(lines) == ": live"  # the tail is positioned: post now
            signal = rent_arrears()
            assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).is_success

            key, seen, events = household_key(vs, signal), [], []
            async with asyncio.timeout(30):
                async for line in lines:  # until the signal and the case it opened went by
                    seen.append(line)
                    if line.startswith("data: "):
                        events.append(json.loads(line.removeprefix("data: ")))
                    types = {e["type"].rsplit(".", 2)[-2] for e in events if e["key"] == key}
                    if types == {"signal", "case"}:
                        break

            received = next(e for e in events if e["key"] == key)
            assert set(received) == LIVE_FIELDS
            assert received == {
                **received,
                "type": "nl.vroegsignaal.signal.received",
                "topic": "vroegsignaal.signals.v1",
                "source": f"/vroegsignaal/sources/corp-{unique}",
                "subject": key,
            }
            assert not [
                e
                for e in events
                if e["key"] == household_key(vs, earlier)
                and e["topic"] == "vroegsignaal.signals.v1"
            ]  # no history
            for personal in (*PII, "HUUR-000012", "1402AB", "1402 AB", "Bussum"):
                assert personal not in "\n".join(seen)

            vs.runtime.stop.set()  # the runtime stopping ends the stream
            async with asyncio.timeout(10):
                async for _ in lines:
                    pass


async def case_priority(vs: Harness, signal: dict[str, Any]) -> str | None:
    """The priority of the household's case, once triage opened it."""
    async with vs.runtime.engine.connect() as conn:
        return await conn.scalar(
            select(cases.c.priority).where(cases.c.household_pseudonym == pseudonym(vs, signal))
        )
