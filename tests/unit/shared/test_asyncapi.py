"""The published AsyncAPI document describes exactly what goes on the bus."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import jsonschema
import orjson

from shared.asyncapi import asyncapi_document
from shared.crypto import PiiVault, generate_pii_key
from shared.envelope import KeySet
from shared.events import TOPICS
from signal_ingest.domain.intake import body_hash
from signal_ingest.domain.signal import parse_signal
from signal_ingest.received import new_signal
from tests.signals import rent_arrears

DOC = asyncapi_document()


def validate(instance: Any, ref: str) -> None:
    jsonschema.Draft202012Validator({**DOC, "$ref": ref}).validate(instance)


def test_document_is_asyncapi_3_with_a_channel_per_topic_and_the_webhook() -> None:
    assert DOC["asyncapi"] == "3.0.0"
    kafka = {c["address"] for c in DOC["channels"].values() if "http" not in c.get("bindings", {})}
    assert kafka == set(TOPICS)
    webhook = DOC["channels"]["usdWebhook"]
    assert webhook["bindings"]["http"] and "caseWebhook" in webhook["messages"]
    for operation in DOC["operations"].values():
        assert operation["channel"]["$ref"].removeprefix("#/channels/") in DOC["channels"]


def test_a_real_signal_event_matches_its_documented_headers_and_payload() -> None:
    vault = PiiVault(generate_pii_key())
    signal = parse_signal(rent_arrears())
    pseudonym = vault.pseudonym(signal.household.address.identity())
    keys = KeySet({pseudonym: os.urandom(32)}, vault.open)
    record = new_signal(signal, body_hash(signal), "corp", vault, datetime.now(UTC), keys).event
    headers = {name: value.decode() for name, value in record.headers}
    validate(headers, "#/components/messages/signalReceived/headers")
    validate(orjson.loads(record.value), "#/components/messages/signalReceived/payload")


def test_a_payload_missing_the_sealed_household_is_refused() -> None:
    payload = {"signal_id": "x", "source": "corp", "type": "rent_arrears"}
    try:
        validate(payload, "#/components/messages/signalReceived/payload")
    except jsonschema.ValidationError as error:
        assert "required" in error.message or "sealed_household" in error.message
    else:
        raise AssertionError("an incomplete payload passed the documented schema")


def test_the_webhook_message_documents_its_signature_and_cloudevent() -> None:
    headers = {
        "webhook-id": "evt-1",
        "webhook-timestamp": "1764633600",
        "webhook-signature": "v1,abc=",
        "content-type": "application/cloudevents+json",
    }
    validate(headers, "#/components/messages/caseWebhook/headers")
    unsigned = {k: v for k, v in headers.items() if k != "webhook-signature"}
    try:
        validate(unsigned, "#/components/messages/caseWebhook/headers")
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a webhook without a signature passed the documented headers")
    payload = DOC["components"]["schemas"]["CaseWebhookEvent"]
    assert {"specversion", "id", "type", "subject", "data"} <= set(payload["required"])
