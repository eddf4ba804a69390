"""Two triage workers in one Kafka consumer group; one is killed mid-stream (real Kafka + PG)."""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select

from services.processes import INGEST
from shared.events import CASES_TOPIC
from tests.conftest import SettingsFactory
from tests.e2e.process import VroegsignaalProcess, eventually
from tests.harness import running
from tests.integration.kafka_topic import read_topic
from triage.tables import cases

JSON = {"Content-Type": "application/json"}
NOTIFYING = {"opened", "rescored", "escalated", "closed", "contact_attempt", "deadline_passed"}


def household_signals(households: int, total: int) -> list[dict[str, Any]]:
    """`total` signals spread over `households` fresh addresses, every household at least once."""
    addresses = random.sample(range(100_000, 1_000_000), households)  # distinct: no two alike
    kinds = [
        (
            "rent_arrears",
            lambda: {"amount_eur": round(random.uniform(100, 4000), 2), "monthly_rent_eur": 700.0},
        ),
        ("nuisance", lambda: {"category": "noise", "severity": random.choice(["low", "high"])}),
        ("pollution", lambda: {"severity": "medium"}),
        ("drugs", lambda: {"category": "drug_dealing", "stage": "warning"}),
        ("eviction_order", lambda: {"judgment_date": "2026-11-05", "reason": "arrears"}),
    ]
    chosen = addresses + [random.choice(addresses) for _ in range(total - households)]
    random.shuffle(chosen)
    signals = []
    for number in chosen:
        kind, details = random.choice(kinds)
        signals.append(
            {
                "id": str(uuid.uuid4()),
                "type": kind,
                "occurred_at": "2026-11-02T09:00:00+01:00",
                "household": {
                    "address": {
                        "postcode": "1234AB",
                        "house_number": number % 99_999 + 1,
                        "house_number_addition": f"W{number}"[:10],
                    },
                    "minors": random.choice([None, 0, 1, 3]),
                },
                "details": details(),
            }
        )
    return signals


async def test_killing_one_of_two_workers_loses_and_doubles_nothing(
    make_settings: SettingsFactory,
    pg_url: str,
    kafka_bootstrap: str,
    unique: str,
    tmp_path: Path,
) -> None:
    settings = make_settings(database_url=pg_url, kafka_bootstrap_servers=kafka_bootstrap)
    env = {
        "VS_DATABASE_URL": pg_url,
        "VS_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "VS_PII_KEY": make_settings.pii_key,
        "VS_DATA_DIR": str(tmp_path / "w"),
        "VS_KEYSTORE_URL": str(settings.keystore_url),  # the test's own, shared with the workers
    }
    workers = [
        VroegsignaalProcess(["serve", "triage"], env, tmp_path / f"triage-{i}.log")
        for i in range(2)
    ]
    for worker in workers:
        await worker.start()
    try:
        async with running(settings, create=INGEST.app) as vs:
            auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
            signals = household_signals(households=200, total=500)
            for start in range(0, len(signals), 50):
                if start == 250:
                    workers[0].kill()
                batch = {"signals": signals[start : start + 50]}
                response = await vs.client.post("/v1/signals/batch", json=batch, headers=auth)
                assert {r["status"] for r in response.json()["results"]} == {"accepted"}

            pseudonyms = {
                vs.runtime.vault.pseudonym(
                    f"1234AB|{s['household']['address']['house_number']}|"
                    f"{s['household']['address']['house_number_addition']}"
                )
                for s in signals
            }
            wanted = {s["id"] for s in signals}

            async def triaged() -> list[Any] | None:
                async with vs.runtime.engine.connect() as conn:
                    rows = (
                        await conn.execute(
                            select(cases.c.case_id, cases.c.state).where(
                                cases.c.household_pseudonym.in_(pseudonyms)
                            )
                        )
                    ).all()
                seen = {s["id"] for row in rows for s in row.state["signals"]}
                return rows if wanted <= seen else None

            rows = await eventually(triaged, 120, interval_s=1)
    finally:
        for worker in workers:
            worker.terminate()

    placements = Counter(s["id"] for row in rows for s in row.state["signals"])
    assert set(placements.values()) == {1}, "a signal landed in more than one case"
    assert len(rows) == 200, "one case per household"

    expected = Counter()
    for row in rows:
        expected[row.case_id] = sum(1 for _, kind, _ in row.state["history"] if kind in NOTIFYING)
    case_ids = set(expected)

    async def events() -> tuple[Counter[str], dict[str, set[bytes]]] | None:
        # A worker killed between the broker's ack and its outbox commit leaves the other worker
        # to relay the same rows again: at least once, under the same CloudEvent id, which every
        # consumer deduplicates. Missing or doubled means a *change* missing or doubled.
        bodies: dict[str, set[bytes]] = defaultdict(set)
        subjects: dict[str, str] = {}
        for record in await read_topic(kafka_bootstrap, CASES_TOPIC):
            headers = dict(record.headers)
            subject = headers.get("ce_subject", b"").decode()
            if subject in case_ids:
                event_id = headers["ce_id"].decode()
                bodies[event_id].add(record.value)
                subjects[event_id] = subject
        published = Counter(subjects.values())
        return (published, bodies) if sum(published.values()) >= sum(expected.values()) else None

    published, bodies = await eventually(events, 60, interval_s=1)
    reused_ids = [event_id for event_id, values in bodies.items() if len(values) > 1]
    assert not reused_ids, "one CloudEvent id carried two different changes"
    assert published == expected, "case changes missing or doubled"
