"""Notifier process: case events in, signed webhooks (and team e-mails) out to the USD."""

from __future__ import annotations

import logging

import httpx
from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier import ops_api
from notifier.domain.delivery import RetryPolicy
from notifier.mailer import TeamEmailWorker
from notifier.metrics import TEAM_EMAIL_DEAD_LETTERS
from notifier.payload import PayloadBuilder
from notifier.recorder import CONSUMER, NotificationRecorder
from notifier.store import count_dead_letters, endpoint_key, is_endpoint_disabled
from notifier.tables import team_emails
from notifier.webhook import WebhookSender
from notifier.worker import DeliveryWorker
from services.runtime import Runtime
from shared.consuming import EventProcessor
from shared.events import CASES_TOPIC
from shared.observability import DEAD_LETTERS, ENDPOINT_DISABLED
from shared.settings import Settings

log = logging.getLogger(__name__)

ROUTERS: list[APIRouter] = [ops_api.router]
WEBHOOK_SOURCE = "/vroegsignaal/notifier"
HTTP_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=10.0)
WEBHOOK_CONCURRENCY = 8
"""Requests in flight. Against a local receiver 4-8 beat 16-32: httpcore's pool bookkeeping grows
with its connections. A distant endpoint (latency-bound) would gain from more."""
HTTP_LIMITS = httpx.Limits(
    max_connections=WEBHOOK_CONCURRENCY, max_keepalive_connections=WEBHOOK_CONCURRENCY
)
ATTEMPT_TIMEOUT_S = (
    (HTTP_TIMEOUT.connect or 0) + (HTTP_TIMEOUT.write or 0) + (HTTP_TIMEOUT.read or 0)
)
"""One POST at most: connect, write and read in turn. The worker cuts an attempt off after this
(httpx's timeouts are per operation) and sizes its claim lease from it. No pool wait: the worker
never has more requests in flight than the pool has connections."""


def start_notifier_workers(runtime: Runtime, policy: RetryPolicy | None = None) -> None:
    """The case-event consumer, the webhook worker and the e-mail sender, until `runtime.stop`."""
    settings = runtime.settings
    webhooks = _delivery_worker(runtime, policy)
    worker = webhooks[0] if webhooks else None
    mailer = TeamEmailWorker(runtime.engine, settings, policy) if settings.smtp_host else None

    def stored() -> None:
        if worker is not None:
            worker.wake()
        if mailer is not None:
            mailer.wake()

    processor = EventProcessor(
        CONSUMER,
        runtime.engine,
        runtime.bus.consumer(CONSUMER, [CASES_TOPIC]),
        after_commit=stored,
        handle_batch=NotificationRecorder(settings),
    )
    runtime.processors.append(processor)
    runtime.gauges.append(lambda: notifier_gauges(runtime.engine, settings))
    runtime.spawn("notifier-consumer", processor.run(runtime.stop))
    if webhooks is not None:
        runtime.spawn("notifier-webhooks", _run_worker(runtime, *webhooks))
    else:
        log.warning("VS_USD_WEBHOOK_URL is not set: notifications are stored, not sent")
    if mailer is not None:
        runtime.spawn("notifier-email", mailer.run(runtime.stop))
    elif settings.team_emails:
        log.warning("VS_SMTP_HOST is not set: team e-mails are stored, not sent")


def _delivery_worker(
    runtime: Runtime,
    policy: RetryPolicy | None,
) -> tuple[DeliveryWorker, httpx.AsyncClient] | None:
    settings = runtime.settings
    if not settings.usd_webhook_url:
        return None
    settings.check_webhook()
    client = httpx.AsyncClient(timeout=HTTP_TIMEOUT, limits=HTTP_LIMITS, follow_redirects=False)
    sender = WebhookSender(
        client, settings.usd_webhook_url, settings.usd_webhook_secret or "", WEBHOOK_SOURCE
    )
    payloads = PayloadBuilder(runtime.vault, settings.webhook_payload, settings.public_base_url)
    key = endpoint_key(settings.usd_webhook_url)
    worker = DeliveryWorker(
        runtime.engine,
        sender,
        key,
        payloads,
        policy,
        concurrency=WEBHOOK_CONCURRENCY,
        attempt_timeout_s=ATTEMPT_TIMEOUT_S,
    )
    return worker, client


async def _run_worker(runtime: Runtime, worker: DeliveryWorker, client: httpx.AsyncClient) -> None:
    try:
        await worker.run(runtime.stop)
    finally:
        await client.aclose()


async def notifier_gauges(engine: AsyncEngine, settings: Settings | None = None) -> None:
    """Refresh DEAD_LETTERS, TEAM_EMAIL_DEAD_LETTERS (and ENDPOINT_DISABLED, given settings)."""
    async with engine.connect() as conn:
        DEAD_LETTERS.set(await count_dead_letters(conn))
        TEAM_EMAIL_DEAD_LETTERS.set(await count_dead_letters(conn, team_emails))
        if settings is not None and settings.usd_webhook_url:
            disabled = await is_endpoint_disabled(conn, endpoint_key(settings.usd_webhook_url))
            ENDPOINT_DISABLED.set(1 if disabled else 0)
