"""The audit log's entries and their hash chain (auditlog, CONTRACT §10): pure, no I/O.

Each entry's hash is SHA-256 over a canonical encoding of all its fields and the hash of the
entry before it, so changing or removing any entry breaks every hash after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal, get_args

import orjson

from shared.audit.details import AuditDetails, check_details

AuditAction = Literal[
    "contact_data.shown",  # contactgegevens getoond (API, pages)
    "webhook.contact_data_sent",  # contactgegevens verstuurd met een webhook
    "case.outcome_recorded",  # resultaat vastgelegd
    "housing_plan.recorded",  # woonplan vastgelegd
    "shelter.booked",  # crisisopvang geboekt
    "shelter.released",  # crisisopvang vrijgegeven
    "contact_attempt.recorded",  # contactpoging vastgelegd
    "key.created",  # API-sleutel aangemaakt
    "key.revoked",  # API-sleutel ingetrokken
    "purge.run",  # bewaartermijn: gegevens vernietigd
    "pii.rotated",  # persoonsgegevens opnieuw versleuteld
    "ddas.exported",  # DDAS-uitwisselmodel aangemaakt (met postcode en huisnummer)
]
AUDIT_ACTIONS: Final[tuple[AuditAction, ...]] = get_args(AuditAction)
ActorKind = Literal["key", "system", "cli"]
ACTOR_KINDS: Final[tuple[ActorKind, ...]] = get_args(ActorKind)

GENESIS_HASH: Final = "0" * 64
"""The `prev_hash` of the first entry."""
_HASH_DOMAIN: Final = b"vroegsignaal.audit.v1\n"  # a new encoding would get a new prefix


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: an API key (its id and source), the service itself, or an operator's CLI."""

    kind: ActorKind
    key_id: str | None = None
    source: str | None = None

    @classmethod
    def for_key(cls, key_id: str, source: str) -> Actor:
        return cls("key", key_id, source)


SYSTEM: Final = Actor("system")
CLI: Final = Actor("cli")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One sealed entry; `id` counts 1, 2, 3 … without gaps, so a removed entry shows."""

    id: int
    at: datetime
    actor: Actor
    action: str
    subject: str | None
    details: AuditDetails
    prev_hash: str
    hash: str


def canonical_details(details: AuditDetails) -> str:
    """Sorted keys, no whitespace: the stored form, identical on every database."""
    return orjson.dumps(dict(details), option=orjson.OPT_SORT_KEYS).decode()


def entry_hash(
    id: int,
    at: datetime,
    actor: Actor,
    action: str,
    subject: str | None,
    details: AuditDetails,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) over every field of an entry and its predecessor's hash."""
    fields = {
        "id": id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": {"kind": actor.kind, "key_id": actor.key_id, "source": actor.source},
        "action": action,
        "subject": subject,
        "details": dict(details),
        "prev_hash": prev_hash,
    }
    encoded = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(_HASH_DOMAIN + encoded).hexdigest()


def seal(
    previous: AuditEntry | None,
    now: datetime,
    actor: Actor,
    action: AuditAction,
    subject: str | None,
    details: AuditDetails,
) -> AuditEntry:
    """The entry that follows `previous`; its time never goes back (clocks between hosts may)."""
    if actor.kind not in ACTOR_KINDS or (actor.kind == "key") != bool(
        actor.key_id and actor.source
    ):
        raise ValueError("an actor is a key (with its id and source), 'system' or 'cli'")
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; choose from {AUDIT_ACTIONS}")
    if subject is not None and not 0 < len(subject) <= 100:
        raise ValueError("an audit subject is a case or key id of 1 to 100 characters")
    check_details(details)
    id = previous.id + 1 if previous else 1
    at = max(now, previous.at) if previous else now
    prev_hash = previous.hash if previous else GENESIS_HASH
    digest = entry_hash(id, at, actor, action, subject, details, prev_hash)
    return AuditEntry(id, at, actor, action, subject, details, prev_hash, digest)


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first entry at which the chain does not hold, and why."""

    entry_id: int
    reason: str


class ChainVerifier:
    """Checks entries one by one in id order, so a long log is verified in bounded memory."""

    def __init__(self) -> None:
        self.count = 0
        self.head: AuditEntry | None = None
        self.broken: ChainBreak | None = None

    def feed(self, entry: AuditEntry) -> bool:
        """False (and `broken` set) at the first entry that breaks the chain."""
        if self.broken is not None:
            return False
        self.broken = _check(self.head, entry)
        if self.broken is not None:
            return False
        self.count, self.head = self.count + 1, entry
        return True


def verify_chain(entries: Iterable[AuditEntry]) -> ChainBreak | None:
    """None when every entry follows its predecessor and its hash matches its contents."""
    verifier = ChainVerifier()
    for entry in entries:
        if not verifier.feed(entry):
            break
    return verifier.broken


def _check(previous: AuditEntry | None, entry: AuditEntry) -> ChainBreak | None:
    expected_id = previous.id + 1 if previous else 1
    if entry.id != expected_id:
        missing = (
            f"{expected_id}" if entry.id == expected_id + 1 else f"{expected_id}-{entry.id - 1}"
        )
        return ChainBreak(entry.id, f"entry {missing} is missing (removed)")
    if entry.prev_hash != (previous.hash if previous else GENESIS_HASH):
        return ChainBreak(entry.id, "its prev_hash is not the hash of the entry before it")
    recomputed = entry_hash(
        entry.id, entry.at, entry.actor, entry.action, entry.subject, entry.details, entry.prev_hash
    )
    if recomputed != entry.hash:
        return ChainBreak(entry.id, "its hash does not match its contents (changed)")
    return None
