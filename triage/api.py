"""REST adapter of the USD's case API (CONTRACT §3): thin routes around `usd` and `queue`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from shared.case_document import CaseDocument, CaseWithHousehold
from shared.web.auth import CaseReader, CaseWriter
from shared.web.problems import Problem, ProblemError
from triage import queue, usd
from triage.domain.errors import CaseError
from triage.schemas import CasePage, CaseSummary, ContactAttemptIn, OutcomeIn
from triage.store import StaleCase

router = APIRouter(prefix="/v1/cases", tags=["cases"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (401, 403, 404, 409, 422)
}


@router.get(
    "", response_model=CasePage, summary="Work queue: by priority, then deadline", responses=_ERRORS
)
async def list_cases(
    request: Request,
    _: CaseReader,
    status: Annotated[
        Literal["open", "contacted", "closed"] | None,
        Query(description="`open`: not closed (includes contacted); `contacted`; `closed`."),
    ] = None,
    priority: Literal["critical", "high", "medium", "low"] | None = None,
    team: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    try:
        async with request.app.state.engine.connect() as conn:
            rows, next_cursor = await queue.list_cases(conn, status, priority, team, cursor, limit)
    except queue.BadCursor as exc:
        raise ProblemError(422, str(exc)) from None
    return CasePage(
        items=[
            CaseSummary(
                id=r.case_id,
                status=r.status,
                priority=r.priority,
                risk_score=r.risk_score,
                team=r.team,
                respond_before=r.respond_before,
                opened_at=r.opened_at,
                outcome=r.outcome,
                links={"self": f"/v1/cases/{r.case_id}"},
            )
            for r in rows
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/{case_id}",
    response_model=CaseWithHousehold,
    responses=_ERRORS,
    summary="One case with contact data (every read is audited)",
)
async def get_case(case_id: str, request: Request, reader: CaseReader) -> CaseWithHousehold:
    state = request.app.state
    try:
        return await usd.read_case(state.engine, state.vault, case_id, reader.key_id, reader.source)
    except usd.CaseNotFound:
        raise ProblemError(404, f"No case {case_id}.") from None


@router.post(
    "/{case_id}/contact-attempts",
    status_code=201,
    responses=_ERRORS,
    summary="Record a contact attempt (contactpoging)",
)
async def post_contact_attempt(
    case_id: str, attempt: ContactAttemptIn, request: Request, _: CaseWriter
) -> CaseDocument:
    return await _change(
        request,
        usd.record_contact_attempt(
            request.app.state.engine, case_id, attempt.channel, attempt.reached, attempt.at
        ),
        case_id,
    )


@router.post(
    "/{case_id}/outcome", responses=_ERRORS, summary="Close the case with its outcome (resultaat)"
)
async def post_outcome(
    case_id: str, body: OutcomeIn, request: Request, _: CaseWriter
) -> CaseDocument:
    return await _change(
        request, usd.close_case(request.app.state.engine, case_id, body.outcome), case_id
    )


async def _change(request: Request, work: Any, case_id: str) -> CaseDocument:
    try:
        document: CaseDocument = await work
    except usd.CaseNotFound:
        raise ProblemError(404, f"No case {case_id}.") from None
    except CaseError as exc:
        raise ProblemError(409, str(exc)) from None
    except StaleCase:
        raise ProblemError(409, f"Case {case_id} changed meanwhile; read it and retry.") from None
    request.app.state.wake_relay()
    return document
