"""`GET /v1/audit` (audit:read): the audit log for the data protection officer (CONTRACT §10)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from shared.audit.query import BadQuery, audit_query, encode_cursor
from shared.audit.repository import audit_page
from shared.audit.schemas import AuditEntryOut, AuditPage
from shared.web.auth import AuditReader
from shared.web.deps import EngineDep
from shared.web.problems import FieldError, Problem, ProblemError

router = APIRouter(prefix="/v1/audit", tags=["audit"])
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (401, 403, 422)}
_MOMENT = (
    "ISO 8601 date (a whole day in Europe/Amsterdam) or datetime with offset; "
    "`since` is inclusive, `until` includes a date given and excludes a datetime given."
)


@router.get(
    "", response_model=AuditPage, responses=_ERRORS, summary="Audit log entries, oldest first"
)
async def list_audit(
    _: AuditReader,
    engine: EngineDep,
    since: Annotated[str | None, Query(description=_MOMENT, examples=["2026-11-01"])] = None,
    until: Annotated[str | None, Query(description=_MOMENT, examples=["2026-11-30"])] = None,
    case_id: Annotated[UUID | None, Query(description="Only entries about this case.")] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the page before.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    try:
        query = audit_query(since, until, str(case_id) if case_id else None, cursor)
    except BadQuery as exc:
        errors = [FieldError(field=f"query.{exc.field}", message=exc.message)]
        raise ProblemError(422, str(exc), errors) from None
    async with engine.connect() as conn:
        entries, after = await audit_page(conn, query, limit)
    return AuditPage(
        items=[AuditEntryOut.of(e) for e in entries],
        next_cursor=encode_cursor(after) if after is not None else None,
    )
