"""An accepted signal as it is kept (personal data sealed) and as it is announced: the
`signal.received` event, household sealed, keyed by the household's pseudonym."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.bus import Record
from shared.cloudevent import CloudEvent
from shared.crypto import PiiVault
from shared.envelope import KeySet
from shared.events import (
    SIGNAL_RECEIVED,
    SIGNALS_TOPIC,
    SignalReceived,
    signal_binding,
    signal_event_source,
)
from shared.vocabulary import SignalStatus, SignalType
from signal_ingest.domain.intake import SignalKey
from signal_ingest.domain.signal import SignalIn


@dataclass(frozen=True, slots=True)
class NewSignal:
    """A signal ready to store with its event; `sealed_body` holds the whole signal."""

    source: str
    signal_id: str
    type: SignalType
    occurred_at: datetime
    received_at: datetime
    body_hash: str
    household_pseudonym: str
    minors: int | None
    sealed_body: str
    event: Record
    status: SignalStatus = "accepted"

    @property
    def key(self) -> SignalKey:
        return self.source, self.signal_id


def household_pseudonym(vault: PiiVault, signal: SignalIn) -> str:
    return vault.pseudonym(signal.household.address.identity())


def new_signal(
    signal: SignalIn,
    digest: str,
    source: str,
    vault: PiiVault,
    now: datetime,
    keys: KeySet,
    *,
    pseudonym: str | None = None,
) -> NewSignal:
    """`keys` holds the household's data key: its personal data is sealed with it (erasable).
    `pseudonym`: the household's, when the caller computed it already."""
    household = signal.household
    pseudonym = pseudonym or household_pseudonym(vault, signal)
    bound_to = signal_binding(source, str(signal.id))
    data = SignalReceived(
        signal_id=str(signal.id),
        source=source,
        type=signal.type,
        occurred_at=signal.occurred_at,
        received_at=now,
        household_pseudonym=pseudonym,
        minors=household.minors,
        adults=household.adults,
        details=signal.details.model_dump(mode="json"),
        contacts=len(household.contacts),
        sealed_household=keys.seal(
            pseudonym, household.model_dump_json().encode(), "event:" + bound_to
        ),
        district=household.address.postcode[:4],
    )
    event = CloudEvent(
        type=SIGNAL_RECEIVED,
        source=signal_event_source(source),
        id=str(signal.id),
        subject=pseudonym,
        time=now,
        data=data.model_dump_json().encode(),
    )
    return NewSignal(
        source=source,
        signal_id=str(signal.id),
        type=signal.type,
        occurred_at=signal.occurred_at,
        received_at=now,
        body_hash=digest,
        household_pseudonym=pseudonym,
        minors=household.minors,
        sealed_body=keys.seal(pseudonym, signal.model_dump_json().encode(), bound_to),
        event=Record.of(SIGNALS_TOPIC, pseudonym, event),
    )
