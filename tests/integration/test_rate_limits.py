"""Rate limits per source (CONTRACT §1), as corporations see them."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from tests.conftest import SettingsFactory
from tests.harness import running
from tests.signals import rent_arrears

JSON = {"Content-Type": "application/json"}


async def test_a_source_over_its_limit_gets_429_and_others_are_not_slowed(
    make_settings: SettingsFactory, unique: str
) -> None:
    settings = make_settings(rate_limit_per_s=5, rate_limit_burst=20)
    async with running(settings) as vs:
        busy = await vs.key(f"busy-{unique}", "signals:write")
        calm = await vs.key(f"calm-{unique}", "signals:write")

        async def get(auth: dict[str, str]) -> tuple[int, str | None]:
            response = await vs.client.get(f"/v1/signals/{uuid4()}", headers=auth)
            return response.status_code, response.headers.get("Retry-After")

        flood = await asyncio.gather(*(get(busy) for _ in range(60)))
        calm_answers = await asyncio.gather(*(get(calm) for _ in range(10)))

    limited = [after for status, after in flood if status == 429]
    assert 30 <= len(limited) <= 40  # burst of 20, plus what refilled meanwhile
    assert all(after is not None and int(after) >= 1 for after in limited)
    assert {status for status, _ in flood} == {404, 429}
    assert {status for status, _ in calm_answers} == {404}


async def test_a_batch_counts_as_one_request(make_settings: SettingsFactory, unique: str) -> None:
    settings = make_settings(rate_limit_per_s=0.1, rate_limit_burst=2)
    async with running(settings) as vs:
        auth = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        batch = {"signals": [rent_arrears() for _ in range(50)]}
        first = await vs.client.post("/v1/signals/batch", json=batch, headers=auth)
        assert first.status_code == 200
        assert [r["status"] for r in first.json()["results"]] == ["accepted"] * 50
        assert (
            await vs.client.post("/v1/signals", json=rent_arrears(), headers=auth)
        ).status_code == 202
        over = await vs.client.post("/v1/signals", json=rent_arrears(), headers=auth)
        assert over.status_code == 429
        assert over.headers["content-type"] == "application/problem+json"
        assert int(over.headers["Retry-After"]) >= 1
