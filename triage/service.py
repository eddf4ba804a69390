"""Triage's use cases, one function each: load the case files, let the domain decide, save them
with their events.

Storage comes in as a `CaseRepository` (`triage.repository` on a real transaction, or a fake
in unit tests); every case event is made here, right after the change it announces.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Literal, Protocol

from shared.audit import Actor, AuditAction
from shared.audit.details import AuditDetails
from shared.bus import Record
from shared.case_document import CaseDocument, CaseWithHousehold
from shared.crypto import PiiVault
from shared.envelope import KeySet
from shared.events import SignalReceived, signal_binding
from shared.logs import log_context
from triage.case_events import case_events
from triage.case_file import CaseFile, case_document, signal_record
from triage.domain.case import open_case
from triage.domain.decisions import Decision
from triage.domain.errors import DomainError
from triage.domain.policy_model import ScoringPolicy
from triage.domain.signals import Household, SignalFact
from triage.household_contacts import (
    OpenedHousehold,
    open_case_household,
    open_household,
    seal_case_household,
    seal_source_household,
)
from triage.signal_pages import SignalPage
from triage.work_queue import QueueFilter, QueuePage

log = logging.getLogger(__name__)
ContactDataChannel = Literal["api", "page"]
"""Where contact data was shown: the API (GET /v1/cases/{id}) or the USD's case page."""


class CaseRepository(Protocol):
    """What the use cases need from storage, inside one transaction."""

    async def open_cases_for(self, pseudonyms: Collection[str]) -> dict[str, CaseFile]:
        """The open case of each household that has one, locked for change."""

    async def last_closed(self, pseudonyms: Collection[str]) -> dict[str, datetime]:
        """When each household's latest closed case closed (households that had one)."""

    async def open_cases_after(self, case_id: str, limit: int) -> list[CaseFile]:
        """Up to `limit` open cases with ids above `case_id`, in id order, locked for change
        (skipping cases another worker holds)."""

    async def get(self, case_id: str, *, for_change: bool = False) -> CaseFile | None: ...

    async def overdue(self, now: datetime, limit: int) -> list[CaseFile]:
        """Open cases past their deadline and not escalated for it yet, locked for change."""

    async def save(self, files: Sequence[CaseFile], events: Sequence[Record]) -> None:
        """Stores the files and their events together; raises StaleCase on a lost race."""

    async def audit(
        self, actor: Actor, action: AuditAction, case_id: str, details: AuditDetails | None = None
    ) -> None:
        """Appends to the audit log in the same transaction (the last statement before commit)."""

    async def queue(self, wanted: QueueFilter) -> QueuePage: ...

    async def decisions_of(self, case_id: str) -> list[Decision]:
        """Every assessment of the case, oldest first (for GET /v1/cases/{id}/decisions)."""


Transaction = Callable[[], AbstractAsyncContextManager[CaseRepository]]
"""Opens one transaction and yields the repository working in it; commits when the block ends."""


class CaseNotFound(LookupError):
    pass


async def triage_signals(
    cases: CaseRepository,
    signals: Sequence[SignalReceived],
    policy: ScoringPolicy,
    now: datetime,
    vault: PiiVault,
) -> dict[str, DomainError]:
    """Every accepted signal becomes part of exactly one household case; returns the refused.

    Runs in the consumer's batch transaction (with the inbox: effectively-once triage). The
    batch's open cases are loaded at once and the signals applied in order.
    """
    pseudonyms = {s.household_pseudonym for s in signals}
    keys = await vault.households.ensure(pseudonyms)
    files = await cases.open_cases_for(pseudonyms)
    closed = await cases.last_closed(pseudonyms - set(files))
    touched: dict[str, CaseFile] = {}
    events: list[Record] = []
    refused: dict[str, DomainError] = {}
    for signal in signals:
        try:
            pseudonym = signal.household_pseudonym
            filed = _file_signal(
                files.get(pseudonym), closed.get(pseudonym), signal, policy, now, keys
            )
        except DomainError as exc:
            refused[signal.signal_id] = exc
            continue
        if filed is None:
            continue
        file, new_events = filed
        _log_case_events(signal.signal_id, new_events)
        events += new_events
        touched[file.case.case_id] = file
        if file.case.status == "closed":
            files.pop(signal.household_pseudonym, None)  # the next signal opens a new case
            closed[signal.household_pseudonym] = file.case.closed_at or now
        else:
            files[signal.household_pseudonym] = file
    await cases.save(list(touched.values()), events)
    return refused


def _log_case_events(signal_id: str, records: Sequence[Record]) -> None:
    """One line per case event with the signal that caused it: the correlation ids only."""
    if not log.isEnabledFor(logging.INFO):
        return
    for record in records:
        event_id = dict(record.headers)["ce_id"].decode()
        with log_context(signal_id=signal_id, event_id=event_id):
            log.info("signal %s: case event %s", signal_id, event_id)


def _file_signal(
    file: CaseFile | None,
    previous_closed_at: datetime | None,
    signal: SignalReceived,
    policy: ScoringPolicy,
    now: datetime,
    keys: KeySet,
) -> tuple[CaseFile, list[Record]] | None:
    fact = SignalFact(
        signal_id=signal.signal_id,
        source=signal.source,
        type=signal.type,
        occurred_at=signal.occurred_at,
        details=signal.details,
    )
    household = Household(minors=signal.minors, adults=signal.adults, district=signal.district)
    # Unreadable: refused before anything changes.
    event_binding = "event:" + signal_binding(signal.source, signal.signal_id)
    incoming = (
        None
        if signal.type == "resolved"
        else open_household(keys, signal.sealed_household, event_binding)
    )
    if file is None:
        if signal.type == "resolved":
            log.info("signal %s resolves nothing open; no case", signal.signal_id)
            return None
        case, change = open_case(
            str(uuid.uuid4()),
            signal.household_pseudonym,
            household,
            fact,
            policy,
            now,
            previous_closed_at,
        )
        assert incoming is not None  # a problem signal: its household was opened
        pseudonym, case_id = signal.household_pseudonym, case.case_id
        kept = seal_source_household(keys, pseudonym, case_id, signal.source, incoming)
        by_source = {signal.source: kept}
        opened = {signal.source: incoming}
        merged = seal_case_household(keys, pseudonym, case_id, by_source, signal.source, opened)
        file = CaseFile(case, merged, by_source, signal.source, [fact])
        return file, case_events(file, change, signal.signal_id)
    change = file.case.apply_signal(fact, household, policy, now)
    if change.cause != "duplicate_signal":
        file.signals.append(fact)
        if incoming is not None:
            _keep_contacts(file, signal, incoming, keys)
    return file, case_events(file, change, signal.signal_id)


def _keep_contacts(
    file: CaseFile, signal: SignalReceived, household: OpenedHousehold, keys: KeySet
) -> None:
    """A corporation's latest signal with contacts replaces that corporation's contacts only;
    one without contacts keeps what it gave before."""
    if not signal.contacts and signal.source in file.sealed_by_source:
        return
    pseudonym, case_id = file.case.household_pseudonym, file.case.case_id
    file.sealed_by_source[signal.source] = seal_source_household(
        keys, pseudonym, case_id, signal.source, household
    )
    file.latest_source = signal.source
    file.sealed_household = seal_case_household(
        keys, pseudonym, case_id, file.sealed_by_source, signal.source, {signal.source: household}
    )


async def read_case(
    begin: Transaction,
    vault: PiiVault,
    case_id: str,
    actor: Actor,
    now: datetime,
    via: ContactDataChannel = "api",
) -> CaseWithHousehold:
    """The full case; showing its contact data is an audit entry (`contact_data.shown`, who and
    through what) in the same commit, so no showing goes unrecorded."""
    async with begin() as cases:
        file = await cases.get(case_id)
        if file is None:
            raise CaseNotFound(case_id)
        await cases.audit(actor, "contact_data.shown", case_id, {"via": via})
    keys = await vault.households.load([file.case.household_pseudonym])
    household = open_case_household(keys, case_id, file.sealed_by_source, file.latest_source)
    return CaseWithHousehold(**dict(case_document(file, now)), household=household)


async def case_without_contacts(begin: Transaction, case_id: str, now: datetime) -> CaseDocument:
    """The case as the event stream carries it, without the household: no contact data, so no
    audit (the USD's case page; its "show" action is `read_case`)."""
    async with begin() as cases:
        file = await cases.get(case_id)
    if file is None:
        raise CaseNotFound(case_id)
    return case_document(file, now)


async def list_cases(begin: Transaction, wanted: QueueFilter) -> QueuePage:
    """The USD's work queue; no contact data, so no audit."""
    async with begin() as cases:
        return await cases.queue(wanted)


async def case_signals(
    begin: Transaction, case_id: str, cursor: str | None, limit: int
) -> SignalPage:
    """Every signal of the case, oldest first, a page at a time (no contact data)."""
    start = SignalPage.start_of(cursor)
    async with begin() as cases:
        file = await cases.get(case_id)
    if file is None:
        raise CaseNotFound(case_id)
    open_ids = {f.signal_id for f in file.case.open_signals.values()}
    page = file.signals[start : start + limit]
    after = start + len(page)
    return SignalPage(
        items=[signal_record(s, s.signal_id in open_ids) for s in page],
        total=len(file.signals),
        next_cursor=SignalPage.cursor_at(after) if after < len(file.signals) else None,
    )


async def case_decisions(begin: Transaction, case_id: str) -> list[Decision]:
    """Every assessment of the case, oldest first; CaseNotFound for an unknown case."""
    async with begin() as cases:
        if await cases.get(case_id) is None:
            raise CaseNotFound(case_id)
        return await cases.decisions_of(case_id)


async def for_change(cases: CaseRepository, case_id: str) -> CaseFile:
    """The case, locked for change; CaseNotFound when there is none."""
    file = await cases.get(case_id, for_change=True)
    if file is None:
        raise CaseNotFound(case_id)
    return file
