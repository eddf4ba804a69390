"""The monthly report (CONTRACT §11) over the API and the CLI, from real cases and their history.
Embedded and PostgreSQL + Kafka; other tests share the database, so figures are compared as
the change this test made, and per this test's own source and district."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from shared.settings import Settings
from tests.e2e.test_cli import cli
from tests.harness import Harness, running
from tests.integration.test_families import eviction_order
from tests.integration.test_triage_flow import case_of
from tests.signals import rent_arrears
from triage.domain.deadlines import local_date

JSON = {"Content-Type": "application/json"}


def this_month() -> str:
    return local_date(datetime.now(UTC)).strftime("%Y-%m")


async def monthly(vs: Harness, auth: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await vs.client.get(
        "/v1/reports/monthly", params={"month": this_month(), **params}, headers=auth
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def seeded(vs: Harness, unique: str) -> tuple[str, str]:
    """Two households of this test's own corporation and district: a family in arrears whose
    case the USD reaches and closes, and an eviction order with minors unknown."""
    corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
    usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
    district = str(random.randint(9000, 9999))
    arrears = rent_arrears(postcode=f"{district} ZZ")
    eviction = eviction_order(minors=None)
    eviction["household"]["address"]["postcode"] = f"{district} ZY"
    for signal in (arrears, eviction):
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).status_code == 202
    case = await case_of(vs, arrears)
    await case_of(vs, eviction)
    attempt = {"channel": "phone", "reached": True, "at": datetime.now(UTC).isoformat()}
    url = f"/v1/cases/{case['id']}"
    assert (await vs.client.post(f"{url}/contact-attempts", json=attempt, headers=usd)).is_success
    outcome = {"outcome": "help_accepted"}
    assert (await vs.client.post(f"{url}/outcome", json=outcome, headers=usd)).is_success
    return f"corp-{unique}", district


def change(after: dict[str, Any], before: dict[str, Any], *path: str) -> int:
    def at(document: dict[str, Any]) -> int:
        value: Any = document
        for key in path:
            value = value.get(key, 0) if isinstance(value, dict) else 0
        return int(value)

    return at(after) - at(before)


async def test_the_monthly_report_counts_this_month_s_cases_and_history(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        reader = await vs.key(f"council-{unique}", "reports:read")
        before = await monthly(vs, reader)
        source, district = await seeded(vs, unique)
        after = await monthly(vs, reader)
        published = await monthly(vs, reader, publish="true")

    assert after["month"] == this_month() and after["published"] is False
    assert after["signals"]["by_source"][source] == 2
    assert change(after, before, "signals", "by_type", "rent_arrears") == 1
    assert change(after, before, "signals", "by_type", "eviction_order") == 1
    assert change(after, before, "households") == 2
    assert change(after, before, "cases", "opened") == 2
    assert change(after, before, "cases", "closed") == 1
    assert change(after, before, "outcomes", "help_accepted") == 1
    assert change(after, before, "evictions", "orders", "minors_unknown") == 1
    assert change(after, before, "first_contact", "within_deadline") == 1
    assert after["scores"]["by_source"][source]["cases"] == 2
    assert after["scores"]["by_district"][district]["cases"] == 2
    assert sum(after["scores"]["by_district"][district]["priorities"].values()) == 2
    # Published: this source's two signals and the district's two cases are under 5.
    assert published["published"] is True
    assert published["signals"]["by_source"][source] == "<5"
    assert published["scores"]["by_district"][district]["cases"] == "<5"
    assert published["scores"]["by_district"][district]["median_score"] is None
    text = orjson.dumps(after).decode()
    assert "J. de Vries" not in text and "+316" not in text and "1402 AB" not in text


async def test_a_bad_month_is_a_problem_and_the_report_needs_its_scope(
    stack: Settings, unique: str
) -> None:
    async with running(stack, workers=False) as vs:
        reader = await vs.key(f"council-{unique}", "reports:read")
        for month in ("2026-13", "nov", "2026-1"):
            response = await vs.client.get(
                "/v1/reports/monthly", params={"month": month}, headers=reader
            )
            assert response.status_code == 422
            assert response.headers["content-type"].startswith("application/problem+json")
            assert [e["field"] for e in response.json()["errors"]] == ["month"]
        missing = await vs.client.get("/v1/reports/monthly", headers=reader)
        assert missing.status_code == 422
        usd = await vs.key(f"usd-{unique}", "cases:read")
        forbidden = await vs.client.get(
            "/v1/reports/monthly", params={"month": "2026-11"}, headers=usd
        )
        assert forbidden.status_code == 403


async def test_the_report_command_writes_json_csv_and_published_figures(
    make_settings: Any, data_dir: Path, unique: str
) -> None:
    async with running(make_settings()) as vs:
        source, _ = await seeded(vs, unique)
    month = this_month()

    plain = cli("report", "--month", month, data=data_dir)
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr == ""  # no terminal, no flag: no progress bar
    document = orjson.loads(plain.stdout)
    assert document["signals"]["by_source"][source] == 2
    assert document["cases"]["opened"] == 2

    published = cli("report", "--month", month, "--publish", "--format", "csv", data=data_dir)
    assert published.returncode == 0, published.stderr
    lines = published.stdout.splitlines()
    assert lines[0] == "month,metric,value"
    assert f"{month},signals.by_source.{source},<5" in lines
    assert f"{month},cases.opened,<5" in lines

    shown = cli("report", "--month", "2026-01", "--until", month, "--progress", data=data_dir)
    assert shown.returncode == 0, shown.stderr
    assert "report [" in shown.stderr and "100%" in shown.stderr
    documents = [orjson.loads(line) for line in shown.stdout.splitlines()]
    assert documents[0]["month"] == "2026-01" and documents[-1]["month"] == month

    bad = cli("report", "--month", "2026-13", data=data_dir)
    assert bad.returncode == 2
    assert "month" in bad.stderr and "Traceback" not in bad.stderr
