"""`vroegsignaal run` killed with SIGKILL loses nothing it acknowledged."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import httpx

from tests.e2e.process import VroegsignaalProcess, eventually
from tests.signals import rent_arrears


def relayed_ids(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "eventlog.sqlite3") as db:
        rows = db.execute("SELECT headers FROM records WHERE topic = 'vroegsignaal.signals.v1'")
        return {dict(json.loads(headers))["ce_id"] for (headers,) in rows}


async def test_kill_9_after_acknowledgement_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "var"
    env = {"VS_DATA_DIR": str(data)}
    vs = VroegsignaalProcess(["run"], env, tmp_path / "run.log")
    await vs.start()
    try:
        key = (data / "dev-api-key").read_text().strip()
        auth = {"Authorization": f"Bearer {key}"}
        signals = [rent_arrears() for _ in range(60)]
        async with httpx.AsyncClient(base_url=vs.url, headers=auth) as client:
            singles = await asyncio.gather(
                *[client.post("/v1/signals", json=s) for s in signals[:30]]
            )
            batch = await client.post("/v1/signals/batch", json={"signals": signals[30:]})
        assert {r.status_code for r in singles} == {202}
        assert {r["status"] for r in batch.json()["results"]} == {"accepted"}
        vs.kill()

        restarted = VroegsignaalProcess(["run"], env, tmp_path / "run.log")
        await restarted.start()
        try:
            async with httpx.AsyncClient(base_url=restarted.url, headers=auth) as client:
                for signal in signals:
                    response = await client.get(f"/v1/signals/{signal['id']}")
                    assert response.status_code == 200
                    assert response.json()["status"] == "accepted"
            wanted = {s["id"] for s in signals}

            async def all_relayed() -> bool:
                return wanted <= relayed_ids(data)

            await eventually(all_relayed, 30)
        finally:
            restarted.terminate()
    finally:
        vs.terminate()
