"""A deterministic national month of signals (issue 9): ~30 corporations, Dutch shape.

The shape, as generated (same seed, same signals, byte for byte):
- corporations of unequal size (a few large ones, many small: weights 1/rank^0.8);
- about 89% of a month's households send one signal, ~11% two or more (2-4: a higher arrears
  amount, another problem type, sometimes from a second corporation);
- ~40% of households had an earlier signal in the six months before, which was resolved: the
  stream holds that signal and its `resolved` first, so the month's signal reopens a case
  (recurrence);
- evictions (orders, a few executed) with and without children (minors 0 or 1-3).
`occurred_at` lies in the six months before 2026-12-01 (the month itself: November 2026).
Each corporation posts its own signals in time order; signal ids are distinct.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

CORPORATIONS = 30
MONTH_START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
MONTH_END = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
PROBLEMS: list[tuple[str, int]] = [
    ("rent_arrears", 62),
    ("nuisance", 12),
    ("pollution", 8),
    ("drugs", 4),
    ("eviction_order", 11),
    ("eviction_executed", 3),
]


@dataclass(frozen=True)
class MonthSignal:
    source: str  # the corporation posting it (its API key's source)
    occurred_at: datetime
    body: dict[str, Any]  # as POSTed in `{"signals": [...]}`


def corporations(count: int = CORPORATIONS) -> list[str]:
    return [f"corporatie-{i:02d}" for i in range(1, count + 1)]


def national_month(total: int, seed: int = 2026, corps: int = CORPORATIONS) -> list[MonthSignal]:
    """`total` signals (exactly), each corporation's in time order."""
    rng = random.Random(seed)
    names = corporations(corps)
    weights = [1 / (rank**0.8) for rank in range(1, len(names) + 1)]
    kinds, kind_weights = zip(*PROBLEMS, strict=True)
    out: list[MonthSignal] = []
    household = 0

    def signal(source: str, at: datetime, kind: str, home: dict[str, Any], **details: Any) -> None:
        body = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "type": kind,
            "occurred_at": at.isoformat(),
            "household": home,
            "details": details or _details(kind, rng),
        }
        out.append(MonthSignal(source, at, body))

    while len(out) < total:
        household += 1
        source = rng.choices(names, weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        minors = rng.choice([0, 0, 1, 2, 3]) if kind.startswith("eviction") else None
        home = {
            "address": {
                "postcode": f"{1000 + household % 8999:04d}{rng.choice('ABCDEFGHJK')}"
                f"{rng.choice('LMNPRSTVWX')}",
                "house_number": household % 499 + 1,
                "house_number_addition": f"N{household}",
            },
            "contacts": [{"name": "J. de Vries", "phone": "+31612345678"}],
            "minors": minors if minors is not None else rng.choice([None, 0, 1, 2]),
            "adults": rng.choice([1, 1, 2]),
        }
        at = MONTH_START + timedelta(minutes=rng.randrange(29 * 24 * 60))
        if rng.random() < 0.40:  # an earlier signal in the six months before, resolved since
            earlier = at - timedelta(days=rng.randrange(20, 180))
            signal(source, earlier, "rent_arrears", home)
            signal(
                source,
                earlier + timedelta(days=rng.randrange(3, 15)),
                "resolved",
                home,
                resolves="rent_arrears",
                reason=rng.choice(["paid", "payment_arrangement"]),
            )
        signal(source, at, kind, home)
        if rng.random() < 0.11:  # two or more this month
            for n in range(rng.choice([1, 1, 1, 2, 3])):
                later = min(at + timedelta(hours=rng.randrange(6, 24 * 10) * (n + 1)), MONTH_END)
                other = rng.choices(names, weights)[0] if rng.random() < 0.2 else source
                more = rng.choice(["rent_arrears", "rent_arrears", "nuisance", "eviction_order"])
                signal(other, later, more, home)
    del out[total:]
    out.sort(key=lambda s: (s.source, s.occurred_at))
    return out


def _details(kind: str, rng: random.Random) -> dict[str, Any]:
    if kind == "rent_arrears":
        return {"amount_eur": round(rng.uniform(300, 6000), 2), "monthly_rent_eur": 720.0}
    if kind == "nuisance":
        return {"category": rng.choice(["noise", "aggression"]), "severity": "high"}
    if kind == "pollution":
        return {"severity": rng.choice(["low", "medium", "high"])}
    if kind == "drugs":
        return {"category": "cannabis_cultivation", "stage": "warning"}
    if kind == "eviction_order":
        return {"judgment_date": "2026-10-20", "reason": "arrears"}
    return {"executed_on": "2026-11-28"}
