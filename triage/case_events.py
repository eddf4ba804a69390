"""Turns a case change the USD must hear about into its event on the cases topic.

Called by the use cases right after each change, so every event carries the case as it was at
that change, even when one batch changes a case several times. Pure: no I/O.
"""

from __future__ import annotations

import uuid

from shared.bus import Record
from shared.cloudevent import CloudEvent
from shared.events import CASES_TOPIC, TRIAGE_SOURCE, CaseChanged, SignalRef
from triage.case_file import CaseFile, case_document
from triage.domain.case_records import CaseChange
from triage.domain.feedback import signal_status_for_corporation


def case_events(file: CaseFile, change: CaseChange, caused_by: str | None = None) -> list[Record]:
    """The event of `change` (`nl.vroegsignaal.case.<kind>`), or none when it only recorded;
    `caused_by` (a signal id) becomes its `correlationid`."""
    if change.kind is None:
        return []
    case = file.case
    closing = change.kind == "closed"  # only a closing event names every signal of the case
    refs = (
        [SignalRef(source=s.source, signal_id=s.signal_id) for s in file.signals] if closing else []
    )
    data = CaseChanged(
        change=change.kind,
        case_id=case.case_id,
        household_pseudonym=case.household_pseudonym,
        case=case_document(file, change.at),
        sealed_household=file.sealed_household,
        signal_refs=refs,
        signal_status=signal_status_for_corporation(case),
    )
    event = CloudEvent(
        type=data.event_type,
        source=TRIAGE_SOURCE,
        id=str(uuid.uuid4()),
        subject=case.case_id,
        time=change.at,
        correlationid=caused_by,
        data=data.model_dump_json().encode(),
    )
    return [Record.of(CASES_TOPIC, case.household_pseudonym, event)]
