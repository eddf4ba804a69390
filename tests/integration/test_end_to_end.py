"""POST a signal → the USD's webhook receives `case.opened`, signed, with the case (CONTRACT §4)."""

from __future__ import annotations

from typing import Any

from shared.settings import Settings
from tests.conftest import SettingsFactory
from tests.e2e.process import eventually
from tests.harness import running
from tests.receivers import Received, WebhookReceiver
from tests.signals import PII, rent_arrears

JSON = {"Content-Type": "application/json"}


def with_webhook(
    stack: Settings, make_settings: SettingsFactory, url: str, secret: str
) -> Settings:
    return make_settings(
        database_url=stack.database_url,
        kafka_bootstrap_servers=stack.kafka_bootstrap_servers,
        usd_webhook_url=url,
        usd_webhook_secret=secret,
    )


async def test_posted_signal_reaches_the_usd_as_a_signed_case_opened(
    stack: Settings,
    make_settings: SettingsFactory,
    webhook_receiver: WebhookReceiver,
    unique: str,
) -> None:
    endpoint = webhook_receiver.endpoint()
    settings = with_webhook(stack, make_settings, endpoint.url, endpoint.secret)
    async with running(settings) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = rent_arrears(minors=3)
        assert (await vs.client.post("/v1/signals", json=signal, headers=auth)).status_code == 202

        def mine(r: Received) -> bool:
            data: dict[str, Any] = (r.event or {}).get("data", {})
            return signal["id"] in {s["id"] for s in data.get("signals", [])}

        async def opened() -> Received | None:
            return next((r for r in endpoint.received if mine(r)), None)

        received = await eventually(opened, 30)
    assert received.verified
    event = received.event or {}
    assert event["type"] == "nl.vroegsignaal.case.opened"
    assert event["specversion"] == "1.0"
    assert received.headers["content-type"] == "application/cloudevents+json"
    assert received.headers["webhook-id"] == event["id"]
    assert event["subject"] == event["data"]["id"]
    assert event["data"]["household"]["contacts"][0]["name"] == PII[0]
    assert event["data"]["priority"] in {"critical", "high", "medium", "low"}
