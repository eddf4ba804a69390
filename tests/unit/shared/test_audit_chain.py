"""The audit log's hash chain: any changed, removed or reordered entry is found (pure)."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest

from shared.audit.domain import (
    CLI,
    GENESIS_HASH,
    SYSTEM,
    Actor,
    AuditEntry,
    entry_hash,
    seal,
    verify_chain,
)

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
READER = Actor.for_key("4f0c2d7a9b1e", "usd-gooise-meren")


def chain(length: int = 5) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for n in range(length):
        previous = entries[-1] if entries else None
        entries.append(
            seal(
                previous,
                T0 + timedelta(minutes=n),
                READER,
                "contact_data.shown",
                f"case-{n}",
                {"via": "api"},
            )
        )
    return entries


def test_an_untouched_chain_verifies() -> None:
    entries = chain()
    assert verify_chain(entries) is None
    assert [e.id for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))


@pytest.mark.parametrize(
    "change",
    [
        {"details": {"via": "page"}},
        {"subject": "case-other"},
        {"actor": CLI},
        {"action": "case.outcome_recorded"},
        {"at": T0 + timedelta(minutes=2, microseconds=1)},
    ],
    ids=lambda c: next(iter(c)),
)
def test_any_changed_field_breaks_the_chain_at_that_entry(change: dict[str, object]) -> None:
    entries = chain()
    entries[2] = dataclasses.replace(entries[2], **change)  # type: ignore[arg-type]
    broken = verify_chain(entries)
    assert broken is not None and broken.entry_id == 3
    assert "hash" in broken.reason


def test_a_change_with_a_recomputed_hash_breaks_the_chain_at_the_next_entry() -> None:
    entries = chain()
    e = dataclasses.replace(entries[2], details={"via": "page"})
    entries[2] = dataclasses.replace(
        e, hash=entry_hash(e.id, e.at, e.actor, e.action, e.subject, e.details, e.prev_hash)
    )
    broken = verify_chain(entries)
    assert broken is not None and broken.entry_id == 4


@pytest.mark.parametrize("removed", [0, 2, 3])
def test_a_removed_entry_is_found(removed: int) -> None:
    entries = chain()
    del entries[removed]
    broken = verify_chain(entries)
    assert broken is not None and broken.entry_id == removed + 2
    assert f"entry {removed + 1} is missing" in broken.reason


def test_swapped_entries_are_found() -> None:
    entries = chain()
    entries[1], entries[2] = entries[2], entries[1]
    broken = verify_chain(entries)
    assert broken is not None and broken.entry_id == 3


def test_the_hash_follows_the_documented_recipe() -> None:
    """A reader can check an exported entry with any SHA-256 and JSON library."""
    entry = chain(2)[1]
    fields = {
        "id": entry.id,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": {"kind": "key", "key_id": READER.key_id, "source": READER.source},
        "action": entry.action,
        "subject": entry.subject,
        "details": dict(entry.details),
        "prev_hash": entry.prev_hash,
    }
    encoded = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expected = hashlib.sha256(b"vroegsignaal.audit.v1\n" + encoded.encode()).hexdigest()
    assert entry.hash == expected


def test_key_order_in_details_does_not_change_the_hash() -> None:
    one = seal(None, T0, SYSTEM, "purge.run", None, {"cases": 3, "signals": 7})
    other = seal(None, T0, SYSTEM, "purge.run", None, {"signals": 7, "cases": 3})
    assert one.hash == other.hash


def test_time_never_goes_back_along_the_chain() -> None:
    first = seal(None, T0, SYSTEM, "pii.rotated", None, {})
    second = seal(first, T0 - timedelta(seconds=5), SYSTEM, "pii.rotated", None, {})
    assert second.at == first.at


@pytest.mark.parametrize(
    ("actor", "action", "subject"),
    [
        (SYSTEM, "case.deleted", "c"),
        (Actor("key"), "key.created", "k"),
        (Actor("system", "k1", "x"), "key.created", "k"),
        (Actor("root"), "key.created", "k"),  # type: ignore[arg-type]
        (SYSTEM, "key.created", ""),
        (SYSTEM, "key.created", "x" * 101),
    ],
)
def test_entries_the_log_cannot_mean_are_refused(actor: Actor, action: str, subject: str) -> None:
    with pytest.raises(ValueError):
        seal(None, T0, actor, action, subject, {})  # type: ignore[arg-type]
