"""The monthly report on the ops console (CONTRACT §11): six months as SVG charts with their
numbers, drawn from the cases, in the reader's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.conftest import SettingsFactory
from tests.harness import running
from tests.integration.test_triage_flow import case_of
from tests.pages.session import new_key, sign_in
from tests.signals import PII, rent_arrears
from triage.domain.report_month import ReportMonth

JSON = {"Content-Type": "application/json"}


async def test_the_console_charts_this_month_s_signals_and_outcomes(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings()) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        signals = [rent_arrears(), rent_arrears()]
        for signal in signals:
            assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).is_success
        case = await case_of(vs, signals[0])
        await case_of(vs, signals[1])
        closed = await vs.client.post(
            f"/v1/cases/{case['id']}/outcome", json={"outcome": "not_reached"}, headers=usd
        )
        assert closed.is_success
        await sign_in(vs.client, await new_key(vs, f"ops-{unique}", "ops:read"))
        page = await vs.client.get("/ops")
        english = await vs.client.get("/ops", headers={"Accept-Language": "en"})

    assert page.status_code == 200
    month = ReportMonth.of(datetime.now(UTC))
    assert 'id="monthly-report"' in page.text
    assert "Signalen per maand, per type" in page.text
    bar = re.search(
        rf'data-series="rent_arrears" data-day="{month.first_day.isoformat()}" data-count="(\d+)"',
        page.text,
    )
    assert bar is not None and int(bar.group(1)) == 2
    outcome = re.search(r'data-series="not_reached" data-day="[^"]+" data-count="(\d+)"', page.text)
    assert outcome is not None and int(outcome.group(1)) == 1
    assert "niet bereikt" in page.text  # the legend in Dutch
    assert str(month.last(6)[0]) in page.text  # six months on the axis and in the table
    assert "Closed cases per month, by outcome" in english.text
    for personal in PII:
        assert personal not in page.text
