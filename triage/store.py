"""Repository of cases: load for change (row-locked on PostgreSQL), save, and case events."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.bus import Record
from shared.cloudevent import CloudEvent
from shared.db import is_postgres
from shared.events import CASES_TOPIC, TRIAGE_SOURCE, CaseChanged, SignalRef
from shared.outbox import add_to_outbox
from shared.vocabulary import ChangeKind
from triage.domain.case import Case
from triage.domain.case_records import CaseChange
from triage.domain.feedback import signal_status_for_corporation
from triage.records import case_document, case_from_row, case_row
from triage.tables import cases

# Optimistic check on top of the row locks: a case changed since it was read is never overwritten.
_UPDATE_CASE = update(cases).where(
    cases.c.case_id == bindparam("_id"), cases.c.version == bindparam("_version")
)


class StaleCase(RuntimeError):
    """Another worker changed the case meanwhile; the batch is retried from committed offsets."""


@dataclass
class LoadedCase:
    """A case with what the aggregate does not hold: sealed contact data and all its signals."""

    case: Case
    sealed_household: str
    signals: list[dict[str, Any]]
    version: int = 0
    events: list[Record] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.version == 0

    def note(self, change: CaseChange) -> CaseChange:
        """Turns a notifying change into its event now, so it carries the case as it was then."""
        if change.kind is not None:
            self.events.append(case_event(self, change.kind, change.at))
        return change


async def open_cases_for(conn: AsyncConnection, pseudonyms: Iterable[str]) -> dict[str, LoadedCase]:
    query = select(cases).where(
        cases.c.household_pseudonym.in_(list(set(pseudonyms))), cases.c.status != "closed"
    )
    if is_postgres(conn):
        query = query.with_for_update()
    rows = (await conn.execute(query)).all()
    return {row.household_pseudonym: loaded_from_row(row) for row in rows}


async def case_by_id(conn: AsyncConnection, case_id: str, lock: bool = False) -> LoadedCase | None:
    query = select(cases).where(cases.c.case_id == case_id)
    if lock and is_postgres(conn):
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    return loaded_from_row(row) if row is not None else None


def loaded_from_row(row: Any) -> LoadedCase:
    return LoadedCase(
        case_from_row(row), row.sealed_household, list(row.state["signals"]), row.version
    )


async def save(conn: AsyncConnection, loaded: Sequence[LoadedCase]) -> None:
    """Writes changed cases and, in the same transaction, their events.

    Existing cases first: a case closed in this batch must leave the household's one-open-case
    slot before a new case for the same household is inserted.
    """
    changed = [
        {
            **case_row(i.case, i.sealed_household, i.signals, i.version + 1),
            "_id": i.case.case_id,
            "_version": i.version,
        }
        for i in loaded
        if not i.is_new
    ]
    if changed:
        result = await conn.execute(_UPDATE_CASE, changed)  # one executemany for the batch
        counted = conn.dialect.supports_sane_multi_rowcount or len(changed) == 1
        if counted and result.rowcount != len(changed):
            raise StaleCase(", ".join(str(row["_id"]) for row in changed))
    new = [case_row(c.case, c.sealed_household, c.signals, 1) for c in loaded if c.is_new]
    if new:
        await conn.execute(cases.insert(), new)
    await add_to_outbox(conn, [event for item in loaded for event in item.events])


def case_event(item: LoadedCase, kind: ChangeKind, at: datetime) -> Record:
    refs = [SignalRef(source=s["source"], signal_id=s["id"]) for s in item.signals]
    data = CaseChanged(
        change=kind,
        case_id=item.case.case_id,
        household_pseudonym=item.case.household_pseudonym,
        case=case_document(item.case, item.signals),
        sealed_household=item.sealed_household,
        signal_refs=refs if kind == "closed" else [],
        signal_status=signal_status_for_corporation(item.case),
    )
    event = CloudEvent(
        type=data.event_type,
        source=TRIAGE_SOURCE,
        id=str(uuid.uuid4()),
        subject=item.case.case_id,
        time=at,
        data=data.model_dump_json().encode(),
    )
    return Record.of(CASES_TOPIC, item.case.household_pseudonym, event)
