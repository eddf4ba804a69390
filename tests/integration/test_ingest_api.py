"""CONTRACT §1–2 as a corporation sees it, on the embedded default and on PostgreSQL + Kafka."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shared.settings import Settings
from tests.harness import running
from tests.signals import PII, rent_arrears

JSON = {"Content-Type": "application/json"}


async def test_new_signal_is_accepted_then_replayed_then_conflicts(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = rent_arrears()
        first = await vs.client.post("/v1/signals", json=signal, headers=auth)
        assert first.status_code == 202
        body = first.json()
        assert body["id"] == signal["id"] and body["status"] == "accepted"
        assert body["links"] == {"self": f"/v1/signals/{signal['id']}"}

        again = await vs.client.post("/v1/signals", json=signal, headers=auth)
        assert again.status_code == 200
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == body

        changed = {**signal, "details": {"amount_eur": 99.0}}
        conflict = await vs.client.post("/v1/signals", json=changed, headers=auth)
        assert conflict.status_code == 409
        assert conflict.headers["content-type"] == "application/problem+json"

        status = await vs.client.get(f"/v1/signals/{signal['id']}", headers=auth)
        assert status.json() == {
            "id": signal["id"],
            "type": "rent_arrears",
            "received_at": body["received_at"],
            "status": "accepted",
        }


async def test_invalid_signal_names_every_field_and_stores_nothing(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = rent_arrears(amount=-5)
        signal["household"]["address"]["postcode"] = "ABCD 12"
        response = await vs.client.post("/v1/signals", json=signal, headers=auth)
        assert response.status_code == 422
        problem = response.json()
        assert problem["status"] == 422 and problem["title"]
        assert {e["field"] for e in problem["errors"]} == {
            "details.amount_eur",
            "household.address.postcode",
        }
        missing = await vs.client.get(f"/v1/signals/{signal['id']}", headers=auth)
        assert missing.status_code == 404


async def test_keys_scopes_and_sources(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        writer = {**JSON, **await vs.key(f"corp-a-{unique}", "signals:write")}
        other = {**JSON, **await vs.key(f"corp-b-{unique}", "signals:write")}
        reader = {**JSON, **await vs.key(f"usd-{unique}", "cases:read")}
        signal = rent_arrears()
        assert (await vs.client.post("/v1/signals", json=signal, headers=JSON)).status_code == 401
        bogus = {**JSON, "Authorization": "Bearer vs_nope_nope"}
        assert (await vs.client.post("/v1/signals", json=signal, headers=bogus)).status_code == 401
        assert (await vs.client.post("/v1/signals", json=signal, headers=reader)).status_code == 403
        assert (await vs.client.post("/v1/signals", json=signal, headers=writer)).status_code == 202
        # Another corporation cannot even learn that the id exists.
        response = await vs.client.get(f"/v1/signals/{signal['id']}", headers=other)
        assert response.status_code == 404


async def test_batch_reports_each_item_in_input_order(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        known = rent_arrears()
        await vs.client.post("/v1/signals", json=known, headers=auth)
        fresh, broken = rent_arrears(), rent_arrears(amount=0)
        items: list[dict[str, Any]] = [fresh, known, broken, {**fresh}]
        response = await vs.client.post("/v1/signals/batch", json={"signals": items}, headers=auth)
        assert response.status_code == 200
        results = response.json()["results"]
        assert [(r["id"], r["status"]) for r in results] == [
            (fresh["id"], "accepted"),
            (known["id"], "duplicate"),
            (broken["id"], "rejected"),
            (fresh["id"], "duplicate"),
        ]
        assert results[2]["errors"][0]["field"] == "details.amount_eur"
        stored = await vs.client.get(f"/v1/signals/{fresh['id']}", headers=auth)
        assert stored.json()["status"] == "accepted"


async def test_batch_size_limits(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        empty = await vs.client.post("/v1/signals/batch", json={"signals": []}, headers=auth)
        assert empty.status_code == 422
        assert empty.json()["errors"][0]["field"] == "signals"
        too_many = [{"id": str(i)} for i in range(1001)]
        response = await vs.client.post(
            "/v1/signals/batch", json={"signals": too_many}, headers=auth
        )
        assert response.status_code == 422


async def test_oversized_and_non_json_bodies(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        auth = await vs.key(f"corp-{unique}", "signals:write")
        huge = b'{"signals": [' + b'"x",' * 300_000 + b'"x"]}'
        response = await vs.client.post("/v1/signals/batch", content=huge, headers={**auth, **JSON})
        assert response.status_code == 413
        text = await vs.client.post(
            "/v1/signals", content=b"id=1", headers={**auth, "Content-Type": "text/plain"}
        )
        assert text.status_code == 415
        broken = await vs.client.post("/v1/signals", content=b"{not json", headers={**auth, **JSON})
        assert broken.status_code == 422


async def test_health_and_readiness(stack: Settings) -> None:
    async with running(stack) as vs:
        assert (await vs.client.get("/healthz")).json() == {"status": "ok"}
        ready = await vs.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "up", "bus": "up"}
        metrics = await vs.client.get("/metrics")
        assert "vs_signals_accepted_total" in metrics.text


@pytest.mark.parametrize("concurrency", [20])
async def test_concurrent_posts_of_one_id_store_one_signal(
    stack: Settings, unique: str, concurrency: int
) -> None:
    async with running(stack, workers=False) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = rent_arrears()
        responses = await asyncio.gather(
            *[vs.client.post("/v1/signals", json=signal, headers=auth) for _ in range(concurrency)]
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200] * (concurrency - 1) + [202]
        from sqlalchemy import func, select

        from shared.outbox import outbox
        from signal_ingest.tables import signals

        async with vs.runtime.engine.connect() as conn:
            rows = await conn.scalar(
                select(func.count()).select_from(signals).where(signals.c.signal_id == signal["id"])
            )
            events = await conn.scalar(
                select(func.count())
                .select_from(outbox)
                .where(outbox.c.headers.contains(signal["id"]))
            )
        assert (rows, events) == (1, 1)


async def test_a_malformed_item_does_not_sink_the_batch(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        good = rent_arrears()
        response = await vs.client.post(
            "/v1/signals/batch", json={"signals": [good, "oops", 42]}, headers=auth
        )
        assert response.status_code == 200
        assert [r["status"] for r in response.json()["results"]] == [
            "accepted",
            "rejected",
            "rejected",
        ]


async def test_streamed_oversized_batch_is_413(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}

        async def chunks() -> Any:
            yield b'{"signals": ['
            for _ in range(3000):
                yield b'"' + b"x" * 500 + b'",'
            yield b'"x"]}'

        response = await vs.client.post("/v1/signals/batch", content=chunks(), headers=auth)
        assert response.status_code == 413


async def test_signal_ids_are_read_back_in_any_case(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = rent_arrears()
        await vs.client.post("/v1/signals", json=signal, headers=auth)
        response = await vs.client.get(f"/v1/signals/{signal['id'].upper()}", headers=auth)
        assert response.status_code == 200
        assert response.json()["id"] == signal["id"]


async def test_metrics_report_the_pipeline(stack: Settings, unique: str) -> None:
    async with running(stack) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        await vs.client.post("/v1/signals", json=rent_arrears(), headers=auth)
        text = (await vs.client.get("/metrics")).text
        assert "vs_outbox_backlog" in text
        assert 'vs_consumer_lag{consumer="triage"}' in text
        assert (
            f'vs_signals_accepted_total{{source="corp-{unique}",type="rent_arrears"}} 1.0' in text
        )
        for personal in PII:
            assert personal not in text
