"""The webhook lanes against a real HTTP receiver: more posts than lanes all arrive, and a post
cut off by its timeout gives its lane back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import httpx
import pytest
from standardwebhooks import Webhook

from notifier.channels.lanes import LaneTransport
from tests.receivers import Endpoint, Reply, WebhookReceiver


def post(endpoint: Endpoint) -> httpx.Request:
    """A POST the receiver verifies (it answers 401 to an unsigned one)."""
    msg_id, now, body = f"msg_{uuid4().hex}", datetime.now(UTC), "{}"
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(msg_id, now, body),
    }
    return httpx.Request("POST", endpoint.url, content=body.encode(), headers=headers)


async def test_more_posts_than_lanes_all_arrive(webhook_receiver: WebhookReceiver) -> None:
    endpoint = webhook_receiver.endpoint(then=Reply(200, delay=0.05))

    async with LaneTransport(2) as lanes:
        responses = await asyncio.gather(
            *(lanes.handle_async_request(post(endpoint)) for _ in range(10))
        )

    assert [r.status_code for r in responses] == [200] * 10
    assert len(endpoint.received) == 10 and all(r.verified for r in endpoint.received)


async def test_a_post_cut_off_gives_its_lane_back(webhook_receiver: WebhookReceiver) -> None:
    slow = webhook_receiver.endpoint(then=Reply(200, delay=1.0))
    fast = webhook_receiver.endpoint()

    async with LaneTransport(1) as lanes:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await lanes.handle_async_request(post(slow))
        async with asyncio.timeout(5):
            response = await lanes.handle_async_request(post(fast))

    assert response.status_code == 200
    assert len(fast.received) == 1


def test_lanes_need_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least one lane"):
        LaneTransport(0)


async def test_a_lane_whose_post_failed_serves_the_next(
    webhook_receiver: WebhookReceiver, closed_port_url: str
) -> None:
    fast = webhook_receiver.endpoint()
    refused = httpx.Request("POST", closed_port_url, content=b"{}")

    async with LaneTransport(1) as lanes:
        with pytest.raises(httpx.ConnectError):
            await lanes.handle_async_request(refused)
        async with asyncio.timeout(5):
            response = await lanes.handle_async_request(post(fast))

    assert response.status_code == 200
