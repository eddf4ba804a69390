"""Use cases of USD case workers: read a case (audited), record contact, close with outcome."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.case_document import CaseDocument, CaseWithHousehold
from shared.crypto import PiiVault
from shared.household import Household
from triage.domain.errors import CaseError
from triage.records import case_document
from triage.store import case_by_id, save
from triage.tables import contact_data_reads


class CaseNotFound(LookupError):
    pass


async def read_case(
    engine: AsyncEngine, vault: PiiVault, case_id: str, key_id: str, source: str
) -> CaseWithHousehold:
    """The full case; the read of contact data is written to the audit log in the same commit."""
    async with engine.begin() as conn:
        loaded = await case_by_id(conn, case_id)
        if loaded is None:
            raise CaseNotFound(case_id)
        await conn.execute(
            contact_data_reads.insert().values(
                case_id=case_id, key_id=key_id, source=source, read_at=datetime.now(UTC)
            )
        )
    document = case_document(loaded.case, loaded.signals)
    household = Household.model_validate_json(vault.open(loaded.sealed_household))
    return CaseWithHousehold(**dict(document), household=household)


async def record_contact_attempt(
    engine: AsyncEngine, case_id: str, channel: str, reached: bool, at: datetime
) -> CaseDocument:
    async with engine.begin() as conn:
        loaded = await case_by_id(conn, case_id, lock=True)
        if loaded is None:
            raise CaseNotFound(case_id)
        loaded.note(loaded.case.record_contact_attempt(channel, reached, at))  # type: ignore[arg-type]
        await save(conn, [loaded])
    return case_document(loaded.case, loaded.signals)


async def close_case(engine: AsyncEngine, case_id: str, outcome: str) -> CaseDocument:
    async with engine.begin() as conn:
        loaded = await case_by_id(conn, case_id, lock=True)
        if loaded is None:
            raise CaseNotFound(case_id)
        loaded.note(loaded.case.close(outcome, datetime.now(UTC)))  # type: ignore[arg-type]
        await save(conn, [loaded])
    return case_document(loaded.case, loaded.signals)


__all__ = ["CaseError", "CaseNotFound", "close_case", "read_case", "record_contact_attempt"]
