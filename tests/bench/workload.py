"""The workloads: signal records exactly as ingest puts them on the bus, for realistic households
(triage: about three signals each, so most cases are re-scored and some closed), and signals for
the ingest API that each make the notifier send a webhook (end-to-end latency)."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.bus import Record
from shared.crypto import PiiVault, generate_pii_key
from signal_ingest.domain.intake import body_hash
from signal_ingest.domain.signal import parse_signal
from signal_ingest.received import new_signal

KINDS: list[tuple[str, int]] = [
    ("rent_arrears", 55),
    ("nuisance", 12),
    ("pollution", 8),
    ("drugs", 5),
    ("eviction_order", 8),
    ("eviction_executed", 2),
    ("resolved", 10),  # closes cases; a later signal of the household opens a new one
]


def _details(kind: str, rng: random.Random) -> dict[str, Any]:
    if kind == "rent_arrears":
        return {"amount_eur": round(rng.uniform(100, 4000), 2), "monthly_rent_eur": 700.0}
    if kind == "nuisance":
        return {"category": rng.choice(["noise", "aggression"]), "severity": "high"}
    if kind == "pollution":
        return {"severity": rng.choice(["low", "medium", "high"])}
    if kind == "drugs":
        return {"category": "cannabis_cultivation", "stage": "warning"}
    if kind == "eviction_order":
        return {"judgment_date": "2026-11-05", "reason": "arrears"}
    if kind == "eviction_executed":
        return {"executed_on": "2026-12-01"}
    return {"resolves": "rent_arrears", "reason": rng.choice(["paid", "payment_arrangement"])}


NOTIFYING_KINDS = [(kind, weight) for kind, weight in KINDS if kind != "resolved"]
"""Kinds that open a case for a new household (a `resolved` for one resolves nothing)."""


async def signal_records(
    topic: str,
    count: int,
    households: int,
    seed: int = 7,
    *,
    vault: PiiVault | None = None,
    kinds: Sequence[tuple[str, int]] = KINDS,
) -> list[Record]:
    """Records exactly as ingest puts them on the bus, for `households` addresses (so most
    households get several signals and their cases are re-scored); households sealed with
    `vault` (default: a throw-away key), each with its household's key from `vault`'s store."""
    rng = random.Random(seed)
    vault, now = vault or PiiVault(generate_pii_key()), datetime.now(UTC)
    numbers = rng.sample(range(1, 10_000_000), households)
    chosen = numbers + [rng.choice(numbers) for _ in range(count - households)]
    rng.shuffle(chosen)
    names, weights = zip(*kinds, strict=True)
    records = []
    for number in chosen:
        kind = rng.choices(names, weights)[0]
        signal = parse_signal(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "type": kind,
                "occurred_at": "2026-11-02T09:00:00+01:00",
                "household": {
                    "address": {
                        "postcode": "1234AB",
                        "house_number": number % 99_999 + 1,
                        "house_number_addition": f"B{number}",
                    },
                    "contacts": [{"name": "J. de Vries", "phone": "+31612345678"}],
                    "minors": rng.choice([None, 0, 1, 3]),
                    "adults": 1,
                },
                "details": _details(kind, rng),
            }
        )
        pseudonym = vault.pseudonym(signal.household.address.identity())
        keys = await vault.households.ensure([pseudonym])
        record = new_signal(signal, body_hash(signal), "bench", vault, now, keys).event
        records.append(replace(record, topic=topic))
    return records


def notifying_signals(run_id: str, count: int) -> list[dict[str, Any]]:
    """Signals for `POST /v1/signals` that each produce a webhook: three in four open a case for a
    new household of this run (house number addition = the run id, so a rerun never meets an
    old case), one in four adds a type the household does not have yet to a case opened earlier
    in the run (re-scored: `updated` or `escalated`). Never a repeat, never a `resolved`."""
    rng = random.Random(run_id)  # fresh signal ids per run
    names, weights = zip(*NOTIFYING_KINDS, strict=True)
    households: list[tuple[int, set[str]]] = []  # (house number, kinds it has)
    signals = []
    for i in range(count):
        growable = [h for h in households[-400:-20] if len(h[1]) < len(names)]
        if i % 4 == 3 and growable:
            number, has = rng.choice(growable)
            kind = rng.choice([k for k in names if k not in has])
        else:
            number, has = len(households) + 1, set()
            households.append((number, has))
            kind = rng.choices(names, weights)[0]
        has.add(kind)
        signals.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "type": kind,
                "occurred_at": "2026-11-02T09:00:00+01:00",
                "household": {
                    "address": {
                        "postcode": "1234AB",
                        "house_number": number,
                        "house_number_addition": run_id[:10],
                    },
                    "contacts": [{"name": "J. de Vries", "phone": "+31612345678"}],
                    "minors": rng.choice([None, 0, 1, 3]),
                    "adults": 1,
                },
                "details": _details(kind, rng),
            }
        )
    return signals


async def publish(bootstrap: str, records: Sequence[Record]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5, max_batch_size=262_144
    )
    await producer.start()
    try:
        futures = [
            await producer.send(r.topic, r.value, key=r.key, headers=list(r.headers))
            for r in records
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
