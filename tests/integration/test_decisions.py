"""Decisions are reproducible (CONTRACT §10): GET /v1/cases/{id}/decisions lists each assessment
without contact data, and `vroegsignaal policy replay CASE_ID` recomputes them, also after the
policy file changed (each decision names its version; old versions are kept)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from services import policy_cli
from shared.settings import Settings
from tests.e2e.process import eventually
from tests.harness import running
from tests.integration.test_triage_flow import case_of
from tests.signals import PII, rent_arrears
from triage.domain.policy import default_policy_path, load_policy
from triage.tables import case_decisions, policy_versions

JSON = {"Content-Type": "application/json"}
VERSION = load_policy(default_policy_path()).version


def newer_policy(folder: Path) -> Path:
    """The default policy published as a new version with a heavier first arrears band."""
    text = default_policy_path().read_text(encoding="utf-8")
    text = text.replace(f'version = "{VERSION}"', 'version = "2099.1"')
    text = text.replace("{ min_months = 0.0, points = 5 }", "{ min_months = 0.0, points = 9 }")
    path = folder / "newer.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_decisions_list_each_assessment_without_contact_data_and_replay_after_a_new_policy(
    stack: Settings, unique: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = await vs.key(f"usd-{unique}", "cases:read")
        first = rent_arrears(amount=300.0)
        address = first["household"]["address"]
        assert (await vs.client.post("/v1/signals", json=first, headers=corp)).status_code == 202
        case = await case_of(vs, first)
        more = rent_arrears(amount=2500.0, house_number=address["house_number"])
        assert (await vs.client.post("/v1/signals", json=more, headers=corp)).status_code == 202

        async def two() -> dict[str, object] | None:
            got = await vs.client.get(f"/v1/cases/{case['id']}/decisions", headers=usd)
            assert got.status_code == 200
            body: dict[str, object] = got.json()
            return body if len(body["items"]) >= 2 else None  # type: ignore[arg-type]

        listed = await eventually(two, 30)
        items: list[dict[str, object]] = listed["items"]  # type: ignore[assignment]
        assert [i["cause"] for i in items][:1] == ["opened"]
        assert items[0]["risk_score"] < items[1]["risk_score"]  # type: ignore[operator]
        for item in items:
            assert item["policy_version"] == VERSION
            assert sum(r["points"] for r in item["reasons"]) == item["risk_score"]  # type: ignore[attr-defined]
            assert {"household", "open_signals", "today"} <= set(item["inputs"])  # type: ignore[arg-type]
        text = (await vs.client.get(f"/v1/cases/{case['id']}/decisions", headers=usd)).text
        assert not [p for p in PII if p in text]
        assert address["postcode"].replace(" ", "") not in text.replace(" ", "")

        missing = await vs.client.get("/v1/cases/nope/decisions", headers=usd)
        assert missing.status_code == 404
        refused = await vs.client.get(f"/v1/cases/{case['id']}/decisions", headers=corp)
        assert refused.status_code == 403

        async def kept() -> str | None:
            async with vs.runtime.engine.connect() as conn:
                kept = policy_versions.c.version
                return await conn.scalar(select(kept).where(kept == VERSION))

        assert await eventually(kept, 10) == VERSION

    # A newer policy is now active: the old decisions still replay under the kept version.
    settings = stack.model_copy(update={"policy_file": newer_policy(tmp_path)})
    capsys.readouterr()
    assert await policy_cli.replay(settings, case["id"]) == 0
    out = capsys.readouterr().out
    assert out.count("identical") == len(items), out
    assert f"{len(items)} of {len(items)} decisions" in out

    # A stored score that its inputs do not give is found out.
    async with running(stack, workers=False) as vs, vs.runtime.engine.begin() as conn:
        await conn.execute(
            update(case_decisions)
            .where(case_decisions.c.case_id == case["id"])
            .values(risk_score=99)
        )
    assert await policy_cli.replay(settings, case["id"]) == 1
    assert "DIFFERS" in capsys.readouterr().out
    assert await policy_cli.replay(settings, "no-such-case") == 1
