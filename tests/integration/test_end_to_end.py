"""POST a signal → the USD's webhook receives `case.opened`, signed, with the case (CONTRACT §4)."""

from __future__ import annotations

import json
import logging
from typing import Any

from shared.logs import JsonLines
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


class JsonLineCapture(logging.Handler):
    """Formats each record as the services' JSON line at emit time (when its context is bound)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonLines())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_one_grep_for_the_signal_id_follows_it_to_the_webhook(
    stack: Settings,
    make_settings: SettingsFactory,
    webhook_receiver: WebhookReceiver,
    unique: str,
) -> None:
    endpoint = webhook_receiver.endpoint()
    settings = with_webhook(stack, make_settings, endpoint.url, endpoint.secret)
    capture, root = JsonLineCapture(), logging.getLogger()
    async with running(settings) as vs:
        root.addHandler(capture)  # after start-up: configuring the logs replaces the handlers
        level = root.level
        root.setLevel(logging.INFO)
        try:
            auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
            signal = rent_arrears(minors=1)
            posted = await vs.client.post("/v1/signals", json=signal, headers=auth)
            assert posted.status_code == 202

            async def delivered_line() -> list[dict[str, Any]] | None:
                lines = [json.loads(line) for line in capture.lines if signal["id"] in line]
                webhook = [x for x in lines if x["logger"] == "notifier.channels.webhook"]
                return lines if webhook else None

            lines = await eventually(delivered_line, 30)
        finally:
            root.removeHandler(capture)
            root.setLevel(level)
    [accepted] = [x for x in lines if x["logger"] == "signal_ingest.api"]
    assert accepted["signal_id"] == signal["id"] and accepted["source"] == f"corp-{unique}"
    [filed] = [x for x in lines if x["logger"] == "triage.service"]
    [sent] = [x for x in lines if x["logger"] == "notifier.channels.webhook"]
    assert filed["signal_id"] == sent["signal_id"] == signal["id"]
    assert sent["event_id"] == filed["event_id"]
    assert sent["event_id"] in {r.headers["webhook-id"] for r in endpoint.received}
    assert not [p for p in PII for line in capture.lines if p in line]


async def test_a_grep_for_any_id_of_a_batch_finds_its_line(
    make_settings: SettingsFactory, unique: str
) -> None:
    """One line per batch (a line per item would cost ~80 µs each on the hot path)."""
    capture, root = JsonLineCapture(), logging.getLogger()
    async with running(make_settings(), workers=False) as vs:
        root.addHandler(capture)
        level = root.level
        root.setLevel(logging.INFO)
        try:
            auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
            good, bad = rent_arrears(), rent_arrears(postcode="0000 XX")
            body = {"signals": [good, bad, {**good}]}
            posted = await vs.client.post("/v1/signals/batch", json=body, headers=auth)
            verdicts = [r["status"] for r in posted.json()["results"]]
            assert verdicts == ["accepted", "rejected", "duplicate"]
        finally:
            root.removeHandler(capture)
            root.setLevel(level)
    lines = [json.loads(line) for line in capture.lines]
    [batch] = [x for x in lines if x["logger"] == "signal_ingest.api"]
    assert batch["source"] == f"corp-{unique}"
    assert batch["signal_ids"] == f"{good['id']},{good['id']}"
    assert batch["rejected_ids"] == bad["id"]
    assert batch["message"] == "batch of 3: 1 accepted, 1 duplicate, 1 rejected"
    assert not [p for p in PII for line in capture.lines if p in line]
