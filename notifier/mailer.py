"""Team mailbox sender: sends the stored, data-poor e-mails with the webhook's retry policy."""

from __future__ import annotations

import asyncio
import logging
import random
import smtplib
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_string
from email import policy as email_policy
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.domain.delivery import AttemptResult, DeliveryStatus, RetryPolicy, after_attempt
from notifier.email import send_email
from notifier.metrics import TEAM_EMAILS
from notifier.store import claim_due, save_outcomes
from notifier.tables import team_emails
from notifier.worker import wait_for_work
from shared.settings import Settings

log = logging.getLogger(__name__)

_SENT = AttemptResult(status_code=250)
"""SMTP's `250 OK` is a 2yz positive completion, which the delivery policy counts as delivered."""
_OUTCOME_LABELS = {
    DeliveryStatus.DELIVERED: "sent",
    DeliveryStatus.PENDING: "retry",
    DeliveryStatus.DEAD: "dead",
    DeliveryStatus.ENDPOINT_DISABLED: "dead",  # no 410 for SMTP; for completeness
}


class TeamEmailWorker:
    """Sends one message at a time; a batch (5 x the 10 s SMTP timeout) fits in the claim lease."""

    def __init__(
        self,
        engine: AsyncEngine,
        settings: Settings,
        policy: RetryPolicy | None = None,
        *,
        batch_size: int = 5,
        poll_s: float = 0.5,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine, self._settings = engine, settings
        self._policy = policy or RetryPolicy()
        self._batch_size, self._poll_s, self._clock = batch_size, poll_s, clock
        self._rng = random.Random()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def send_due(self) -> int:
        async with self._engine.begin() as conn:
            claimed = await claim_due(conn, team_emails, self._clock(), self._batch_size)
            if not claimed:
                return 0
            ids = [d.notification_id for d in claimed]
            rows = await conn.execute(
                select(team_emails.c.notification_id, team_emails.c.message).where(
                    team_emails.c.notification_id.in_(ids)
                )
            )
            messages = {row.notification_id: row.message for row in rows}
        results = [await self._send(messages[d.notification_id]) for d in claimed]
        now = self._clock()
        outcomes = [
            (d, after_attempt(d, r, self._policy, now, self._rng))
            for d, r in zip(claimed, results, strict=True)
        ]
        async with self._engine.begin() as conn:
            await save_outcomes(conn, team_emails, outcomes, now)
        for _, after in outcomes:
            TEAM_EMAILS.labels(outcome=_OUTCOME_LABELS[after.status]).inc()
            if after.status is DeliveryStatus.DEAD:
                log.warning(
                    "team e-mail for notification %s is a dead letter after %d attempts (%s); "
                    "see `vroegsignaal dlq list`",
                    after.notification_id,
                    after.attempts,
                    after.last_error,
                )
        return len(claimed)

    async def _send(self, raw: str) -> AttemptResult:
        message = message_from_string(raw, _class=EmailMessage, policy=email_policy.default)
        s = self._settings
        try:
            await send_email(
                message,
                host=s.smtp_host or "",
                port=s.smtp_port,
                starttls=s.smtp_starttls,
                username=s.smtp_username,
                password=s.smtp_password,
            )
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            log.warning("team e-mail not sent: %s", type(exc).__name__)
            return AttemptResult(status_code=None, error=f"SMTP {type(exc).__name__}")
        return _SENT

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            try:
                sent = await self.send_due()
            except Exception:
                log.exception("team e-mail round failed")
                sent = 0
            if sent < self._batch_size:
                await wait_for_work(stop, self._wake, self._poll_s)
