"""Crisis shelter capacity (CONTRACT §8) under concurrent bookings from two real OS processes on
one database: 30 bookings for 16 places give exactly 16 × 201. On PostgreSQL + Kafka the
processes are two `vroegsignaal serve triage`; on the embedded default two `vroegsignaal run`
on the same VS_DATA_DIR (one SQLite database)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx

from shared.settings import Settings
from tests.conftest import SettingsFactory
from tests.e2e.process import VroegsignaalProcess
from tests.harness import running
from tests.integration.test_shelter import JSON, booking, family_cases, shelter_settings


def process_env(settings: Settings) -> dict[str, str]:
    env = {
        "VS_DATA_DIR": str(settings.data_dir),
        "VS_PII_KEY": str(settings.pii_key),
        "VS_SHELTER_FILE": str(settings.shelter_file),
    }
    if settings.database_url:
        env["VS_DATABASE_URL"] = settings.database_url
    if settings.kafka_bootstrap_servers:
        env["VS_KAFKA_BOOTSTRAP_SERVERS"] = settings.kafka_bootstrap_servers
    if settings.keystore_url:
        env["VS_KEYSTORE_URL"] = settings.keystore_url
    return env


async def test_thirty_concurrent_bookings_from_two_os_processes_fill_sixteen_places_exactly(
    stack: Settings, make_settings: SettingsFactory, tmp_path: Path, unique: str
) -> None:
    settings = shelter_settings(stack, make_settings, tmp_path, unique)
    async with running(settings) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        case_ids = await family_cases(vs, 30, corp)

    args = ["serve", "triage"] if settings.database_url else ["run"]
    processes = [
        VroegsignaalProcess(
            [*args, "--host", "127.0.0.1"], process_env(settings), tmp_path / f"p{i}.log"
        )
        for i in range(2)
    ]
    try:
        for process in processes:
            await process.start(timeout_s=90)
        pids = {p.proc.pid for p in processes if p.proc is not None}
        assert len(pids) == 2
        async with httpx.AsyncClient(timeout=60) as client:
            responses = await asyncio.gather(
                *(
                    client.post(
                        processes[i % 2].url + "/v1/shelter/bookings",
                        json=booking(case_id, unique),
                        headers=usd,
                    )
                    for i, case_id in enumerate(case_ids)
                )
            )
            statuses = Counter(r.status_code for r in responses)
            assert statuses == {201: 16, 409: 14}, [
                r.text for r in responses if r.status_code >= 500
            ]
            by_process = Counter(i % 2 for i, r in enumerate(responses) if r.status_code == 201)
            assert sum(by_process.values()) == 16
            for process in processes:
                shelter = (await client.get(process.url + "/v1/shelter", headers=usd)).json()
                (place,) = (
                    u
                    for f in shelter["facilities"]
                    if f["id"] == f"vh-{unique}"
                    for u in f["units"]
                    if u["kind"] == "place"
                )
                assert (place["capacity"], place["occupied"], place["free"]) == (16, 16, 0)
            booked = {r.json()["case_id"] for r in responses if r.status_code == 201}
            assert len(booked) == 16
    finally:
        for process in processes:
            process.terminate()
