"""VERA intake (CONTRACT §11): a corporation posts a VERA `Signalering`; it is stored as the
signal it means through the same use case as POST /v1/signals, and answered the same way."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from shared.observability import SIGNALS_REJECTED
from shared.web.auth import SignalWriter
from shared.web.problems import FieldError, Problem, ProblemError, field_errors
from signal_ingest.api import CommitterDep, answer_one, json_body
from signal_ingest.domain.signal import parse_signal
from signal_ingest.domain.vera import Unmappable, signal_body, vera_field
from signal_ingest.schemas import SignalAccepted
from signal_ingest.vera_schemas import EXAMPLE_SIGNALERING, SignaleringIn

router = APIRouter(prefix="/v1/vera", tags=["signals"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (401, 403, 413, 415, 422)
}


@router.post(
    "/signaleringen",
    status_code=202,
    response_model=SignalAccepted,
    summary="Post one VERA Signalering (Aedes): stored as the signal it means",
    responses={
        **_PROBLEMS,
        200: {"description": "Replay of an accepted Signalering", "model": SignalAccepted},
        409: {"description": "This idExtern was used with another body", "model": Problem},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/VeraSignalering"},
                    "example": EXAMPLE_SIGNALERING,
                }
            },
        }
    },
)
async def post_signalering(
    request: Request, principal: SignalWriter, committer: CommitterDep
) -> Response:
    """`soort`/`detailSoort` codes with no Vroegsignaal meaning → 422 naming them."""
    try:
        signalering = SignaleringIn.model_validate(json_body(await request.body()))
    except ValidationError as exc:
        raise _invalid(principal.source, field_errors(exc.errors())) from None
    if signalering.key is None:
        missing = FieldError(field="idExtern", message="idExtern (or id) is the idempotency key")
        raise _invalid(principal.source, [missing])
    body = signal_body(
        signalering.key,
        signalering.soort.code if signalering.soort else None,
        signalering.detail_soort.code if signalering.detail_soort else None,
        signalering.begindatum,
        signalering.adres.address(),
        signalering.tenant_reference,
        signalering.vroegsignaal,
    )
    if isinstance(body, Unmappable):
        SIGNALS_REJECTED.labels(source=principal.source).inc()
        named = ", ".join(body.codes)
        raise ProblemError(
            422,
            f"No Vroegsignaal signal type for VERA code(s) {named}.",
            [
                FieldError(field=_field_of(code), message=f"{code} cannot be mapped")
                for code in body.codes
            ],
            extensions={"unmapped_codes": list(body.codes)},
        )
    try:
        signal = parse_signal(body)
    except ValidationError as exc:
        errors = [
            FieldError(field=vera_field(e.field), message=e.message)
            for e in field_errors(exc.errors())
        ]
        raise _invalid(principal.source, errors) from None
    return await answer_one(committer, principal.source, signal)


def _invalid(source: str, errors: list[FieldError]) -> ProblemError:
    SIGNALS_REJECTED.labels(source=source).inc()
    return ProblemError(422, "The Signalering is not valid; see errors.", errors)


def _field_of(code: str) -> str:
    return "detailSoort.code" if code.startswith("SIGNALERINGDETAILSOORT") else "soort.code"


def vera_schemas() -> dict[str, Any]:
    """The VeraSignalering component for the raw-body route."""
    schema = SignaleringIn.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/{model}"
    )
    defs = dict(schema.pop("$defs", {}))
    defs["VeraSignalering"] = schema
    return defs
