"""Accepting a signal: the same id and body again is a replay (nothing is processed twice); the
same id with another body is a conflict.

Which post of an id was first is decided by the store's primary key (source, signal id), so
concurrent posts agree; this module judges each post once the store has said what it holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import orjson

from signal_ingest.domain.signal import SignalIn

Verdict = Literal["accepted", "duplicate", "conflict"]
SignalKey = tuple[str, str]
"""(source, signal id): the idempotency key."""
Posted = tuple[str, SignalIn]
"""A signal and the source that posted it."""


@dataclass(frozen=True, slots=True)
class Intake:
    """The answer to one posted signal."""

    id: str
    verdict: Verdict
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Receipt:
    """What is kept of a stored signal to judge a later post of its id."""

    body_hash: str
    received_at: datetime


def signal_key(source: str, signal: SignalIn) -> SignalKey:
    return source, str(signal.id)


def body_hash(signal: SignalIn) -> str:
    """Hash of the normalised body: a replay is recognised whatever the key order or spacing.
    Every stored signal's hash was made this way: changing it would turn replays into conflicts."""
    canonical = orjson.dumps(signal.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def judge(
    posted: Sequence[Posted],
    digests: Sequence[str],
    inserted: Collection[SignalKey],
    stored: Mapping[SignalKey, Receipt],
) -> list[Intake]:
    """One verdict per posted signal, in order. `inserted`: the keys this write stored;
    `stored`: the receipt of every posted key (those just inserted included).

    Another body than the stored one is a conflict; the first post of a key this write inserted
    is accepted, and every other post with the stored body is a duplicate (a signal posted twice
    in one group is accepted once)."""
    outcome, seen = [], set()
    for (source, signal), digest in zip(posted, digests, strict=True):
        key = signal_key(source, signal)
        receipt = stored[key]
        if digest != receipt.body_hash:
            verdict: Verdict = "conflict"
        elif key in inserted and key not in seen:
            verdict = "accepted"
        else:
            verdict = "duplicate"
        seen.add(key)
        outcome.append(Intake(key[1], verdict, receipt.received_at))
    return outcome
