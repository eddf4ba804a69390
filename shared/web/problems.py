"""RFC 9457 problem details: the one error format of every API (CONTRACT §1)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.vocabulary import SIGNAL_TYPES

PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    field: str
    message: str


INVALID_JSON = FieldError(field="body", message="invalid JSON")


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raised anywhere in an API to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers
        self.extensions = extensions or {}
        """RFC 9457 extension members, e.g. the `alternatives` of a full shelter unit."""


def problem_response(
    status: int,
    detail: str,
    errors: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        **(extensions or {}),
        "type": f"https://vroegsignaal.nl/problems/{status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    return json_response(body, status, headers, PROBLEM_JSON)


def json_response(
    body: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type=media_type)


def field_errors(pydantic_errors: Iterable[Any], skip: int = 0) -> list[FieldError]:
    """Pydantic errors as `{"field": "household.address.postcode", "message": ...}`.

    Segments that are tags of a discriminated union (the signal type) are left out: the client
    wrote `details.amount_eur`, not `rent_arrears.details.amount_eur`.
    """
    tags = set(SIGNAL_TYPES)
    result = []
    for error in pydantic_errors:
        loc = [str(p) for p in tuple(error["loc"])[skip:]]
        loc = [p for p in loc if p not in tags]
        if error.get("type") == "union_tag_invalid":
            loc.append(error["ctx"]["discriminator"].strip("'"))
        elif error.get("type") == "union_tag_not_found":
            loc.append("type")
        if error.get("type") == "json_invalid":  # as the raw-body routes say it
            result.append(INVALID_JSON)
            continue
        field = ".".join(loc) or "body"
        result.append(FieldError(field=field, message=str(error["msg"])))
    return result


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> Response:
        return problem_response(exc.status, exc.detail, exc.errors, exc.headers, exc.extensions)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> Response:
        errors = field_errors(
            [
                {**e, "loc": tuple(e["loc"])[1:] if e["loc"][:1] == ("body",) else e["loc"]}
                for e in exc.errors()
            ]
        )
        return problem_response(422, "The request is not valid; see errors.", errors)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        return problem_response(
            500, "An unexpected error occurred; please retry. Retries are safe (idempotent)."
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # FastAPI's 400 for a body that is not even text (not UTF-8): bad JSON like any other
            return problem_response(422, "The request is not valid; see errors.", [INVALID_JSON])
        return problem_response(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
