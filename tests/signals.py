"""Signals for tests, shaped like ../shared/samples, each with its own id and address."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

from tests.conftest import SAMPLES

SAMPLE_MONTH = [json.loads(line) for line in (SAMPLES / "signals.jsonl").read_text().splitlines()]
PII = ("J. de Vries", "+31612345678", "vries@example.nl", "1985-03-14")


def rent_arrears(
    amount: float = 1380.5,
    minors: int | None = 2,
    house_number: int | None = None,
    postcode: str = "1402 AB",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "rent_arrears",
        "occurred_at": "2026-11-02T09:00:00+01:00",
        "household": {
            "address": {
                "postcode": postcode,
                "house_number": house_number or random.randint(1, 99_999),
                "city": "Bussum",
            },
            "tenant_reference": "HUUR-000012",
            "contacts": [
                {"name": PII[0], "phone": PII[1], "email": PII[2], "date_of_birth": PII[3]}
            ],
            "adults": 1,
            "minors": minors,
        },
        "details": {"amount_eur": amount, "monthly_rent_eur": 690.25},
        **extra,
    }


def as_json(signal: dict[str, Any]) -> bytes:
    return json.dumps(signal).encode()
