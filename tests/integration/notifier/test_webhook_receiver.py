"""The webhook sender against a real HTTP receiver that verifies Standard Webhooks signatures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import httpx

from notifier.channels.webhook import WebhookSender
from notifier.domain.delivery import (
    DeliveryStatus,
    Outcome,
    RetryPolicy,
    after_attempt,
    classify,
    new_delivery,
)
from notifier.domain.notification import Notification
from shared.keys import generate_webhook_secret
from shared.vocabulary import ChangeKind

SOURCE = "/vroegsignaal/triage"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def make_notification(change: ChangeKind = "opened") -> Notification:
    case_id = str(uuid4())
    return Notification(
        id=str(uuid4()),
        change=change,
        subject=case_id,
        time=datetime(2026, 11, 2, 10, 15, 30, tzinfo=UTC),
        data={"id": UUID(case_id), "priority": "high", "respond_before": START + timedelta(days=3)},
    )


async def deliver(sender: WebhookSender, notification: Notification, policy: RetryPolicy):
    """What the worker does, with a fake clock: attempt, record, jump to the next due time."""
    rng = random.Random(7)
    now = START
    delivery = new_delivery(notification.id, now)
    for _ in range(300):
        result = await sender.send(notification)
        delivery = after_attempt(delivery, result, policy, now, rng)
        if delivery.status is not DeliveryStatus.PENDING:
            return delivery
        assert delivery.next_attempt_at is not None and delivery.next_attempt_at >= now
        now = delivery.next_attempt_at
    raise AssertionError("delivery never settled")


async def test_delivered_event_is_a_signed_structured_cloudevent(webhook_receiver, http_transport):
    endpoint = webhook_receiver.endpoint()
    sender = WebhookSender(http_transport, endpoint.url, endpoint.secret, SOURCE)
    notification = make_notification("escalated")

    result = await sender.send(notification)

    assert classify(result.status_code) is Outcome.DELIVERED
    [request] = endpoint.received
    assert request.verified
    assert request.headers["content-type"] == "application/cloudevents+json"
    assert request.headers["webhook-id"] == notification.id
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.event == {
        "specversion": "1.0",
        "id": notification.id,
        "source": SOURCE,
        "type": "nl.vroegsignaal.case.escalated",
        "time": "2026-11-02T10:15:30Z",
        "subject": notification.subject,
        "datacontenttype": "application/json",
        "data": {
            "id": notification.subject,
            "priority": "high",
            "respond_before": "2026-11-05T09:00:00Z",
        },
    }


async def test_retries_keep_the_webhook_id_until_delivered(webhook_receiver, http_transport, reply):
    endpoint = webhook_receiver.endpoint(replies=[reply(503)] * 5, then=reply(200))
    sender = WebhookSender(http_transport, endpoint.url, endpoint.secret, SOURCE)
    notification = make_notification()

    delivery = await deliver(sender, notification, RetryPolicy())

    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.attempts == len(endpoint.received) == 6
    assert all(r.verified for r in endpoint.received)
    assert {r.headers["webhook-id"] for r in endpoint.received} == {notification.id}
    assert {r.event["id"] for r in endpoint.received} == {notification.id}


async def test_gone_disables_the_endpoint(webhook_receiver, http_transport, reply):
    endpoint = webhook_receiver.endpoint(then=reply(410))
    sender = WebhookSender(http_transport, endpoint.url, endpoint.secret, SOURCE)

    delivery = await deliver(sender, make_notification(), RetryPolicy())

    assert delivery.status is DeliveryStatus.ENDPOINT_DISABLED
    assert delivery.attempts == 1
    assert delivery.last_error == "HTTP 410"


async def test_a_slow_receiver_is_a_timeout_to_retry(webhook_receiver, reply):
    endpoint = webhook_receiver.endpoint(then=reply(200, delay=0.5))
    async with httpx.AsyncHTTPTransport() as transport:
        sender = WebhookSender(
            transport, endpoint.url, endpoint.secret, SOURCE, timeout=httpx.Timeout(0.1)
        )
        result = await sender.send(make_notification())

    assert result.status_code is None
    assert result.error == "timeout"
    assert classify(result.status_code) is Outcome.RETRY


async def test_an_unreachable_endpoint_is_retried(closed_port_url, http_transport):
    sender = WebhookSender(http_transport, closed_port_url, generate_webhook_secret(), SOURCE)

    result = await sender.send(make_notification())

    assert result.status_code is None
    assert result.error == "ConnectError"
    assert classify(result.status_code) is Outcome.RETRY


async def test_failing_past_the_budget_is_dead(webhook_receiver, http_transport, reply):
    endpoint = webhook_receiver.endpoint(then=reply(500))
    sender = WebhookSender(http_transport, endpoint.url, endpoint.secret, SOURCE)
    policy = RetryPolicy(max_delay=timedelta(seconds=20), budget=timedelta(minutes=2))
    notification = make_notification()

    delivery = await deliver(sender, notification, policy)

    assert delivery.status is DeliveryStatus.DEAD
    assert delivery.last_error == "HTTP 500"
    assert delivery.attempts == len(endpoint.received) > 3
    assert {r.headers["webhook-id"] for r in endpoint.received} == {notification.id}


async def test_retry_after_from_the_receiver_postpones_the_next_attempt(
    webhook_receiver, http_transport, reply
):
    endpoint = webhook_receiver.endpoint(replies=[reply(429, headers={"Retry-After": "120"})])
    sender = WebhookSender(http_transport, endpoint.url, endpoint.secret, SOURCE)
    notification = make_notification()
    delivery = new_delivery(notification.id, START)

    result = await sender.send(notification)
    delivery = after_attempt(delivery, result, RetryPolicy(), START, random.Random(1))

    assert result.retry_after == "120"
    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at >= START + timedelta(seconds=120)
