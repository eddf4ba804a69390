"""The webhook's wire format and one attempt of the sender, on `httpx.MockTransport`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID, uuid4

import httpx
import pytest

from notifier.channels.cloudevent import encode_event
from notifier.channels.webhook import PayloadBuilder, WebhookSender
from notifier.domain.notification import Notification, minimal_data
from shared.keys import generate_webhook_secret, is_usable_webhook_secret
from tests.unit.notifier.fakes import HOUSEHOLD, VAULT, FakeUsd, stored_notification

SOURCE = "/vroegsignaal/triage"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
URL = "https://usd.example.nl/hooks/vroegsignaal"


def make_notification() -> Notification:
    case_id = str(uuid4())
    return Notification(
        id=str(uuid4()),
        change="escalated",
        subject=case_id,
        time=datetime(2026, 11, 2, 10, 15, 30, tzinfo=UTC),
        data={"id": UUID(case_id), "priority": "high", "respond_before": START},
    )


def sender_on(handler, secret: str | None = None) -> WebhookSender:
    return WebhookSender(
        httpx.MockTransport(handler),
        URL,
        generate_webhook_secret() if secret is None else secret,
        SOURCE,
    )


async def test_the_event_is_a_structured_cloudevent_signed_per_standard_webhooks() -> None:
    usd = FakeUsd(generate_webhook_secret())
    notification = make_notification()

    result = await sender_on(usd, usd.secret).send(notification)

    assert (result.status_code, result.error) == (200, None)
    [(request, event)] = usd.received  # FakeUsd verified it with standardwebhooks
    assert request.headers["webhook-id"] == notification.id
    assert event == {
        "specversion": "1.0",
        "id": notification.id,
        "source": SOURCE,
        "type": "nl.vroegsignaal.case.escalated",
        "time": "2026-11-02T10:15:30Z",
        "subject": notification.subject,
        "datacontenttype": "application/json",
        "data": {
            "id": notification.subject,
            "priority": "high",
            "respond_before": "2026-11-02T09:00:00Z",
        },
    }


async def test_an_answer_other_than_2xx_is_reported_with_its_retry_after() -> None:
    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "120"}, text="slow down, J. de Vries")

    result = await sender_on(busy).send(make_notification())

    assert (result.status_code, result.retry_after, result.error) == (429, "120", "HTTP 429")


@pytest.mark.parametrize(
    ("failure", "error"),
    [(httpx.ConnectError("refused"), "ConnectError"), (httpx.ReadTimeout("slow"), "timeout")],
)
async def test_transport_failures_come_back_as_results(failure: Exception, error: str) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    result = await sender_on(fail).send(make_notification())

    assert (result.status_code, result.error) == (None, error)


async def test_the_full_payload_opens_the_household_the_minimal_one_links_the_case() -> None:
    stored = stored_notification("closed")
    base = "https://vs.example.nl/"

    full = await PayloadBuilder(VAULT, "full", base).notification(stored)
    minimal = await PayloadBuilder(VAULT, "minimal", base).notification(stored)

    assert full.data == {"id": stored.subject, "priority": "high", "household": HOUSEHOLD}
    link = f"https://vs.example.nl/v1/cases/{stored.subject}"
    assert minimal.data == {"id": stored.subject, "links": {"self": link}}
    assert full.id == minimal.id == stored.id and full.event_type == stored.event_type


def test_minimal_payload_names_the_case_and_its_link() -> None:
    case_id = str(uuid4())
    link = f"https://usd.example.nl/v1/cases/{case_id}"
    notification = Notification(
        id=str(uuid4()),
        change="closed",
        subject=case_id,
        time=START,
        data=minimal_data(case_id, link),
    )

    headers, body = encode_event(notification, SOURCE)

    assert headers == {"content-type": "application/cloudevents+json"}
    assert json.loads(body)["data"] == {"id": case_id, "links": {"self": link}}
    assert body == encode_event(notification, SOURCE)[1]


def test_generated_secrets_are_usable_and_distinct() -> None:
    first, second = generate_webhook_secret(), generate_webhook_secret()

    assert is_usable_webhook_secret(first) and is_usable_webhook_secret(second)
    assert first != second


@pytest.mark.parametrize(
    "secret",
    ["", "whsec_", "c2VjcmV0", "whsec_c2VjcmV0", "whsec_not base64!!", "whsec_" + "A" * 200],
)
def test_unusable_secrets_are_refused(secret: str) -> None:
    assert not is_usable_webhook_secret(secret)
    with pytest.raises(ValueError, match="secret"):
        sender_on(lambda request: httpx.Response(200), secret)


def test_naive_datetimes_in_case_data_are_refused() -> None:
    notification = Notification(
        id=str(uuid4()),
        change="updated",
        subject=str(uuid4()),
        time=START,
        data={"respond_before": datetime(2026, 11, 5, 9, 0)},
    )

    with pytest.raises(ValueError, match="naive"):
        encode_event(notification, SOURCE)


async def test_a_stored_type_that_is_no_case_change_is_refused() -> None:
    stored = stored_notification()
    stored = type(stored)(
        **{**{f: getattr(stored, f) for f in stored.__slots__}, "event_type": "x"}
    )

    with pytest.raises(ValueError, match="case event type"):
        await PayloadBuilder(VAULT, "minimal", "https://vs.example.nl").notification(stored)
