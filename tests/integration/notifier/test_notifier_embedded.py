"""The notifier on the embedded default: case events in, signed webhooks out to a real receiver."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import uuid4

from prometheus_client import REGISTRY

from notifier.domain.delivery import RetryPolicy
from notifier.service import dead_letters
from services import dlq
from services.notifier import notifier_gauges
from shared.events import CASES_TOPIC
from tests.conftest import SettingsFactory
from tests.e2e.process import free_port
from tests.integration.notifier.notifier_env import (
    HOUSEHOLD,
    PII,
    CaseEvent,
    case_event,
    delivery_states,
    eventually,
    notifier_running,
    publish,
    settled,
)

CASE_CLOSED = "nl.vroegsignaal.case.closed"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def ids_received(endpoint: Any) -> list[str]:
    return [r.headers["webhook-id"] for r in endpoint.received]


def webhook_settings(make_settings: SettingsFactory, endpoint: Any, **extra: Any) -> Any:
    return make_settings(usd_webhook_url=endpoint.url, usd_webhook_secret=endpoint.secret, **extra)


async def test_a_case_change_reaches_the_usd_with_the_household_opened(
    make_settings: SettingsFactory, webhook_receiver: Any
) -> None:
    endpoint = webhook_receiver.endpoint()
    settings = webhook_settings(make_settings, endpoint)
    delivered_before = sample("vs_webhook_deliveries_total", outcome="delivered")
    async with notifier_running(settings) as runtime:
        case = case_event(runtime.vault, change="escalated")
        await publish(runtime, case)
        states = await settled(runtime, {case.id})

    assert states[case.id] == ("delivered", 1)
    [request] = endpoint.received
    assert request.verified
    assert request.headers["webhook-id"] == case.id
    assert request.headers["content-type"] == "application/cloudevents+json"
    assert request.event["id"] == case.id
    assert request.event["type"] == "nl.vroegsignaal.case.escalated"
    assert request.event["subject"] == case.case_id
    assert request.event["data"] == {
        **case.change.case.model_dump(mode="json"),
        "household": HOUSEHOLD,
    }
    assert sample("vs_webhook_deliveries_total", outcome="delivered") == delivered_before + 1
    at_rest = b"".join(p.read_bytes() for p in settings.data_dir.glob("vroegsignaal.sqlite3*"))
    for personal in PII:
        assert personal.encode() not in at_rest  # the household stays sealed in the database


async def test_minimal_payload_names_the_case_without_personal_data(
    make_settings: SettingsFactory, webhook_receiver: Any
) -> None:
    endpoint = webhook_receiver.endpoint()
    base = "https://vroegsignaal.example.nl"
    settings = webhook_settings(
        make_settings, endpoint, webhook_payload="minimal", public_base_url=base
    )
    async with notifier_running(settings) as runtime:
        case = case_event(runtime.vault)
        await publish(runtime, case)
        await settled(runtime, {case.id})

    [request] = endpoint.received
    link = f"{base}/v1/cases/{case.case_id}"
    assert request.event["data"] == {"id": case.case_id, "links": {"self": link}}
    for personal in PII:
        assert personal.encode() not in request.body


async def test_retries_until_delivered_under_one_webhook_id(
    make_settings: SettingsFactory, webhook_receiver: Any, reply: Any
) -> None:
    endpoint = webhook_receiver.endpoint(replies=[reply(503)] * 5, then=reply(200))
    settings = webhook_settings(make_settings, endpoint)
    retries_before = sample("vs_webhook_deliveries_total", outcome="retry")
    async with notifier_running(settings) as runtime:
        case = case_event(runtime.vault)
        await publish(runtime, case)
        states = await settled(runtime, {case.id})

    assert states[case.id] == ("delivered", 6)
    assert ids_received(endpoint) == [case.id] * 6
    assert all(r.verified for r in endpoint.received)
    assert sample("vs_webhook_deliveries_total", outcome="retry") == retries_before + 5


async def test_a_dead_letter_is_listed_and_replayed_under_its_webhook_id(
    make_settings: SettingsFactory, webhook_receiver: Any, reply: Any, capsys: Any
) -> None:
    endpoint = webhook_receiver.endpoint(then=reply(500))
    settings = webhook_settings(make_settings, endpoint)
    policy = RetryPolicy(
        max_attempts=3, base_delay=timedelta(milliseconds=5), max_delay=timedelta(milliseconds=20)
    )
    async with notifier_running(settings, policy) as runtime:
        case = case_event(runtime.vault)
        await publish(runtime, case)
        assert (await settled(runtime, {case.id}))[case.id] == ("dead", 3)

        assert await dlq.list_dead_letters(settings) == 0
        listing = capsys.readouterr().out
        assert case.id in listing and case.case_id in listing and "HTTP 500" in listing
        assert not any(personal in listing for personal in PII)

        endpoint.then = reply(200)
        assert await dlq.replay(settings, case.id, replay_all=False) == 0
        states = await settled(runtime, {case.id})

    assert states[case.id] == ("delivered", 1)
    assert ids_received(endpoint) == [case.id] * 4
    assert await dlq.replay(settings, case.id, replay_all=False) == 1  # no longer a dead letter


async def test_gone_disables_the_endpoint_and_parks_deliveries_until_replay(
    make_settings: SettingsFactory, webhook_receiver: Any, reply: Any, caplog: Any
) -> None:
    endpoint = webhook_receiver.endpoint(then=reply(410))
    settings = webhook_settings(make_settings, endpoint)
    caplog.set_level(logging.ERROR, logger="notifier.metrics")
    async with notifier_running(settings) as runtime:
        gone = case_event(runtime.vault)
        await publish(runtime, gone)
        assert (await settled(runtime, {gone.id}))[gone.id] == ("endpoint_disabled", 1)
        assert sample("vs_webhook_endpoint_disabled") == 1
        [alert] = [r for r in caplog.records if "webhook endpoint disabled by 410" in r.message]
        assert alert.levelno == logging.ERROR
        assert not any(personal in alert.getMessage() for personal in PII)

        parked = case_event(runtime.vault)
        await publish(runtime, parked)

        async def is_parked() -> None:
            assert (await delivery_states(runtime)).get(parked.id) == ("pending", 0)

        await eventually(is_parked)
        endpoint.then = reply(200)
        assert await dlq.replay(settings, None, replay_all=True) == 0
        states = await settled(runtime, {gone.id, parked.id})

    assert states == {gone.id: ("delivered", 1), parked.id: ("delivered", 1)}
    assert ids_received(endpoint).count(parked.id) == 1  # never sent while disabled
    assert sample("vs_webhook_endpoint_disabled") == 0


async def test_a_redelivered_case_event_is_notified_once(
    make_settings: SettingsFactory, webhook_receiver: Any
) -> None:
    endpoint = webhook_receiver.endpoint()
    settings = webhook_settings(make_settings, endpoint)
    async with notifier_running(settings) as runtime:
        case = case_event(runtime.vault)
        await publish(runtime, case)
        await publish(runtime, case)
        consumer = runtime.bus.consumer("notifier", [CASES_TOPIC])

        async def both_consumed() -> None:
            assert await consumer.lag() == 0

        await eventually(both_consumed)
        states = await settled(runtime, {case.id})

    assert states == {case.id: ("delivered", 1)}
    assert ids_received(endpoint) == [case.id]


async def test_pending_deliveries_survive_a_restart_under_the_same_ids(
    make_settings: SettingsFactory, webhook_receiver: Any, reply: Any
) -> None:
    endpoint = webhook_receiver.endpoint(then=reply(503))
    settings = webhook_settings(make_settings, endpoint)
    async with notifier_running(settings) as runtime:
        cases = [case_event(runtime.vault) for _ in range(5)]
        ids = {c.id for c in cases}
        await publish(runtime, *cases)

        def each_tried() -> None:
            assert set(ids_received(endpoint)) == ids

        await eventually(each_tried)
    tried = len(endpoint.received)

    endpoint.then = reply(200)
    async with notifier_running(settings) as runtime:
        states = await settled(runtime, ids)

    assert {i: state for i, (state, _) in states.items()} == dict.fromkeys(ids, "delivered")
    assert sorted(ids_received(endpoint)[tried:]) == sorted(ids)  # once each, no new ids


async def test_without_a_webhook_url_notifications_are_stored_not_sent(
    make_settings: SettingsFactory, caplog: Any
) -> None:
    caplog.set_level(logging.WARNING, logger="services.notifier")
    async with notifier_running(make_settings()) as runtime:
        case = case_event(runtime.vault)
        await publish(runtime, case)

        async def stored() -> None:
            assert await delivery_states(runtime) == {case.id: ("pending", 0)}

        await eventually(stored)
    assert any("VS_USD_WEBHOOK_URL is not set" in r.message for r in caplog.records)


async def test_an_urgent_case_mails_its_team_without_household_data(
    make_settings: SettingsFactory, webhook_receiver: Any, smtp_server: Any
) -> None:
    endpoint = webhook_receiver.endpoint()
    settings = webhook_settings(
        make_settings,
        endpoint,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        team_emails="crisis=crisis@usd.example.nl,schuldhulp=sh@usd.example.nl",
    )
    async with notifier_running(settings) as runtime:
        critical = case_event(runtime.vault, priority="critical", team="crisis")
        routine = case_event(runtime.vault, priority="medium", team="schuldhulp")
        await publish(runtime, critical, routine)
        await settled(runtime, {critical.id, routine.id})

        def one_mail() -> None:
            assert len(smtp_server.handler.messages) == 1

        await eventually(one_mail)

    [message] = smtp_server.handler.messages
    assert b"To: crisis@usd.example.nl" in message
    assert critical.case_id.encode() in message
    for personal in PII:
        assert personal.encode() not in message


async def test_a_dead_team_email_is_logged_counted_and_listed(
    make_settings: SettingsFactory, webhook_receiver: Any, caplog: Any, capsys: Any
) -> None:
    endpoint = webhook_receiver.endpoint()
    settings = webhook_settings(
        make_settings,
        endpoint,
        smtp_host="127.0.0.1",
        smtp_port=free_port(),  # nothing listens: every attempt fails
        team_emails="crisis=crisis@usd.example.nl",
    )
    one_try = RetryPolicy(max_attempts=1, base_delay=timedelta(milliseconds=5))
    caplog.set_level(logging.WARNING, logger="notifier.metrics")
    dead_before = sample("vs_team_emails_total", outcome="dead")
    async with notifier_running(settings, one_try) as runtime:
        critical = case_event(runtime.vault, priority="critical", team="crisis")
        await publish(runtime, critical)

        async def email_dead() -> None:
            async with runtime.engine.connect() as conn:
                letters = await dead_letters(conn, channel="team_email")
            assert [(x.id, x.status) for x in letters] == [(critical.id, "dead")]

        await eventually(email_dead)
        await notifier_gauges(runtime.engine)

    assert sample("vs_team_emails_total", outcome="dead") == dead_before + 1
    assert sample("vs_team_email_dead_letters") == 1
    [logged] = [r.getMessage() for r in caplog.records if "dead letter" in r.getMessage()]
    assert critical.id in logged
    assert not any(p in logged for p in (*PII, "crisis@usd.example.nl"))
    assert await dlq.list_dead_letters(settings) == 0
    webhooks, emails = capsys.readouterr().out.split("Team e-mails")
    assert "0 dead letter(s)" in webhooks and critical.id not in webhooks
    assert (
        critical.id in emails and critical.case_id in emails and "1 dead team e-mail(s)" in emails
    )
    assert not any(p in emails for p in (*PII, "crisis@usd.example.nl"))


async def test_an_unreadable_case_event_is_skipped_not_blocking(
    make_settings: SettingsFactory, webhook_receiver: Any
) -> None:
    endpoint = webhook_receiver.endpoint()
    settings = webhook_settings(make_settings, endpoint)
    async with notifier_running(settings) as runtime:
        good = case_event(runtime.vault)
        bad = case_event(runtime.vault)
        garbled = CaseEvent(replace(bad.event, data=b'{"change": "opened"}'), bad.change)
        mislabelled = CaseEvent(replace(good.event, id=str(uuid4()), type=CASE_CLOSED), good.change)
        await publish(runtime, garbled, mislabelled, good)
        states = await settled(runtime, {good.id})

    assert states == {good.id: ("delivered", 1)}
    assert ids_received(endpoint) == [good.id]
