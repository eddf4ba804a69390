"""REST adapter of the USD's case API (CONTRACT §3): thin routes around `triage.service`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from shared.case_document import CaseDocument, CaseWithHousehold
from shared.vocabulary import CaseStatus, Priority
from shared.web.auth import CaseReader, CaseWriter
from shared.web.deps import EngineDep, VaultDep, WakeRelayDep
from shared.web.problems import FieldError, Problem, ProblemError
from triage import service
from triage.domain.errors import CaseError, RefusedInput
from triage.repository import StaleCase, transactions
from triage.schemas import CasePage, CaseSummary, ContactAttemptIn, OutcomeIn
from triage.work_queue import BadCursor, QueueFilter

router = APIRouter(prefix="/v1/cases", tags=["cases"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (401, 403, 404, 409, 422)
}
_REPLAYED = "The same `id` was recorded before: nothing changed (`Idempotent-Replayed: true`)."


def _case_transactions(engine: EngineDep) -> service.Transaction:
    return transactions(engine)


CasesDep = Annotated[service.Transaction, Depends(_case_transactions)]


@router.get(
    "", response_model=CasePage, summary="Work queue: by priority, then deadline", responses=_ERRORS
)
async def list_cases(
    _: CaseReader,
    cases: CasesDep,
    status: Annotated[
        CaseStatus | None,
        Query(description="`open`: not closed (includes contacted); `contacted`; `closed`."),
    ] = None,
    priority: Priority | None = None,
    team: str | None = None,
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
    responses=_ERRORS,
    summary="One case with contact data (every read is audited)",
)
async def get_case(
    case_id: str, reader: CaseReader, cases: CasesDep, vault: VaultDep
) -> CaseWithHousehold:
    with _problems(case_id):
        return await service.read_case(cases, vault, case_id, reader.key_id, reader.source)


@router.post(
    "/{case_id}/contact-attempts",
    status_code=201,
    responses={**_ERRORS, 200: {"model": CaseDocument, "description": _REPLAYED}},
    summary="Record a contact attempt (contactpoging)",
)
async def post_contact_attempt(
    case_id: str,
    attempt: ContactAttemptIn,
    _: CaseWriter,
    cases: CasesDep,
    wake: WakeRelayDep,
    response: Response,
) -> CaseDocument:
    posted = service.NewContactAttempt(
        attempt.channel, attempt.reached, attempt.at, str(attempt.id) if attempt.id else None
    )
    with _problems(case_id):
        document, replayed = await service.record_contact_attempt(
            cases, case_id, posted, datetime.now(UTC)
        )
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    else:
        wake()
    return document


@router.post(
    "/{case_id}/outcome", responses=_ERRORS, summary="Close the case with its outcome (resultaat)"
)
async def post_outcome(
    case_id: str, body: OutcomeIn, _: CaseWriter, cases: CasesDep, wake: WakeRelayDep
) -> CaseDocument:
    with _problems(case_id):
        document = await service.close_case(cases, case_id, body.outcome)
    wake()
    return document


@contextmanager
def _problems(case_id: str) -> Iterator[None]:
    """The use cases' refusals as problem documents."""
    try:
        yield
    except service.CaseNotFound:
        raise ProblemError(404, f"No case {case_id}.") from None
    except RefusedInput as exc:
        raise ProblemError(422, str(exc), [FieldError(field=exc.field, message=str(exc))]) from None
    except CaseError as exc:
        raise ProblemError(409, str(exc)) from None
    except StaleCase:
        raise ProblemError(409, f"Case {case_id} changed meanwhile; read it and retry.") from None
