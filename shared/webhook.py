"""The USD webhook as the USD receives it (CONTRACT §4): a CloudEvent in structured mode, signed
per Standard Webhooks. Documents only; the notifier builds the bytes. One model for the OpenAPI
`webhooks` entry and the AsyncAPI webhook channel."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.case_document import CaseWithHousehold

SIGNATURE_HEADERS = {
    "webhook-id": "The CloudEvent id: the same on every retry and replay.",
    "webhook-timestamp": "Unix seconds of this attempt.",
    "webhook-signature": "`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` with "
    "VS_USD_WEBHOOK_SECRET (a `whsec_` secret).",
}


class CaseWebhookEvent(BaseModel):
    """A CloudEvents 1.0 event in structured mode (`application/cloudevents+json`)."""

    specversion: Literal["1.0"]
    id: str = Field(description="Unique per change; equal to `webhook-id` on every retry.")
    source: str = Field(examples=["/vroegsignaal/notifier"])
    type: Literal[
        "nl.vroegsignaal.case.opened",
        "nl.vroegsignaal.case.escalated",
        "nl.vroegsignaal.case.updated",
        "nl.vroegsignaal.case.closed",
    ]
    time: datetime
    subject: str = Field(description="The case id.")
    datacontenttype: Literal["application/json"] = "application/json"
    data: CaseWithHousehold = Field(
        description="The case as in `GET /v1/cases/{id}` (`VS_WEBHOOK_PAYLOAD=minimal` sends "
        "only its id and link)."
    )
