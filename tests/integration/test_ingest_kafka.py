"""An accepted signal reaches the real Kafka signals topic exactly once, with no plaintext PII."""

from __future__ import annotations

import asyncio
import subprocess
from collections import Counter
from pathlib import Path

from shared.events import SIGNALS_TOPIC
from shared.settings import Settings
from tests.conftest import REPO, SettingsFactory
from tests.e2e.process import eventually
from tests.harness import running
from tests.integration.kafka_topic import read_topic
from tests.signals import PII, rent_arrears

JSON = {"Content-Type": "application/json"}


async def test_signal_is_on_the_topic_once_in_binary_mode_without_pii(
    make_settings: SettingsFactory, pg_url: str, kafka_bootstrap: str, unique: str
) -> None:
    settings: Settings = make_settings(database_url=pg_url, kafka_bootstrap_servers=kafka_bootstrap)
    async with running(settings) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        signal = rent_arrears()
        assert (await vs.client.post("/v1/signals", json=signal, headers=auth)).status_code == 202
        # The same signal again is a replay: it must not be published twice.
        assert (await vs.client.post("/v1/signals", json=signal, headers=auth)).status_code == 200

        async def mine() -> list[object]:
            return [
                r
                for r in await read_topic(kafka_bootstrap, SIGNALS_TOPIC)
                if dict(r.headers).get("ce_id") == signal["id"].encode()
            ]

        [record] = await eventually(mine, 30)
        await asyncio.sleep(1)  # a late duplicate would have been published by now
        assert len(await mine()) == 1

    headers = dict(record.headers)  # type: ignore[attr-defined]
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"nl.vroegsignaal.signal.received"
    assert headers["ce_source"] == f"/vroegsignaal/sources/corp-{unique}".encode()
    assert headers["content-type"] == b"application/json"
    pseudonym = vs.runtime.vault.pseudonym(
        f"1402AB|{signal['household']['address']['house_number']}|"
    )
    assert record.key == pseudonym.encode()  # type: ignore[attr-defined]
    raw = record.value + b"".join(v for _, v in record.headers)  # type: ignore[attr-defined]
    for personal in PII:
        assert personal.encode() not in raw


def broker(action: str) -> None:
    script = REPO / "deploy" / "kafka" / ("stop.sh" if action != "start" else "start.sh")
    args = ["bash", str(script)] + (["--kill"] if action == "kill" else [])
    subprocess.run(args, check=True, capture_output=True, timeout=180)


async def test_signals_posted_while_kafka_is_down_all_arrive_once(
    make_settings: SettingsFactory,
    pg_url: str,
    kafka_bootstrap: str,
    unique: str,
    tmp_path: Path,
) -> None:
    settings = make_settings(database_url=pg_url, kafka_bootstrap_servers=kafka_bootstrap)
    async with running(settings) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        await asyncio.to_thread(broker, "kill")
        try:
            signals = [rent_arrears() for _ in range(50)]
            responses = [await vs.client.post("/v1/signals", json=s, headers=auth) for s in signals]
            assert {r.status_code for r in responses} == {202}
            assert (await vs.client.get("/readyz")).status_code == 503
        finally:
            await asyncio.to_thread(broker, "start")
        wanted = {s["id"].encode() for s in signals}

        async def arrived() -> Counter[bytes]:
            seen = Counter(
                dict(r.headers).get("ce_id", b"")
                for r in await read_topic(kafka_bootstrap, SIGNALS_TOPIC)
            )
            return Counter({k: v for k, v in seen.items() if k in wanted})

        async def all_arrived() -> Counter[bytes] | None:
            counts = await arrived()
            return counts if len(counts) == len(wanted) else None

        counts = await eventually(all_arrived, 90, interval_s=1)
        await asyncio.sleep(1)
        counts = await arrived()
        assert set(counts) == wanted
        assert set(counts.values()) == {1}, "a signal was published more than once"
