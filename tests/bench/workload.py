"""The triage workload: signal records exactly as ingest puts them on the bus, for realistic
households (about three signals each, so most cases are re-scored and some closed)."""

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
from signal_ingest.domain.signal import parse_signal
from signal_ingest.intake import _prepare, body_hash

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


def signal_records(topic: str, count: int, households: int, seed: int = 7) -> list[Record]:
    """Records exactly as ingest puts them on the bus, for `households` addresses (so most
    households get several signals and their cases are re-scored)."""
    rng = random.Random(seed)
    vault, now = PiiVault(generate_pii_key()), datetime.now(UTC)
    numbers = rng.sample(range(1, 10_000_000), households)
    chosen = numbers + [rng.choice(numbers) for _ in range(count - households)]
    rng.shuffle(chosen)
    kinds, weights = zip(*KINDS, strict=True)
    records = []
    for number in chosen:
        kind = rng.choices(kinds, weights)[0]
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
        _, record = _prepare(signal, body_hash(signal), "bench", vault, now)
        records.append(replace(record, topic=topic))
    return records


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
