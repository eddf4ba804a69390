"""Notifier process: case events in, signed webhooks (and team e-mails) out to the USD."""

from __future__ import annotations

import logging

import httpx
from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier import api, service
from notifier.channels.email import SmtpSender
from notifier.channels.lanes import LaneTransport, environment_proxy
from notifier.channels.webhook import PayloadBuilder, WebhookChannel, WebhookSender, endpoint_key
from notifier.consumer import CONSUMER, CaseEventConsumer
from notifier.domain.delivery import RetryPolicy
from notifier.metrics import TEAM_EMAIL_DEAD_LETTERS
from notifier.repository import NotifierDatabase
from notifier.workers import TeamEmailWorker, WebhookWorker
from services.runtime import Runtime
from shared.consuming import EventProcessor
from shared.events import CASES_TOPIC
from shared.observability import DEAD_LETTERS, ENDPOINT_DISABLED
from shared.settings import Settings

log = logging.getLogger(__name__)

ROUTERS: list[APIRouter] = [api.router]
WEBHOOK_SOURCE = "/vroegsignaal/notifier"
HTTP_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=10.0)
WEBHOOK_CONCURRENCY = 8
"""Requests in flight, each on its own lane (keep-alive connection). A distant endpoint
(latency-bound) would gain from more."""
ATTEMPT_TIMEOUT_S = (
    (HTTP_TIMEOUT.connect or 0) + (HTTP_TIMEOUT.write or 0) + (HTTP_TIMEOUT.read or 0)
)
"""One POST at most: connect, write and read in turn. The channel cuts an attempt off after this
(httpx's timeouts are per operation) and the claim lease is sized from it. No pool wait: the
channel never has more requests in flight than there are lanes."""


def start_notifier_workers(runtime: Runtime, policy: RetryPolicy | None = None) -> None:
    """The case-event consumer, the webhook worker and the e-mail sender, until `runtime.stop`."""
    settings = runtime.settings
    db = NotifierDatabase(runtime.engine)
    webhooks = _webhook_worker(runtime, policy)
    worker = webhooks[0] if webhooks else None
    mailer = TeamEmailWorker(db, SmtpSender(settings), policy) if settings.smtp_host else None

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
        handle_batch=CaseEventConsumer(settings),
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


def _webhook_worker(
    runtime: Runtime, policy: RetryPolicy | None
) -> tuple[WebhookWorker, LaneTransport] | None:
    settings = runtime.settings
    if not settings.usd_webhook_url:
        return None
    settings.check_webhook()
    url = settings.usd_webhook_url
    lanes = LaneTransport(WEBHOOK_CONCURRENCY, proxy=environment_proxy(url))
    sender = WebhookSender(
        lanes,
        url,
        settings.usd_webhook_secret or "",
        WEBHOOK_SOURCE,
        timeout=HTTP_TIMEOUT,
    )
    payloads = PayloadBuilder(runtime.vault, settings.webhook_payload, settings.public_base_url)
    channel = WebhookChannel(
        sender, payloads, concurrency=WEBHOOK_CONCURRENCY, attempt_timeout_s=ATTEMPT_TIMEOUT_S
    )
    return WebhookWorker(NotifierDatabase(runtime.engine), channel, policy), lanes


async def _run_worker(runtime: Runtime, worker: WebhookWorker, lanes: LaneTransport) -> None:
    try:
        await worker.run(runtime.stop)
    finally:
        await lanes.aclose()


async def notifier_gauges(engine: AsyncEngine, settings: Settings | None = None) -> None:
    """Refresh DEAD_LETTERS, TEAM_EMAIL_DEAD_LETTERS (and ENDPOINT_DISABLED, given settings)."""
    async with engine.connect() as conn:
        DEAD_LETTERS.set(await service.count_dead_letters(conn))
        TEAM_EMAIL_DEAD_LETTERS.set(await service.count_dead_letters(conn, "team_email"))
        if settings is not None and settings.usd_webhook_url:
            key = endpoint_key(settings.usd_webhook_url)
            ENDPOINT_DISABLED.set(1 if await service.is_endpoint_disabled(conn, key) else 0)
