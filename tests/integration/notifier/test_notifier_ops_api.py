"""Ops see notifications and dead letters over the API (ops:read) and replay them (ops:write)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import FastAPI
from prometheus_client import REGISTRY

from notifier.domain.delivery import RetryPolicy
from services.notifier import ROUTERS, notifier_gauges, start_notifier_workers
from services.runtime import Runtime
from services.web import create_app
from shared.audit.repository import iter_audit
from tests.conftest import SettingsFactory
from tests.harness import running
from tests.integration.notifier.notifier_env import PII, case_event, publish, settled

ONE_TRY = RetryPolicy(max_attempts=1, base_delay=timedelta(milliseconds=5))


def notifier_app(runtime: Runtime) -> FastAPI:
    start = partial(start_notifier_workers, policy=ONE_TRY)
    return create_app(runtime, "Vroegsignaal notifier", ROUTERS, start)


async def test_ops_list_and_replay_dead_letters(
    make_settings: SettingsFactory, webhook_receiver: Any, reply: Any, unique: str
) -> None:
    endpoint = webhook_receiver.endpoint(then=reply(500))
    settings = make_settings(usd_webhook_url=endpoint.url, usd_webhook_secret=endpoint.secret)
    async with running(settings, create=notifier_app) as vs:
        ops = await vs.key(f"ops-{unique}", "ops:read")
        corporation = await vs.key(f"corp-{unique}", "signals:write")
        case = case_event(vs.runtime.vault)
        await publish(vs.runtime, case)
        await settled(vs.runtime, {case.id})

        assert (await vs.client.get("/v1/ops/dead-letters")).status_code == 401
        assert (await vs.client.get("/v1/ops/dead-letters", headers=corporation)).status_code == 403
        listed = await vs.client.get("/v1/ops/dead-letters", headers=ops)
        assert listed.status_code == 200
        [letter] = listed.json()["dead_letters"]
        assert letter["id"] == case.id and letter["case_id"] == case.case_id
        assert (letter["status"], letter["attempts"], letter["last_error"]) == (
            "dead",
            1,
            "HTTP 500",
        )
        assert not any(personal in listed.text for personal in PII)
        await notifier_gauges(vs.runtime.engine)
        assert REGISTRY.get_sample_value("vs_dead_letters") == 1

        notifications = await vs.client.get("/v1/ops/notifications?status=dead", headers=ops)
        assert [n["id"] for n in notifications.json()["notifications"]] == [case.id]

        ops = {**ops, "Content-Type": "application/json"}  # BodyLimits wants it even bodiless
        read_only = await vs.client.post(f"/v1/ops/dead-letters/{case.id}/replay", headers=ops)
        assert read_only.status_code == 403
        ops = {**await vs.key(f"ops-w-{unique}", "ops:write"), "Content-Type": "application/json"}
        missing = await vs.client.post("/v1/ops/dead-letters/nope/replay", headers=ops)
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        endpoint.then = reply(200)
        replayed = await vs.client.post(f"/v1/ops/dead-letters/{case.id}/replay", headers=ops)
        assert replayed.status_code == 200
        assert replayed.json() == {"id": case.id, "status": "pending"}
        assert (await settled(vs.runtime, {case.id}))[case.id] == ("delivered", 1)
        async with vs.runtime.engine.connect() as conn:
            sent = [
                (e.subject, e.details)
                async for e in iter_audit(conn)
                if e.action == "webhook.contact_data_sent"
            ]
        assert sent == [(case.case_id, {"notification_id": case.id})]  # the failed try sent none
        await notifier_gauges(vs.runtime.engine)
        assert REGISTRY.get_sample_value("vs_dead_letters") == 0

    assert [r.headers["webhook-id"] for r in endpoint.received] == [case.id, case.id]
