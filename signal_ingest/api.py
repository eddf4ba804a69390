"""REST adapter of signal ingest (CONTRACT §2): thin routes around `committer.SignalCommitter`."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from shared.observability import SIGNALS_ACCEPTED, SIGNALS_REJECTED
from shared.web.auth import SignalWriter
from shared.web.problems import FieldError, Problem, ProblemError, field_errors, json_response
from signal_ingest.committer import ShuttingDown, SignalCommitter
from signal_ingest.domain.signal import SIGNAL, SignalIn, parse_signal
from signal_ingest.intake import Intake
from signal_ingest.schemas import (
    BatchIn,
    BatchItemResult,
    BatchResult,
    SignalAccepted,
    SignalStatusOut,
)
from signal_ingest.tables import signals

router = APIRouter(prefix="/v1/signals", tags=["signals"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (401, 403, 413, 415, 422)
}
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
_SIGNAL_SCHEMA = SIGNAL.json_schema(ref_template="#/components/schemas/{model}")


def _accepted_body(intake: Intake) -> dict[str, Any]:
    """The `SignalAccepted` document (its model documents it; a dict is cheaper per request)."""
    return {
        "id": intake.id,
        "status": "accepted",
        "received_at": intake.received_at.isoformat().replace("+00:00", "Z"),
        "links": {"self": f"/v1/signals/{intake.id}"},
    }


async def _accept(request: Request, source: str, batch: list[SignalIn]) -> list[Intake]:
    committer: SignalCommitter = request.app.state.runtime.signals
    try:
        outcome = await committer.accept(source, batch)
    except ShuttingDown:
        raise ProblemError(
            503, "The service is stopping; retry (retries are safe).", headers={"Retry-After": "1"}
        ) from None
    accepted = Counter(
        signal.type
        for signal, intake in zip(batch, outcome, strict=True)
        if intake.verdict == "accepted"
    )
    for kind, count in accepted.items():
        SIGNALS_ACCEPTED.labels(source=source, type=kind).inc(count)
    return outcome


def _json_body(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProblemError(
            422,
            f"The body is not valid JSON: {exc}",
            [FieldError(field="body", message="invalid JSON")],
        ) from None


@router.post(
    "",
    status_code=202,
    response_model=SignalAccepted,
    summary="Post one signal",
    responses={
        **_PROBLEMS,
        200: {"description": "Replay of an accepted signal", "model": SignalAccepted},
        409: {"description": "This id was used with another body", "model": Problem},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Signal"},
                    "example": EXAMPLE_SIGNAL,
                }
            },
        }
    },
)
async def post_signal(request: Request, principal: SignalWriter) -> Response:
    try:
        signal = parse_signal(_json_body(await request.body()))
    except ValidationError as exc:
        SIGNALS_REJECTED.labels(source=principal.source).inc()
        raise ProblemError(
            422, "The signal is not valid; see errors.", field_errors(exc.errors())
        ) from None
    [intake] = await _accept(request, principal.source, [signal])
    if intake.verdict == "conflict":
        SIGNALS_REJECTED.labels(source=principal.source).inc()
        raise ProblemError(409, f"Signal {intake.id} was already accepted with another body.")
    if intake.verdict == "duplicate":
        return json_response(_accepted_body(intake), headers={"Idempotent-Replayed": "true"})
    return json_response(_accepted_body(intake), 202)


@router.post(
    "/batch",
    response_model=BatchResult,
    summary="Post 1 to 1000 signals",
    responses=_PROBLEMS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/SignalBatch"},
                    "example": {"signals": [EXAMPLE_SIGNAL]},
                }
            },
        }
    },
)
async def post_batch(request: Request, principal: SignalWriter) -> BatchResult:
    """Each item is judged on its own: valid ones are accepted even when others are rejected."""
    try:
        body = BatchIn.model_validate(_json_body(await request.body()))
    except ValidationError as exc:
        raise ProblemError(
            422, "The batch is not valid; see errors.", field_errors(exc.errors())
        ) from None
    results: list[BatchItemResult | None] = []
    valid: list[tuple[int, SignalIn]] = []
    for position, raw in enumerate(body.signals):
        try:
            valid.append((position, parse_signal(raw)))
            results.append(None)
        except ValidationError as exc:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            results.append(
                BatchItemResult(
                    id=raw_id if isinstance(raw_id, str) else None,
                    status="rejected",
                    errors=field_errors(exc.errors()),
                )
            )
    if valid:
        outcome = await _accept(request, principal.source, [s for _, s in valid])
        for (position, _), intake in zip(valid, outcome, strict=True):
            results[position] = _batch_item(intake)
    rejected = sum(1 for r in results if r is not None and r.status == "rejected")
    if rejected:
        SIGNALS_REJECTED.labels(source=principal.source).inc(rejected)
    return BatchResult(results=[r for r in results if r is not None])


def _batch_item(intake: Intake) -> BatchItemResult:
    if intake.verdict == "conflict":
        return BatchItemResult(
            id=intake.id,
            status="rejected",
            errors=[FieldError(field="id", message="already accepted with another body")],
        )
    status = "accepted" if intake.verdict == "accepted" else "duplicate"
    return BatchItemResult(id=intake.id, status=status)


@router.get(
    "/{signal_id}",
    response_model=SignalStatusOut,
    summary="Status of own signal",
    responses={404: {"model": Problem}, 401: {"model": Problem}, 403: {"model": Problem}},
)
async def get_signal(signal_id: UUID, request: Request, principal: SignalWriter) -> SignalStatusOut:
    async with request.app.state.engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    signals.c.signal_id, signals.c.type, signals.c.received_at, signals.c.status
                ).where(signals.c.source == principal.source, signals.c.signal_id == str(signal_id))
            )
        ).first()
    if row is None:
        raise ProblemError(404, f"No signal {signal_id} from this source.")
    return SignalStatusOut(
        id=row.signal_id, type=row.type, received_at=row.received_at, status=row.status
    )


def signal_schemas() -> dict[str, Any]:
    """Component schemas for the raw-body endpoint (FastAPI cannot infer them)."""
    defs = dict(_SIGNAL_SCHEMA.get("$defs", {}))
    defs["Signal"] = {k: v for k, v in _SIGNAL_SCHEMA.items() if k != "$defs"}
    defs["SignalBatch"] = {
        "type": "object",
        "required": ["signals"],
        "properties": {
            "signals": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1000,
                "items": {"$ref": "#/components/schemas/Signal"},
            }
        },
    }
    return defs
