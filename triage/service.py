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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from shared.bus import Record
from shared.case_document import CaseDocument, CaseWithHousehold
from shared.crypto import PiiVault
from shared.events import SignalReceived
from shared.logs import log_context
from shared.vocabulary import ContactChannel, UsdOutcome
from triage.case_events import case_events
from triage.case_file import CaseFile, case_document
from triage.domain.case import open_case
from triage.domain.case_records import ContactAttempt
from triage.domain.errors import DomainError
from triage.domain.policy_model import ScoringPolicy
from triage.domain.signals import Household, SignalFact
from triage.household_contacts import open_case_household, seal_case_household
from triage.work_queue import QueueFilter, QueuePage

log = logging.getLogger(__name__)


class CaseRepository(Protocol):
    """What the use cases need from storage, inside one transaction."""

    async def open_cases_for(self, pseudonyms: Collection[str]) -> dict[str, CaseFile]:
        """The open case of each household that has one, locked for change."""

    async def get(self, case_id: str, *, for_change: bool = False) -> CaseFile | None: ...

    async def overdue(self, now: datetime, limit: int) -> list[CaseFile]:
        """Open cases past their deadline and not escalated for it yet, locked for change."""

    async def save(self, files: Sequence[CaseFile], events: Sequence[Record]) -> None:
        """Stores the files and their events together; raises StaleCase on a lost race."""

    async def record_contact_data_read(
        self, case_id: str, key_id: str, source: str, at: datetime
    ) -> None: ...

    async def queue(self, wanted: QueueFilter) -> QueuePage: ...


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
    files = await cases.open_cases_for({s.household_pseudonym for s in signals})
    touched: dict[str, CaseFile] = {}
    events: list[Record] = []
    refused: dict[str, DomainError] = {}
    for signal in signals:
        try:
            filed = _file_signal(files.get(signal.household_pseudonym), signal, policy, now, vault)
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
        else:
            files[signal.household_pseudonym] = file
    await cases.save(list(touched.values()), events)
    return refused


def _log_case_events(signal_id: str, records: Sequence[Record]) -> None:
    """One line per case event with the signal that caused it: the correlation ids only."""
    for record in records:
        event_id = dict(record.headers)["ce_id"].decode()
        with log_context(signal_id=signal_id, event_id=event_id):
            log.info("signal %s: case event %s", signal_id, event_id)


def _file_signal(
    file: CaseFile | None,
    signal: SignalReceived,
    policy: ScoringPolicy,
    now: datetime,
    vault: PiiVault,
) -> tuple[CaseFile, list[Record]] | None:
    fact = SignalFact(
        signal_id=signal.signal_id,
        source=signal.source,
        type=signal.type,
        occurred_at=signal.occurred_at,
        details=signal.details,
    )
    household = Household(minors=signal.minors, adults=signal.adults, district=signal.district)
    if file is None:
        if signal.type == "resolved":
            log.info("signal %s resolves nothing open; no case", signal.signal_id)
            return None
        case, change = open_case(
            str(uuid.uuid4()), signal.household_pseudonym, household, fact, policy, now
        )
        by_source = {signal.source: signal.sealed_household}
        merged = seal_case_household(vault, by_source, signal.source)
        file = CaseFile(case, merged, by_source, signal.source, [fact])
        return file, case_events(file, change, signal.signal_id)
    change = file.case.apply_signal(fact, household, policy, now)
    if change.cause != "duplicate_signal":
        file.signals.append(fact)
        _keep_contacts(file, signal, vault)
    return file, case_events(file, change, signal.signal_id)


def _keep_contacts(file: CaseFile, signal: SignalReceived, vault: PiiVault) -> None:
    """A corporation's latest signal with contacts replaces that corporation's contacts only;
    one without contacts (or a resolution) keeps what it gave before."""
    if signal.type == "resolved":
        return
    if not signal.contacts and signal.source in file.sealed_by_source:
        return
    file.sealed_by_source[signal.source] = signal.sealed_household
    file.latest_source = signal.source
    file.sealed_household = seal_case_household(vault, file.sealed_by_source, signal.source)


async def read_case(
    begin: Transaction, vault: PiiVault, case_id: str, key_id: str, source: str
) -> CaseWithHousehold:
    """The full case; the read of contact data is written to the audit log in the same commit."""
    async with begin() as cases:
        file = await cases.get(case_id)
        if file is None:
            raise CaseNotFound(case_id)
        await cases.record_contact_data_read(case_id, key_id, source, datetime.now(UTC))
    household = open_case_household(vault, file.sealed_by_source, file.latest_source)
    return CaseWithHousehold(**dict(case_document(file)), household=household)


async def list_cases(begin: Transaction, wanted: QueueFilter) -> QueuePage:
    """The USD's work queue; no contact data, so no audit."""
    async with begin() as cases:
        return await cases.queue(wanted)


@dataclass(frozen=True)
class NewContactAttempt:
    """A contact attempt as the USD posts it; without an id it gets a new one."""

    channel: ContactChannel
    reached: bool
    at: datetime
    attempt_id: str | None = None


async def record_contact_attempt(
    begin: Transaction, case_id: str, posted: NewContactAttempt, now: datetime
) -> tuple[CaseDocument, bool]:
    """Records the attempt; returns the case and whether it was a replay (same id, nothing new)."""
    attempt = ContactAttempt(
        posted.attempt_id or str(uuid.uuid4()), posted.channel, posted.reached, posted.at
    )
    async with begin() as cases:
        file = await _for_change(cases, case_id)
        change = file.case.record_contact_attempt(attempt, now)
        if change.cause == "duplicate_attempt":
            return case_document(file), True
        await cases.save([file], case_events(file, change))
    return case_document(file), False


async def close_case(begin: Transaction, case_id: str, outcome: UsdOutcome) -> CaseDocument:
    async with begin() as cases:
        file = await _for_change(cases, case_id)
        change = file.case.close(outcome, datetime.now(UTC))
        await cases.save([file], case_events(file, change))
    return case_document(file)


async def escalate_overdue(
    begin: Transaction, now: datetime | None = None, limit: int = 200
) -> int:
    """One sweep of the deadline watch; returns how many cases were escalated."""
    now = now or datetime.now(UTC)
    async with begin() as cases:
        overdue = await cases.overdue(now, limit)
        events = [e for file in overdue for e in case_events(file, file.case.escalate_overdue(now))]
        await cases.save(overdue, events)
    return len(events)


async def _for_change(cases: CaseRepository, case_id: str) -> CaseFile:
    file = await cases.get(case_id, for_change=True)
    if file is None:
        raise CaseNotFound(case_id)
    return file
