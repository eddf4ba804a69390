"""What the notifier counts and alerts on after each delivery round (webhook metrics live in
`shared.observability`). No personal data in labels or log lines: outcomes and ids only."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from prometheus_client import Counter, Gauge

from notifier.domain.delivery import Delivery, DeliveryStatus
from shared.observability import DELIVERIES, DELIVERY_LATENCY, ENDPOINT_DISABLED

log = logging.getLogger(__name__)

TEAM_EMAILS = Counter("vs_team_emails_total", "Team e-mail attempts", ["outcome"])
TEAM_EMAIL_DEAD_LETTERS = Gauge(
    "vs_team_email_dead_letters", "Team e-mails that ran out of retries (`vroegsignaal dlq list`)"
)
WEBHOOK_UNSENDABLE = Counter(
    "vs_webhook_unsendable",
    "Notifications whose webhook could not be built or sent (bad data, a bug): dead letters",
)
_WEBHOOK_OUTCOMES = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.PENDING: "retry",
    DeliveryStatus.DEAD: "dead",
    DeliveryStatus.ENDPOINT_DISABLED: "disabled",
}
_EMAIL_OUTCOMES = _WEBHOOK_OUTCOMES | {
    DeliveryStatus.DELIVERED: "sent",
    DeliveryStatus.ENDPOINT_DISABLED: "dead",  # no 410 for SMTP; for completeness
}


def count_webhook_attempts(
    after: Sequence[Delivery], changed_at: Mapping[str, datetime], now: datetime
) -> int:
    """Counts each attempt's outcome, the latency from change to delivery, alerts on a dead
    letter and a 410; returns how many were delivered."""
    delivered = 0
    for a in after:
        DELIVERIES.labels(outcome=_WEBHOOK_OUTCOMES[a.status]).inc()
        if a.status is DeliveryStatus.DELIVERED:
            delivered += 1
            waited = now - changed_at[a.notification_id]
            DELIVERY_LATENCY.observe(max(waited.total_seconds(), 0.0))
        elif a.status is DeliveryStatus.DEAD:
            _dead("notification", a)
    if gone := [a for a in after if a.status is DeliveryStatus.ENDPOINT_DISABLED]:
        ENDPOINT_DISABLED.set(1)
        log.error(
            "webhook endpoint disabled by 410 (notification %s); deliveries are parked "
            "until `vroegsignaal dlq replay`",
            gone[0].notification_id,
        )
    return delivered


def alert_unsendable(notification_id: str, exc: Exception) -> None:
    """A poison pill: counted and logged at error (the exception's type, never its message)."""
    WEBHOOK_UNSENDABLE.inc()
    log.error(
        "notification %s cannot be sent (%s): a dead letter at once; see `vroegsignaal dlq list`",
        notification_id,
        type(exc).__name__,
    )


def count_team_email_attempts(after: Sequence[Delivery]) -> None:
    for a in after:
        TEAM_EMAILS.labels(outcome=_EMAIL_OUTCOMES[a.status]).inc()
        if a.status is DeliveryStatus.DEAD:
            _dead("team e-mail for notification", a)


def _dead(what: str, delivery: Delivery) -> None:
    log.warning(
        "%s %s is a dead letter after %d attempts (%s); see `vroegsignaal dlq list`",
        what,
        delivery.notification_id,
        delivery.attempts,
        delivery.last_error,
    )
