"""Use case: the month's DDAS export (CONTRACT §11). It opens each exported household's address
(postcode and house number only leave with it) and records the export in the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.audit import CLI, Actor, append_audit
from shared.crypto import PiiVault
from shared.envelope import KeySet
from triage.case_file import CaseFile
from triage.domain.ddas_export import (
    ClientAddress,
    DdasExport,
    ExportedCase,
    needs_address,
    uitwisselmodel,
)
from triage.domain.report_month import ReportMonth
from triage.household_contacts import UnreadableHousehold, open_household, source_binding
from triage.report_repository import SqlReportRepository
from triage.report_service import Progress, month_cases


async def export_ddas(
    engine: AsyncEngine,
    vault: PiiVault,
    month: ReportMonth,
    municipality_code: str,
    municipality_name: str | None,
    now: datetime,
    on_progress: Progress | None = None,
    actor: Actor = CLI,
) -> DdasExport:
    async with engine.connect() as conn:
        reports = SqlReportRepository(conn)
        files = [file async for file in month_cases(reports, month, on_progress)]
    keys = await vault.households.load({f.case.household_pseudonym for f in files})
    cases = [_exported(file, keys, month) for file in files]
    export = uitwisselmodel(month, cases, municipality_code, municipality_name, now)
    async with engine.begin() as conn:
        details = {"signals": export.signals, "cases": export.cases, "left_out": export.left_out}
        await append_audit(conn, actor, "ddas.exported", str(month), details)
    return export


def _exported(file: CaseFile, keys: KeySet, month: ReportMonth) -> ExportedCase:
    address = _address(file, keys) if needs_address(file.case, month) else None
    return ExportedCase(file.case, file.signals, address)


def _address(file: CaseFile, keys: KeySet) -> ClientAddress | None:
    """The household's address as its latest corporation gave it; None when it cannot be
    opened any more (erased, or sealed under a key not held)."""
    sealed = file.sealed_by_source.get(file.latest_source)
    if sealed is None:
        return None
    try:
        bound_to = source_binding(file.case.case_id, file.latest_source)
        address = open_household(keys, sealed, bound_to)["address"]
    except UnreadableHousehold:
        return None
    return ClientAddress(
        str(address["postcode"]),
        int(address["house_number"]),
        address.get("house_number_addition") or None,
    )
