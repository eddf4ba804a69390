"""A real webhook receiver for tests: checks Standard Webhooks signatures, answers by script."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import pytest
import uvicorn
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.keys import generate_webhook_secret


@dataclass(frozen=True)
class Reply:
    """One scripted answer of the receiver."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    event: dict[str, Any] | None


@dataclass
class Endpoint:
    """A webhook URL with its own secret, script and log, so tests never share state."""

    url: str
    secret: str
    replies: deque[Reply]
    then: Reply
    received: list[Received] = field(default_factory=list)


class WebhookReceiver:
    """Verifies every request with `standardwebhooks`, records it, answers from a script."""

    def __init__(self) -> None:
        self.base_url = ""
        self._endpoints: dict[str, Endpoint] = {}
        self.app = Starlette(routes=[Route("/hooks/{key}", self._handle, methods=["POST"])])

    def endpoint(self, replies: list[Reply] | None = None, then: Reply | None = None) -> Endpoint:
        key = uuid4().hex
        endpoint = Endpoint(
            url=f"{self.base_url}/hooks/{key}",
            secret=generate_webhook_secret(),
            replies=deque(replies or []),
            then=then or Reply(),
        )
        self._endpoints[key] = endpoint
        return endpoint

    async def _handle(self, request: Request) -> Response:
        endpoint = self._endpoints.get(request.path_params["key"])
        if endpoint is None:
            return Response(status_code=404)
        body = await request.body()
        headers = dict(request.headers)
        try:
            event = Webhook(endpoint.secret).verify(body, headers)
        except WebhookVerificationError:
            endpoint.received.append(Received(headers, body, verified=False, event=None))
            return Response(status_code=401)
        endpoint.received.append(Received(headers, body, verified=True, event=event))
        reply = endpoint.replies.popleft() if endpoint.replies else endpoint.then
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return Response(status_code=reply.status, headers=reply.headers)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.01)


@pytest.fixture(scope="session")
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """uvicorn in a thread of this process, on a free port of 127.0.0.1."""
    receiver = WebhookReceiver()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    receiver.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        receiver.app, lifespan="off", log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    _wait_for(lambda: server.started)
    yield receiver
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()
