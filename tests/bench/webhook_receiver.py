"""The USD's webhook endpoint for the notifier benchmark: a bare ASGI app that uvicorn runs in its
own process (`uvicorn tests.bench.webhook_receiver:app`), so it never shares a loop or a core's
scheduling with the notifier it measures.

`BENCH_RECEIVER_MODE` chooses what a POST costs:
- `fast`: reads the body and answers 200, nothing else. No signature check, so the receiver is
  not what limits the deliveries/s figure (the tests' receiver checks every signature).
- `verify`: checks the Standard Webhooks signature with `standardwebhooks` and
  `BENCH_WEBHOOK_SECRET` (401 if it fails) and records, per request, its arrival time, the
  CloudEvent type, time and id and the signal ids in `data.signals`, for the latency figure.

`GET /stats` returns the counters; `GET /records?since=N` the recorded requests from index N on.
Arrival times are `time.monotonic()` (CLOCK_MONOTONIC, one clock for every process on the
machine, so comparable with the bench's) and `time.time()` (to compare with CloudEvent times).
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Recorder:
    def __init__(self, mode: str, secret: str | None) -> None:
        if mode not in ("fast", "verify"):
            raise ValueError(f"BENCH_RECEIVER_MODE must be fast or verify, not {mode!r}")
        if mode == "verify" and not secret:
            raise ValueError("BENCH_RECEIVER_MODE=verify needs BENCH_WEBHOOK_SECRET")
        self.mode = mode
        self._webhook = Webhook(secret) if secret else None
        self.posts = 0
        self.body_bytes = 0
        self.rejected = 0
        self.unreadable = 0
        self.records: list[list[Any]] = []
        """[monotonic, wall time, webhook-id, CloudEvent type, CloudEvent time, signal ids]"""

    def post(self, body: bytes, headers: dict[str, str], arrived: float, wall: float) -> int:
        self.posts += 1
        self.body_bytes += len(body)
        if self._webhook is None:
            return 200
        try:
            event = self._webhook.verify(body, headers)
        except WebhookVerificationError:
            self.rejected += 1
            return 401
        try:
            data = event["data"]
            signals = [str(s["id"]) for s in data.get("signals") or ()]
            self.records.append(
                [arrived, wall, event["id"], event["type"], event.get("time"), signals]
            )
        except (KeyError, TypeError, AttributeError):
            self.unreadable += 1  # still a delivery: answer 200, count it for the report
        return 200

    def stats(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "posts": self.posts,
            "body_bytes": self.body_bytes,
            "rejected": self.rejected,
            "unreadable": self.unreadable,
            "recorded": len(self.records),
        }


RECORDER = Recorder(
    os.environ.get("BENCH_RECEIVER_MODE", "fast"), os.environ.get("BENCH_WEBHOOK_SECRET")
)
_EMPTY = b""


async def _answer(send: Send, status: int, body: bytes = _EMPTY) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":  # run with --lifespan off; nothing else is expected
        return
    method, path = scope["method"], scope["path"]
    if method == "POST":
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", _EMPTY))
            more = message.get("more_body", False)
        arrived, wall = time.monotonic(), time.time()
        body = chunks[0] if len(chunks) == 1 else _EMPTY.join(chunks)
        headers = (
            {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            if RECORDER.mode == "verify"
            else {}
        )
        await _answer(send, RECORDER.post(body, headers, arrived, wall))
    elif path == "/healthz":
        await _answer(send, 200, b'{"status":"ok"}')
    elif path == "/stats":
        await _answer(send, 200, orjson.dumps(RECORDER.stats()))
    elif path == "/records":
        query = parse_qs(scope.get("query_string", _EMPTY).decode())
        since = int(query.get("since", ["0"])[0])
        await _answer(send, 200, orjson.dumps(RECORDER.records[since:]))
    else:
        await _answer(send, 404)
