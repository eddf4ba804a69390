"""Prometheus metrics (logs: `shared.logs`). Labels are never personal data: only types,
sources, teams."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SIGNALS_ACCEPTED = Counter("vs_signals_accepted_total", "Signals accepted", ["source", "type"])
SIGNALS_REJECTED = Counter("vs_signals_rejected_total", "Signals refused (422/409)", ["source"])
EVENTS_CONSUMED = Counter("vs_events_consumed_total", "Bus records handled", ["consumer"])
EVENTS_REJECTED = Counter("vs_events_rejected_total", "Unreadable bus records", ["consumer"])
EVENTS_PARKED = Counter(
    "vs_events_parked_total", "Bus records a consumer could not handle, parked", ["consumer"]
)
OUTBOX_BACKLOG = Gauge("vs_outbox_backlog", "Events committed but not yet on the bus")
CONSUMER_LAG = Gauge("vs_consumer_lag", "Records not yet handled", ["consumer"])
CASES_OPEN = Gauge("vs_cases_open", "Open cases", ["priority"])
DELIVERIES = Counter("vs_webhook_deliveries_total", "Webhook attempts", ["outcome"])
DEAD_LETTERS = Gauge("vs_dead_letters", "Notifications in the dead-letter store")
ENDPOINT_DISABLED = Gauge("vs_webhook_endpoint_disabled", "1 when the USD endpoint sent 410")
DELIVERY_LATENCY = Histogram(
    "vs_case_change_to_webhook_seconds",
    "From the case change (triage) to the webhook delivered to the USD",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
