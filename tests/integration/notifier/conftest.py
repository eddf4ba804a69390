"""Real receivers for the notifier's channels: an HTTP webhook endpoint and an SMTP server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.e2e.process import free_port as _free_port
from tests.receivers import Endpoint, Received, Reply, WebhookReceiver

__all__ = ["Endpoint", "Received", "Reply", "WebhookReceiver"]


@pytest.fixture
async def http_transport() -> AsyncIterator[httpx.AsyncHTTPTransport]:
    async with httpx.AsyncHTTPTransport() as transport:
        yield transport


@pytest.fixture
def reply() -> type[Reply]:
    """The `Reply` type, for scripting `webhook_receiver.endpoint(...)`."""
    return Reply


@pytest.fixture
def closed_port_url() -> str:
    """A URL on which nothing listens."""
    return f"http://127.0.0.1:{_free_port()}/hooks/nobody"


class RecordingHandler:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """aiosmtpd on a free port of 127.0.0.1, plain SMTP (no STARTTLS offered)."""
    handler = RecordingHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpServer(host="127.0.0.1", port=port, handler=handler)
    controller.stop()


async def _eventually(check: Callable[[], Any], within: float = 2.0) -> None:
    """Retry an assertion until it holds or the deadline passes, then raise its error."""
    deadline = time.monotonic() + within
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.02)


@pytest.fixture
def eventually() -> Callable[..., Awaitable[None]]:
    return _eventually
