"""Shapes of the ingest API, named by role, and the documented signal schema and example."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.vocabulary import SignalStatus
from shared.web.problems import FieldError
from signal_ingest.domain.intake import Intake
from signal_ingest.domain.signal import SIGNAL
from signal_ingest.domain.status import SignalState

MAX_BATCH = 1000


class SignalLinks(BaseModel):
    self: str


class SignalAccepted(BaseModel):
    id: str
    status: Literal["accepted"] = "accepted"
    received_at: datetime
    links: SignalLinks


def accepted_document(intake: Intake) -> dict[str, Any]:
    """The `SignalAccepted` document (its model documents it; a dict is cheaper per request)."""
    return {
        "id": intake.id,
        "status": "accepted",
        "received_at": intake.received_at.isoformat().replace("+00:00", "Z"),
        "links": {"self": f"/v1/signals/{intake.id}"},
    }


class BatchIn(BaseModel):
    signals: list[Any] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="1 to 1000 signals, each as in POST /v1/signals.",
    )


class BatchItemResult(BaseModel):
    id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    errors: list[FieldError] = Field(default_factory=list)

    @classmethod
    def of(cls, intake: Intake) -> BatchItemResult:
        if intake.verdict == "conflict":
            return cls(
                id=intake.id,
                status="rejected",
                errors=[FieldError(field="id", message="already accepted with another body")],
            )
        return cls(id=intake.id, status=intake.verdict)


class BatchResult(BaseModel):
    results: list[BatchItemResult]


class SignalStatusOut(BaseModel):
    """The only feedback a creditor may get (DDAS): never score, team, notes or outcome."""

    id: str
    type: str
    received_at: datetime
    status: SignalStatus

    @classmethod
    def of(cls, state: SignalState) -> SignalStatusOut:
        return cls(id=state.id, type=state.type, received_at=state.received_at, status=state.status)


EXAMPLE_SIGNAL = {
    "id": "6f1c2b1e-6a55-4f0e-9a57-2a4f7f9d1c11",
    "type": "rent_arrears",
    "occurred_at": "2026-11-02T09:00:00+01:00",
    "household": {
        "address": {
            "postcode": "1402 AB",
            "house_number": 12,
            "house_number_addition": "A",
            "city": "Bussum",
        },
        "tenant_reference": "HUUR-000123",
        "contacts": [
            {
                "name": "J. de Vries",
                "phone": "+31612345678",
                "email": "j.devries@example.nl",
                "date_of_birth": "1988-04-01",
            }
        ],
        "minors": 2,
        "adults": 1,
    },
    "details": {"amount_eur": 1380.50, "monthly_rent_eur": 690.25, "arrears_since": "2026-09-01"},
}


def signal_schemas() -> dict[str, Any]:
    """Component schemas for the raw-body endpoints (FastAPI cannot infer them)."""
    schema = SIGNAL.json_schema(ref_template="#/components/schemas/{model}")
    defs = dict(schema.get("$defs", {}))
    defs["Signal"] = {k: v for k, v in schema.items() if k != "$defs"}
    defs["SignalBatch"] = {
        "type": "object",
        "required": ["signals"],
        "properties": {
            "signals": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_BATCH,
                "items": {"$ref": "#/components/schemas/Signal"},
            }
        },
    }
    return defs
