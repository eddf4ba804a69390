"""REST adapter of the USD's case API (CONTRACT §3, §8): thin routes around the use cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from shared.case_document import CaseDocument, CaseWithHousehold
from shared.vocabulary import Priority
from shared.web.auth import CaseReader, CaseWriter
from shared.web.deps import VaultDep, WakeRelayDep
from shared.web.problems import ProblemError
from triage import casework_service, service
from triage.schemas import (
    CasePage,
    CaseSummary,
    ContactAttemptIn,
    DecisionList,
    HousingPlanIn,
    OutcomeIn,
    PlainText,
)
from triage.signal_pages import SignalPage
from triage.web_deps import ERRORS, CasesDep, PolicyDep, actor_of, case_problems
from triage.work_queue import BadCursor, QueueFilter, QueueStatus

router = APIRouter(prefix="/v1/cases", tags=["cases"])
_REPLAYED = "The same `id` was recorded before: nothing changed (`Idempotent-Replayed: true`)."


@router.get(
    "",
    response_model=CasePage,
    responses=ERRORS,
    summary="Work queue: by priority, then deadline, then risk score (highest first)",
)
async def list_cases(
    _: CaseReader,
    cases: CasesDep,
    status: Annotated[
        QueueStatus,
        Query(description="`open` (default): not closed, contacted included; `all`: every case."),
    ] = "open",
    priority: Priority | None = None,
    team: Annotated[PlainText | None, Query(max_length=50)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    try:
        page = await service.list_cases(cases, QueueFilter(status, priority, team, cursor, limit))
    except BadCursor as exc:
        raise ProblemError(422, str(exc)) from None
    return CasePage(items=[CaseSummary.of(c) for c in page.items], next_cursor=page.next_cursor)


@router.get(
    "/{case_id}",
    response_model=CaseWithHousehold,
    responses=ERRORS,
    summary="One case with contact data (every read is audited)",
)
async def get_case(
    case_id: str, reader: CaseReader, cases: CasesDep, vault: VaultDep
) -> CaseWithHousehold:
    with case_problems(case_id):
        return await service.read_case(cases, vault, case_id, actor_of(reader), datetime.now(UTC))


@router.get(
    "/{case_id}/signals",
    response_model=SignalPage,
    responses=ERRORS,
    summary="Every signal of the case, oldest first, a page at a time (no contact data)",
)
async def list_case_signals(
    case_id: str,
    _: CaseReader,
    cases: CasesDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SignalPage:
    with case_problems(case_id):
        try:
            return await service.case_signals(cases, case_id, cursor, limit)
        except BadCursor as exc:
            raise ProblemError(422, str(exc)) from None


@router.get(
    "/{case_id}/decisions",
    response_model=DecisionList,
    responses=ERRORS,
    summary="Every assessment of the case: inputs (no contact data), policy version, time, "
    "reasons and score, so each can be replayed",
)
async def list_case_decisions(case_id: str, _: CaseReader, cases: CasesDep) -> DecisionList:
    with case_problems(case_id):
        return DecisionList.of(case_id, await service.case_decisions(cases, case_id))


@router.post(
    "/{case_id}/contact-attempts",
    status_code=201,
    responses={**ERRORS, 200: {"model": CaseDocument, "description": _REPLAYED}},
    summary="Record a contact attempt (contactpoging)",
)
async def post_contact_attempt(
    case_id: str,
    attempt: ContactAttemptIn,
    writer: CaseWriter,
    cases: CasesDep,
    wake: WakeRelayDep,
    response: Response,
) -> CaseDocument:
    posted = casework_service.NewContactAttempt(
        attempt.channel,
        attempt.reached,
        attempt.at,
        str(attempt.id) if attempt.id else None,
        attempt.dagdeel,
    )
    with case_problems(case_id):
        document, replayed = await casework_service.record_contact_attempt(
            cases, case_id, posted, actor_of(writer), datetime.now(UTC)
        )
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    else:
        wake()
    return document


@router.post(
    "/{case_id}/housing-plan",
    status_code=201,
    responses=ERRORS,
    summary="Record a housing plan (woonplan): the latest stands, earlier ones stay in history",
)
async def post_housing_plan(
    case_id: str,
    plan: HousingPlanIn,
    writer: CaseWriter,
    cases: CasesDep,
    policy: PolicyDep,
    wake: WakeRelayDep,
) -> CaseDocument:
    posted = casework_service.NewHousingPlan(plan.kind, plan.summary, plan.starts_on)
    with case_problems(case_id):
        document = await casework_service.record_housing_plan(
            cases, case_id, posted, actor_of(writer), policy, datetime.now(UTC)
        )
    wake()
    return document


@router.post(
    "/{case_id}/outcome", responses=ERRORS, summary="Close the case with its outcome (resultaat)"
)
async def post_outcome(
    case_id: str, body: OutcomeIn, writer: CaseWriter, cases: CasesDep, wake: WakeRelayDep
) -> CaseDocument:
    with case_problems(case_id):
        document = await casework_service.close_case(
            cases, case_id, body.outcome, actor_of(writer), datetime.now(UTC)
        )
    wake()
    return document
