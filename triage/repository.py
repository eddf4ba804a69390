"""Triage's storage: the only module that touches triage's tables.

It loads and saves case files (saving writes the events it is given to the outbox in the same
transaction), answers the work-queue and overdue queries, and appends the audit log entries of
the case work (contact data shown, outcomes, plans, bookings). It never decides: the use cases
in `triage.service` do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.audit import Actor, AuditAction, append_audit
from shared.audit.details import AuditDetails
from shared.bus import Record
from shared.db import count_if, is_postgres
from shared.ops.summary import deadline_bounds
from shared.outbox import add_to_outbox
from triage.case_file import CaseFile
from triage.case_rows import case_file_from_row, case_row, queued_case
from triage.decision_rows import decision_from_row, decision_row, plan_row
from triage.domain.decisions import Decision
from triage.tables import case_decisions, cases, housing_plans
from triage.work_queue import STATUS_GROUPS, QueueFilter, QueuePage, QueuePosition

# Optimistic check on top of the row locks: a case changed since it was read is never overwritten.
_UPDATE_CASE = update(cases).where(
    cases.c.case_id == bindparam("_id"), cases.c.version == bindparam("_version")
)
_QUEUE_ORDER = (
    cases.c.priority_rank,
    cases.c.respond_before,
    cases.c.risk_score.desc(),
    cases.c.case_id,
)
_QUEUE_COLUMNS = (
    cases.c.case_id,
    cases.c.status,
    cases.c.priority,
    cases.c.priority_rank,
    cases.c.risk_score,
    cases.c.team,
    cases.c.respond_before,
    cases.c.opened_at,
    cases.c.outcome,
    cases.c.district,
    cases.c.minors,
    cases.c.eviction_date,
    cases.c.housing_plan,
    cases.c.listing,
)


class StaleCase(RuntimeError):
    """Another worker changed the case meanwhile; a batch is retried from committed offsets."""

    transient = True


class SqlCaseRepository:
    """Case files on one connection, inside the caller's transaction (row locks on PostgreSQL)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._locks = is_postgres(conn)  # SQLite has one writer at a time: nothing to lock

    async def open_cases_for(self, pseudonyms: Collection[str]) -> dict[str, CaseFile]:
        """The open case of each household that has one, locked for change."""
        query = select(cases).where(
            cases.c.household_pseudonym.in_(list(set(pseudonyms))), cases.c.status != "closed"
        )
        if self._locks:
            query = query.with_for_update()
        rows = (await self._conn.execute(query)).all()
        return {row.household_pseudonym: case_file_from_row(row) for row in rows}

    async def last_closed(self, pseudonyms: Collection[str]) -> dict[str, datetime]:
        """When each household's latest closed case closed (recurrence, property 11)."""
        if not pseudonyms:
            return {}
        query = (
            select(cases.c.household_pseudonym, func.max(cases.c.closed_at))
            .where(
                cases.c.household_pseudonym.in_(list(set(pseudonyms))),
                cases.c.status == "closed",
            )
            .group_by(cases.c.household_pseudonym)
        )
        rows = (await self._conn.execute(query)).all()
        return {pseudonym: _aware(at) for pseudonym, at in rows if at is not None}

    async def open_cases_after(self, case_id: str, limit: int) -> list[CaseFile]:
        """Open cases by id for the re-assessment sweep, locked; skips what others hold."""
        query = (
            select(cases)
            .where(cases.c.status != "closed", cases.c.case_id > case_id)
            .order_by(cases.c.case_id)
            .limit(limit)
        )
        if self._locks:
            query = query.with_for_update(skip_locked=True)
        return [case_file_from_row(row) for row in (await self._conn.execute(query)).all()]

    async def decisions_of(self, case_id: str) -> list[Decision]:
        query = (
            select(case_decisions)
            .where(case_decisions.c.case_id == case_id)
            .order_by(case_decisions.c.id)
        )
        return [decision_from_row(row) for row in (await self._conn.execute(query)).all()]

    async def get(self, case_id: str, *, for_change: bool = False) -> CaseFile | None:
        query = select(cases).where(cases.c.case_id == case_id)
        if for_change and self._locks:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return case_file_from_row(row) if row is not None else None

    async def overdue(self, now: datetime, limit: int) -> list[CaseFile]:
        """Open cases past their deadline and not escalated for it yet, the oldest first.

        Locked, skipping cases another watcher holds, so two watchers never escalate one twice.
        """
        query = (
            select(cases)
            .where(
                cases.c.status == "open",
                cases.c.respond_before < now,
                or_(
                    cases.c.overdue_escalated_for.is_(None),
                    cases.c.overdue_escalated_for != cases.c.respond_before,
                ),
            )
            .order_by(cases.c.respond_before)
            .limit(limit)
        )
        if self._locks:
            query = query.with_for_update(skip_locked=True)
        return [case_file_from_row(row) for row in (await self._conn.execute(query)).all()]

    async def save(self, files: Sequence[CaseFile], events: Sequence[Record]) -> None:
        """Writes the case files and, in the same transaction, the events to the outbox.

        Existing cases first: a case closed in this batch must leave the household's one-open-case
        slot before a new case for the same household is inserted.
        """
        changed = [
            {**case_row(f, f.version + 1), "_id": f.case.case_id, "_version": f.version}
            for f in files
            if not f.is_new
        ]
        if changed:
            result = await self._conn.execute(_UPDATE_CASE, changed)  # one executemany
            counted = self._conn.dialect.supports_sane_multi_rowcount or len(changed) == 1
            if counted and result.rowcount != len(changed):
                raise StaleCase(", ".join(str(row["_id"]) for row in changed))
        new = [case_row(f, 1) for f in files if f.is_new]
        if new:
            await self._conn.execute(cases.insert(), new)
        decisions = [decision_row(d) for f in files for d in f.case.decisions]
        if decisions:
            await self._conn.execute(case_decisions.insert(), decisions)
        plans = [plan_row(f.case.case_id, p) for f in files for p in f.case.recorded_plans]
        if plans:
            await self._conn.execute(housing_plans.insert(), plans)
        for f in files:
            f.case.decisions.clear()
            f.case.recorded_plans.clear()
        await add_to_outbox(self._conn, list(events))

    async def audit(
        self, actor: Actor, action: AuditAction, case_id: str, details: AuditDetails | None = None
    ) -> None:
        """An entry of the audit log in this transaction; call it last (it holds the chain)."""
        await append_audit(self._conn, actor, action, case_id, details)

    async def queue(self, wanted: QueueFilter) -> QueuePage:
        query = select(*_QUEUE_COLUMNS)
        if wanted.status != "all":
            query = query.where(cases.c.status.in_(STATUS_GROUPS[wanted.status]))
        if wanted.priority:
            query = query.where(cases.c.priority == wanted.priority)
        if wanted.team:
            query = query.where(cases.c.team == wanted.team)
        if wanted.cursor:
            query = query.where(_after(QueuePosition.decode(wanted.cursor)))
        limit = wanted.limit
        rows = (await self._conn.execute(query.order_by(*_QUEUE_ORDER).limit(limit + 1))).all()
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = QueuePosition(
                last.priority_rank, _aware(last.respond_before), last.risk_score, last.case_id
            ).encode()
        return QueuePage([queued_case(row) for row in rows[:limit]], next_cursor)


def _after(at: QueuePosition) -> ColumnElement[bool]:
    """Keyset condition: strictly after `at` in the queue order (the score descends)."""
    rank, deadline, score, case_id = (
        cases.c.priority_rank,
        cases.c.respond_before,
        cases.c.risk_score,
        cases.c.case_id,
    )
    same_rank = rank == at.priority_rank
    same_deadline = and_(same_rank, deadline == at.respond_before)
    return or_(
        rank > at.priority_rank,
        and_(same_rank, deadline > at.respond_before),
        and_(same_deadline, score < at.risk_score),
        and_(same_deadline, score == at.risk_score, case_id > at.case_id),
    )


def _aware(moment: datetime) -> datetime:
    """SQLite's aggregates bypass the column type: their times come back naive (UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def transactions(
    engine: AsyncEngine,
) -> Callable[[], AbstractAsyncContextManager[SqlCaseRepository]]:
    """Each call opens one transaction on `engine`, with a repository working in it."""

    @asynccontextmanager
    async def begin() -> AsyncIterator[SqlCaseRepository]:
        async with engine.begin() as conn:
            yield SqlCaseRepository(conn)

    return begin


async def case_counts(conn: AsyncConnection, now: datetime) -> list[tuple[str, int, int, int, int]]:
    c = cases.c
    today_ends, week_ends = deadline_bounds(now)
    rows = await conn.execute(
        select(
            c.priority,
            func.count(),
            count_if(c.respond_before < now),
            count_if(and_(c.respond_before >= now, c.respond_before < today_ends)),
            count_if(and_(c.respond_before >= today_ends, c.respond_before < week_ends)),
        )
        .where(c.status != "closed")
        .group_by(c.priority)
    )
    return [tuple(row) for row in rows.all()]
