"""REST adapter of signal ingest (CONTRACT §2): thin routes around `committer.SignalCommitter`
(which stores through `service.accept_signals`) and `service.signal_state`."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from shared.logs import log_context
from shared.observability import SIGNALS_ACCEPTED, SIGNALS_REJECTED
from shared.web.auth import SignalWriter
from shared.web.deps import EngineDep, provided
from shared.web.problems import FieldError, Problem, ProblemError, field_errors, json_response
from signal_ingest import service
from signal_ingest.committer import ShuttingDown, SignalCommitter
from signal_ingest.domain.intake import Intake
from signal_ingest.domain.signal import SignalIn, parse_signal
from signal_ingest.repository import SignalRepository
from signal_ingest.schemas import (
    EXAMPLE_SIGNAL,
    BatchIn,
    BatchItemResult,
    BatchResult,
    SignalAccepted,
    SignalStatusOut,
    accepted_document,
)

log = logging.getLogger(__name__)
CommitterDep = Annotated[SignalCommitter, Depends(provided("signals"))]
"""Where posted signals are stored: concurrent posts share one write (group commit)."""


async def _signal_records(engine: EngineDep) -> service.SignalRecords:
    return SignalRepository(engine)


SignalRecordsDep = Annotated[service.SignalRecords, Depends(_signal_records)]

router = APIRouter(prefix="/v1/signals", tags=["signals"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (401, 403, 413, 415, 422)
}


def _body(schema: str, example: Any) -> dict[str, Any]:
    """The documented request body of a raw-body route (`schemas.signal_schemas`)."""
    content = {"schema": {"$ref": f"#/components/schemas/{schema}"}, "example": example}
    return {"requestBody": {"required": True, "content": {"application/json": content}}}


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
    openapi_extra=_body("Signal", EXAMPLE_SIGNAL),
)
async def post_signal(
    request: Request, principal: SignalWriter, committer: CommitterDep
) -> Response:
    try:
        signal = parse_signal(json_body(await request.body()))
    except ValidationError as exc:
        SIGNALS_REJECTED.labels(source=principal.source).inc()
        raise ProblemError(
            422, "The signal is not valid; see errors.", field_errors(exc.errors())
        ) from None
    return await answer_one(committer, principal.source, signal)


async def answer_one(committer: SignalCommitter, source: str, signal: SignalIn) -> Response:
    """Stores one valid signal and answers as CONTRACT §2: 202, a 200 replay, or 409."""
    with log_context(signal_id=str(signal.id), source=source):
        [intake] = await _accept(committer, source, [signal])
        log.info("signal %s %s", intake.id, intake.verdict)
    if intake.verdict == "conflict":
        SIGNALS_REJECTED.labels(source=source).inc()
        raise ProblemError(409, f"Signal {intake.id} was already accepted with another body.")
    if intake.verdict == "duplicate":
        return json_response(accepted_document(intake), headers={"Idempotent-Replayed": "true"})
    return json_response(accepted_document(intake), 202)


@router.post(
    "/batch",
    response_model=BatchResult,
    summary="Post 1 to 1000 signals",
    responses=_PROBLEMS,
    openapi_extra=_body("SignalBatch", {"signals": [EXAMPLE_SIGNAL]}),
)
async def post_batch(
    request: Request, principal: SignalWriter, committer: CommitterDep
) -> BatchResult:
    """Each item is judged on its own: valid ones are accepted even when others are rejected."""
    try:
        body = BatchIn.model_validate(json_body(await request.body()))
    except ValidationError as exc:
        raise ProblemError(
            422, "The batch is not valid; see errors.", field_errors(exc.errors())
        ) from None
    results, valid = _parse_items(body.signals)
    if valid:
        outcome = await _accept(committer, principal.source, [s for _, s in valid])
        for (position, _), intake in zip(valid, outcome, strict=True):
            results[position] = BatchItemResult.of(intake)
    answered = [r for r in results if r is not None]
    _log_batch(principal.source, answered)
    rejected = sum(1 for r in answered if r.status == "rejected")
    if rejected:
        SIGNALS_REJECTED.labels(source=principal.source).inc(rejected)
    return BatchResult(results=answered)


def _log_batch(source: str, results: list[BatchItemResult]) -> None:
    """One line per batch, its ids comma-joined: a grep for any of them finds it. Only ids that
    are UUIDs are named (a rejected item's `id` may hold anything, even a name)."""
    counts = Counter(r.status for r in results)
    stored = ",".join(r.id for r in results if r.status != "rejected" and r.id)
    rejected = ",".join(r.id for r in results if r.status == "rejected" and r.id and _is_uuid(r.id))
    with log_context(source=source, signal_ids=stored or None, rejected_ids=rejected or None):
        log.info(
            "batch of %d: %d accepted, %d duplicate, %d rejected",
            len(results),
            counts["accepted"],
            counts["duplicate"],
            counts["rejected"],
        )


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@router.api_route("/batch", methods=["GET", "HEAD"], include_in_schema=False)
async def batch_is_post_only() -> Response:
    """Without it `GET /v1/signals/batch` would read `batch` as a signal id (422)."""
    raise ProblemError(405, "Only POST is allowed here.", headers={"Allow": "POST"})


@router.get(
    "/{signal_id}",
    response_model=SignalStatusOut,
    summary="Status of own signal",
    responses={404: {"model": Problem}, 401: {"model": Problem}, 403: {"model": Problem}},
)
async def get_signal(
    signal_id: UUID, principal: SignalWriter, signals: SignalRecordsDep
) -> SignalStatusOut:
    state = await service.signal_state(signals, principal.source, str(signal_id))
    if state is None:
        raise ProblemError(404, f"No signal {signal_id} from this source.")
    return SignalStatusOut.of(state)


async def _accept(committer: SignalCommitter, source: str, batch: list[SignalIn]) -> list[Intake]:
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


def _parse_items(
    items: list[Any],
) -> tuple[list[BatchItemResult | None], list[tuple[int, SignalIn]]]:
    """The rejected items' results in place (None where valid), and the valid ones by position."""
    results: list[BatchItemResult | None] = []
    valid: list[tuple[int, SignalIn]] = []
    for position, raw in enumerate(items):
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
    return results, valid


def json_body(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProblemError(
            422,
            f"The body is not valid JSON: {exc}",
            [FieldError(field="body", message="invalid JSON")],
        ) from None
