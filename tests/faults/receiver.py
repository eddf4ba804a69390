"""The USD's webhook endpoint in its own process, for the fault tests: verifies every Standard
Webhooks signature (401 if it fails) and appends each verified delivery to a JSON-lines file, so
what arrived survives this process being stopped and started again.

    python -m tests.faults.receiver PORT SECRET FILE
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

import orjson
import uvicorn
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def app(secret: str, path: str) -> Starlette:
    webhook = Webhook(secret)
    out = open(path, "ab")  # noqa: SIM115 - open for the process's life

    async def hook(request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        try:
            event: dict[str, Any] = webhook.verify(body, headers)
        except WebhookVerificationError:
            line = {"verified": False, "webhook_id": headers.get("webhook-id")}
            out.write(orjson.dumps(line) + b"\n")
            out.flush()
            return Response(status_code=401)
        data = event.get("data") or {}
        line = {
            "verified": True,
            "webhook_id": headers["webhook-id"],
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "ce_id": event.get("id"),
            "type": event.get("type"),
            "subject": event.get("subject"),
            "history_total": data.get("history_total"),
            "signal_ids": [s.get("id") for s in data.get("signals", [])],
        }
        out.write(orjson.dumps(line) + b"\n")
        out.flush()
        return Response(status_code=204)

    async def healthz(_: Request) -> Response:
        return Response(b"ok")

    return Starlette(routes=[Route("/hook", hook, methods=["POST"]), Route("/healthz", healthz)])


if __name__ == "__main__":
    port, secret, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    uvicorn.run(app(secret, path), host="127.0.0.1", port=port, log_level="warning")
