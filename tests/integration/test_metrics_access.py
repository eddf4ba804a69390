"""`/metrics` names sources (corporations): public by default, behind `ops:read` when asked."""

from __future__ import annotations

from tests.conftest import SettingsFactory
from tests.harness import running


async def test_metrics_are_public_by_default(make_settings: SettingsFactory) -> None:
    async with running(make_settings()) as vs:
        response = await vs.client.get("/metrics")
    assert response.status_code == 200 and "vs_" in response.text


async def test_metrics_can_be_put_behind_an_ops_key(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings(metrics_require_key=True)) as vs:
        anonymous = await vs.client.get("/metrics")
        corporation = await vs.client.get(
            "/metrics", headers=await vs.key(f"corp-{unique}", "signals:write")
        )
        ops = await vs.client.get("/metrics", headers=await vs.key(f"ops-{unique}", "ops:read"))
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert corporation.status_code == 403
    assert ops.status_code == 200 and "vs_" in ops.text
