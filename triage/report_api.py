"""REST adapter of the figures (CONTRACT §11): the monthly report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from shared.web.auth import ReportReader
from shared.web.deps import EngineDep
from shared.web.problems import FieldError, ProblemError
from triage.domain.report_document import report_document
from triage.domain.report_month import BadMonth, ReportMonth
from triage.report_schemas import MonthlyReportOut
from triage.report_service import build_monthly_report
from triage.web_deps import ERRORS

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get(
    "/monthly",
    response_model=MonthlyReportOut,
    responses=ERRORS,
    summary="The monthly report: signals, cases, first contact, outcomes, evictions, shelter",
)
async def get_monthly_report(
    _: ReportReader,
    engine: EngineDep,
    month: Annotated[str, Query(description="YYYY-MM, in Amsterdam's calendar.")],
    publish: Annotated[bool, Query(description="Counts under 5 read `<5`.")] = False,
) -> Any:
    try:
        wanted = ReportMonth.parse(month)
    except BadMonth as exc:
        raise ProblemError(422, str(exc), [FieldError(field="month", message=str(exc))]) from None
    report = await build_monthly_report(engine, wanted, datetime.now(UTC))
    return JSONResponse(report_document(report, publish=publish))
