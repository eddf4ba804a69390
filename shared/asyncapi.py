"""The AsyncAPI 3 document of the event stream, generated from the event models it describes,
and of the webhook the notifier sends to the USD (an HTTP channel beside the Kafka topics).

Served at `/asyncapi.json` by every process, so it cannot drift from what is published.
"""

from __future__ import annotations

from typing import Any

from shared.events import (
    CASE_EVENT_PREFIX,
    CASES_TOPIC,
    SIGNAL_RECEIVED,
    SIGNALS_TOPIC,
    CaseChanged,
    SignalReceived,
)
from shared.vocabulary import CHANGE_KINDS
from shared.webhook import SIGNATURE_HEADERS, CaseWebhookEvent

_REF = "#/components/schemas/{model}"


def _webhook_headers() -> dict[str, Any]:
    """Standard Webhooks signature headers and the CloudEvents structured-mode media type."""
    return {
        "type": "object",
        "required": [*SIGNATURE_HEADERS, "content-type"],
        "properties": {
            **{name: {"type": "string", "description": d} for name, d in SIGNATURE_HEADERS.items()},
            "content-type": {"const": "application/cloudevents+json"},
        },
    }


def _ce_headers(types: list[str]) -> dict[str, Any]:
    """CloudEvents 1.0 Kafka binary mode: attributes as `ce_*` headers (NL GOV profile)."""
    return {
        "type": "object",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"],
        "properties": {
            "ce_specversion": {"const": "1.0"},
            "ce_id": {"type": "string", "description": "Unique per source; the dedup key."},
            "ce_source": {"type": "string", "format": "uri-reference"},
            "ce_type": {"enum": types},
            "ce_time": {"type": "string", "format": "date-time"},
            "ce_subject": {"type": "string", "description": "Pseudonym or case id."},
            "content-type": {"const": "application/json"},
        },
    }


def asyncapi_document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in (SignalReceived, CaseChanged, CaseWebhookEvent):
        schema = model.model_json_schema(ref_template=_REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    case_types = [CASE_EVENT_PREFIX + c for c in CHANGE_KINDS]
    key = {
        "type": "string",
        "description": "Household pseudonym (HMAC of the address): a "
        "household's events stay in order on one partition. Never plaintext personal data.",
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Vroegsignaal event stream",
            "version": "1.0.0",
            "description": "Signals from housing corporations and the cases triage makes of "
            "them. Payloads carry no plaintext personal data: the household is sealed "
            "(AES-GCM, VS_PII_KEY). Delivery is at least once; consumers are idempotent on "
            "CloudEvent source + id (inbox).",
        },
        "defaultContentType": "application/json",
        "channels": {
            "signals": {
                "address": SIGNALS_TOPIC,
                "description": "Accepted signals (Vroegsignalen), written by signal_ingest's "
                "outbox relay.",
                "messages": {"signalReceived": {"$ref": "#/components/messages/signalReceived"}},
            },
            "cases": {
                "address": CASES_TOPIC,
                "description": "Changes of household cases (Vroegsignaalzaken), written by "
                "triage's outbox relay.",
                "messages": {"caseChanged": {"$ref": "#/components/messages/caseChanged"}},
            },
            "usdWebhook": {
                "address": "{webhookUrl}",
                "parameters": {
                    "webhookUrl": {"description": "The USD's endpoint, `VS_USD_WEBHOOK_URL`."}
                },
                "description": "Case changes POSTed to the USD, one CloudEvent per request. "
                "Only 2xx is delivered; retries with backoff honour `Retry-After`; 410 disables "
                "the endpoint; after the retry budget the notification is a dead letter ops can "
                "replay under the same `webhook-id`.",
                "messages": {"caseWebhook": {"$ref": "#/components/messages/caseWebhook"}},
                "bindings": {"http": {"bindingVersion": "0.3.0"}},
            },
        },
        "operations": {
            "publishSignal": {
                "action": "send",
                "channel": {"$ref": "#/channels/signals"},
                "summary": "signal_ingest relay publishes accepted signals",
            },
            "triageSignals": {
                "action": "receive",
                "channel": {"$ref": "#/channels/signals"},
                "summary": "consumer group `triage`: cases per household",
            },
            "publishCaseChange": {
                "action": "send",
                "channel": {"$ref": "#/channels/cases"},
                "summary": "triage relay publishes case changes",
            },
            "notifyUsd": {
                "action": "receive",
                "channel": {"$ref": "#/channels/cases"},
                "summary": "consumer group `notifier`: webhooks and e-mail to the USD",
            },
            "deliverCaseWebhook": {
                "action": "send",
                "channel": {"$ref": "#/channels/usdWebhook"},
                "summary": "the notifier POSTs each case change to the USD, signed",
                "bindings": {"http": {"method": "POST", "bindingVersion": "0.3.0"}},
            },
            "signalFeedback": {
                "action": "receive",
                "channel": {"$ref": "#/channels/cases"},
                "summary": "consumer group `signal-ingest-feedback`: signal "
                "status picked_up / not_picked_up when a case closes",
            },
        },
        "components": {
            "messages": {
                "signalReceived": {
                    "name": SIGNAL_RECEIVED,
                    "headers": _ce_headers([SIGNAL_RECEIVED]),
                    "payload": {"$ref": _REF.format(model="SignalReceived")},
                    "bindings": {"kafka": {"key": key}},
                },
                "caseChanged": {
                    "name": "nl.vroegsignaal.case.*",
                    "headers": _ce_headers(case_types),
                    "payload": {"$ref": _REF.format(model="CaseChanged")},
                    "bindings": {"kafka": {"key": key}},
                },
                "caseWebhook": {
                    "name": "nl.vroegsignaal.case.* (webhook)",
                    "contentType": "application/cloudevents+json",
                    "headers": _webhook_headers(),
                    "payload": {"$ref": _REF.format(model="CaseWebhookEvent")},
                },
            },
            "schemas": schemas,
        },
    }
