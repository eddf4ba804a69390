"""Events that cross process boundaries: topics, CloudEvent types and their `data` models.

No plaintext personal data ever goes on the bus: the household travels sealed with its own data
key (`shared.envelope`; purging the household destroys the key) and the record key is the
household pseudonym.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.case_document import CaseDocument
from shared.vocabulary import ChangeKind, SignalStatus, SignalType

SIGNALS_TOPIC = "vroegsignaal.signals.v1"
CASES_TOPIC = "vroegsignaal.cases.v1"
TOPICS = (SIGNALS_TOPIC, CASES_TOPIC)

SIGNAL_RECEIVED = "nl.vroegsignaal.signal.received"
CASE_EVENT_PREFIX = "nl.vroegsignaal.case."
TRIAGE_SOURCE = "/vroegsignaal/triage"


def signal_binding(source: str, signal_id: str) -> str:
    """What a signal's sealed data is bound to (AES-GCM associated data): its row in `signals`;
    its event's household is bound to `event:` + this. Sealed data opens only for its record."""
    return f"signal:{source}:{signal_id}"


def case_binding(case_id: str) -> str:
    """What a case's sealed household is bound to: the case (its row, events, notifications)."""
    return f"case:{case_id}"


def signal_event_source(source: str) -> str:
    """CloudEvent source of a corporation's signals: signal ids are unique per source."""
    return f"/vroegsignaal/sources/{source}"


class SignalReceived(BaseModel):
    """Data of `nl.vroegsignaal.signal.received`: an accepted signal, household sealed."""

    signal_id: str
    source: str
    type: SignalType
    occurred_at: datetime
    received_at: datetime
    household_pseudonym: str = Field(description="HMAC of the normalised address (the key).")
    minors: int | None
    adults: int | None
    details: dict[str, Any]
    contacts: int = Field(0, ge=0, description="How many contacts the sealed household holds.")
    sealed_household: str = Field(
        description="`Household` JSON sealed (AES-GCM) with the household's own data key, bound "
        "to `event:signal:<source>:<signal_id>`; unreadable once the household is purged."
    )
    district: str | None = Field(
        None,
        pattern=r"^[1-9][0-9]{3}$",
        description="The postcode's four digits (the district): not personal data, so the work "
        "queue and the reports can show it while the address stays sealed.",
        examples=["1402"],
    )


class SignalRef(BaseModel):
    source: str
    signal_id: str


class CaseChanged(BaseModel):
    """Data of `nl.vroegsignaal.case.<change>`: the case as the USD reads it, household sealed."""

    change: ChangeKind
    case_id: str
    household_pseudonym: str
    case: CaseDocument = Field(description="The case as in GET /v1/cases/{id}, no household.")
    sealed_household: str = Field(
        description="`CaseHousehold` JSON sealed (AES-GCM) with the household's own data key, "
        "bound to `case:<case_id>`; unreadable once the household is purged."
    )
    signal_refs: list[SignalRef]
    signal_status: SignalStatus = Field(description="What the corporations may see (DDAS).")

    @property
    def event_type(self) -> str:
        return CASE_EVENT_PREFIX + self.change
