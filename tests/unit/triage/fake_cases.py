"""An in-memory `CaseRepository` for use-case tests (cosmicpython's FakeRepository)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from shared.bus import Record
from shared.events import CaseChanged
from triage.case_file import CaseFile
from triage.work_queue import QueueFilter, QueuePage


class FakeCases:
    """Case files in a dict; keeps every event saved and every contact-data read."""

    def __init__(self) -> None:
        self.files: dict[str, CaseFile] = {}
        self.events: list[Record] = []
        self.reads: list[tuple[str, str]] = []

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[FakeCases]:
        """Use as the use cases' `Transaction`."""
        yield self

    async def open_cases_for(self, pseudonyms: Collection[str]) -> dict[str, CaseFile]:
        return {
            f.case.household_pseudonym: f
            for f in self.files.values()
            if f.case.household_pseudonym in pseudonyms and f.case.status != "closed"
        }

    async def get(self, case_id: str, *, for_change: bool = False) -> CaseFile | None:
        return self.files.get(case_id)

    async def overdue(self, now: datetime, limit: int) -> list[CaseFile]:
        return [f for f in self.files.values() if f.case.deadline_passed(now)][:limit]

    async def save(self, files: Sequence[CaseFile], events: Sequence[Record]) -> None:
        self.files.update({f.case.case_id: f for f in files})
        self.events += events

    async def record_contact_data_read(
        self, case_id: str, key_id: str, source: str, at: datetime
    ) -> None:
        self.reads.append((case_id, source))

    async def queue(self, wanted: QueueFilter) -> QueuePage:
        raise NotImplementedError("the queue's order and cursor are tested on real databases")

    def announced(self) -> list[CaseChanged]:
        return [CaseChanged.model_validate_json(record.value) for record in self.events]
