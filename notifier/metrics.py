"""The notifier's own metrics (webhook ones live in `shared.observability`). No personal data in
labels: outcomes only."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

TEAM_EMAILS = Counter("vs_team_emails_total", "Team e-mail attempts", ["outcome"])
TEAM_EMAIL_DEAD_LETTERS = Gauge(
    "vs_team_email_dead_letters", "Team e-mails that ran out of retries (`vroegsignaal dlq list`)"
)
