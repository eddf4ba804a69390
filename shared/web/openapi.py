"""What the OpenAPI document says beyond the routes (CONTRACT §9): every error is a problem
document, every protected operation needs the bearer key, a replayed POST says so in
`Idempotent-Replayed`, and the USD webhook is described under `webhooks`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Header

from shared.web.problems import PROBLEM_JSON, Problem
from shared.webhook import SIGNATURE_HEADERS, CaseWebhookEvent

PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
AUTH_ANSWERS = {
    "401": "No key, or an unknown or revoked key (`WWW-Authenticate: Bearer`).",
    "403": "The key lacks the scope this operation needs.",
    "429": "This source is over its rate limit (`VS_RATE_LIMIT_PER_S`, bursts up to "
    "`VS_RATE_LIMIT_BURST`; a batch counts as one request): retry after `Retry-After` seconds.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "`true`: this id was accepted before with the same body; nothing new "
        "was stored and the first answer is repeated.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def document_webhooks(app: FastAPI) -> None:
    """The USD's endpoint (`VS_USD_WEBHOOK_URL`) as OpenAPI `webhooks`."""

    @app.webhooks.post(
        "caseChanged",
        summary="A case was opened, escalated, updated or closed",
        status_code=204,
        responses={
            200: {"description": "Delivered (any 2xx)."},
            410: {"description": "The endpoint is gone: delivery stops and ops is alerted."},
            429: {"description": "Retried after `Retry-After` seconds."},
            503: {"description": "Any other answer is retried with backoff, then dead-lettered."},
        },
    )
    def case_changed(
        event: CaseWebhookEvent,
        webhook_id: Annotated[str, Header(description=SIGNATURE_HEADERS["webhook-id"])],
        webhook_timestamp: Annotated[
            int, Header(description=SIGNATURE_HEADERS["webhook-timestamp"])
        ],
        webhook_signature: Annotated[
            str, Header(description=SIGNATURE_HEADERS["webhook-signature"])
        ],
    ) -> None:
        """POSTed to `VS_USD_WEBHOOK_URL`, signed per Standard Webhooks. Only 2xx counts as
        delivered; the same change never arrives under another `webhook-id`."""


def _polish(spec: dict[str, Any]) -> dict[str, Any]:
    for path in spec.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                for code, description in AUTH_ANSWERS.items():
                    responses.setdefault(code, {"description": description})
                responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
            for code, answer in responses.items():
                if code[0] in "45":
                    answer["content"] = PROBLEM
            if method == "post" and "202" in responses and "200" in responses:
                responses["200"].setdefault("headers", {}).update(REPLAYED)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in schemas:
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
    for hook in spec.get("webhooks", {}).values():  # the USD's answers, not our problems
        for operation in hook.values():
            operation.get("responses", {}).pop("422", None)
    for unused in ("HTTPValidationError", "ValidationError"):  # replaced by Problem above
        definition = schemas.pop(unused, None)
        if definition is not None and f"/{unused}'" in str(spec):
            schemas[unused] = definition
    return spec


def polished_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """`app.openapi`, with `_polish` applied once."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _polish(original())
        return app.openapi_schema

    return openapi
