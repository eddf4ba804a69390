"""The USD at work in Chromium on a real `vroegsignaal run`: the worklist opens on the API's
first open case; a contact attempt, a housing plan, a shelter booking and the outcome go through
the case page's forms and change the case; "show" reveals contact data and is audited each
time; signed out, nothing shows."""

from __future__ import annotations

import random
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import Served, Tab, screenshot_path, sign_in
from tests.e2e.process import eventually
from tests.integration.test_families import eviction_order
from tests.signals import PII

APARTMENTS = (
    "#shelter-free tr:has(th:text-is('Vluchtheuvel (gezinsopvang)'))"
    ":has(td:text-is('appartement')) td.num >> nth=0"
)


async def a_family_facing_eviction(served: Served) -> str:
    """Posts an eviction order for a family in a postcode area of its own; returns its case id
    once the API lists it (found by the area, without reading any contact data)."""
    corp = await served.key(f"corp-{uuid.uuid4().hex[:8]}", "signals:write")
    signal = eviction_order(days_ahead=9)
    district = str(random.randint(1000, 9999))
    signal["household"]["address"]["postcode"] = f"{district} XY"
    async with httpx.AsyncClient(
        base_url=served.url, headers={"Authorization": f"Bearer {corp}"}
    ) as client:
        assert (await client.post("/v1/signals", json=signal)).status_code == 202
    reader = await served.key(f"usd-api-{uuid.uuid4().hex[:8]}", "cases:read")

    async def listed() -> str | None:
        async with httpx.AsyncClient(
            base_url=served.url, headers={"Authorization": f"Bearer {reader}"}
        ) as client:
            items = (await client.get("/v1/cases", params={"limit": 200})).json()["items"]
        return next((str(c["id"]) for c in items if c["district"] == district), None)

    return await eventually(listed, 30)


async def api_first_open_case(served: Served) -> str:
    reader = await served.key(f"usd-api-{uuid.uuid4().hex[:8]}", "cases:read")
    async with httpx.AsyncClient(
        base_url=served.url, headers={"Authorization": f"Bearer {reader}"}
    ) as client:
        return str((await client.get("/v1/cases", params={"limit": 1})).json()["items"][0]["id"])


def contact_data_reads(served: Served, case_id: str) -> int:
    database = Path(served.env["VS_DATA_DIR"]) / "vroegsignaal.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        query = "SELECT count(*) FROM audit_log WHERE action = 'contact_data.shown' AND subject = ?"
        return int(conn.execute(query, (case_id,)).fetchone()[0])


async def free_apartments(page: Page) -> int:
    return int((await page.locator(APARTMENTS).inner_text()).split()[0])  # "5 van 6"


async def test_a_usd_worker_works_a_case_through_the_pages(served: Served, tab: Tab) -> None:
    case_id = await a_family_facing_eviction(served)
    page, base = tab.page, served.url
    key = await served.key(f"usd-{uuid.uuid4().hex[:8]}", "cases:read,cases:write")
    first = await api_first_open_case(served)
    await sign_in(page, base, key, "/usd")
    rows = page.locator("#worklist li.case-row")
    if await rows.first.get_attribute("data-case") != first:  # a case came in meanwhile
        first = await api_first_open_case(served)
        await page.reload()
    assert await rows.first.get_attribute("data-case") == first
    await page.screenshot(path=screenshot_path("usd-worklist-flow"), full_page=True)

    await page.click(f"a[href='/usd/cases/{case_id}']")
    await page.wait_for_url(f"{base}/usd/cases/{case_id}")
    await expect(page.locator("#housing-plan")).to_contain_text("Nog geen woonplan")
    await expect(page.locator("#eviction")).to_contain_text("nog 9 dagen")

    await page.select_option("#channel", "home_visit")
    await page.check("#reached-yes")
    await page.click("#contact button[type=submit]")
    await expect(page.locator("#done")).to_have_text("De contactpoging is vastgelegd.")
    await expect(page.locator("#case-status")).to_have_text("Contact gezocht")
    await expect(page.locator("#history")).to_contain_text("Contactpoging")

    await page.select_option("#kind", "hov")
    await page.fill("#plan-summary", "HOV-overeenkomst met budgetbeheer")
    await page.click("#plan button[type=submit]")
    await expect(page.locator("#done")).to_have_text("Het woonplan is vastgelegd.")
    await expect(page.locator("#housing-plan")).to_contain_text("Huren Onder Voorwaarden")
    await expect(page.locator("#reasons")).not_to_contain_text("nog geen woonplan")

    free = await free_apartments(page)
    await page.select_option("#place", "vluchtheuvel:apartment")
    await page.click("#booking-form button[type=submit]")
    await expect(page.locator("#done")).to_have_text("De opvangplek is geboekt.")
    await expect(page.locator("#booking")).to_contain_text("appartement")
    assert await free_apartments(page) == free - 1

    before = contact_data_reads(served, case_id)
    assert PII[1] not in await page.content()
    await page.click("#contacts button[type=submit]")
    await expect(page.locator("#household")).to_contain_text("Bussum")
    assert PII[1] in await page.content()
    assert contact_data_reads(served, case_id) == before + 1
    await page.screenshot(path=screenshot_path("usd-case-flow"), full_page=True)

    await page.select_option("#outcome-choice", "help_accepted")
    await page.click("#outcome button[type=submit]")
    await expect(page.locator("#done")).to_have_text("De zaak is gesloten.")
    await expect(page.locator("#case-status")).to_have_text("Gesloten: Hulp aanvaard")
    assert PII[1] not in await page.content()  # shown once, not kept on the page

    await page.goto(f"{base}/usd")
    assert await page.locator(f"[data-case='{case_id}']").count() == 0
    foreign = [u for u in tab.requests if not u.startswith((base, "data:"))]
    assert foreign == [] and key not in " ".join(tab.requests)


async def test_a_refused_form_says_why_in_plain_words(served: Served, tab: Tab) -> None:
    case_id = await a_family_facing_eviction(served)
    page, base = tab.page, served.url
    key = await served.key(f"usd-{uuid.uuid4().hex[:8]}", "cases:read,cases:write")
    await sign_in(page, base, key, f"/usd/cases/{case_id}")
    await page.fill("#at", "2099-01-01T10:00")
    await page.select_option("#channel", "phone")
    await page.check("#reached-no")
    await page.click("#contact button[type=submit]")
    alert = page.locator("#contact-errors")
    await expect(alert).to_contain_text("Een contactpoging kan niet in de toekomst liggen.")
    assert await page.get_attribute("#at", "aria-invalid") == "true"
    await page.screenshot(path=screenshot_path("usd-case-refused"), full_page=True)


async def test_signed_out_the_usd_pages_show_no_data(served: Served, tab: Tab) -> None:
    case_id = await a_family_facing_eviction(served)
    page, base = tab.page, served.url
    for path in ("/usd", f"/usd/cases/{case_id}"):
        answer: Any = await page.goto(f"{base}{path}")
        assert answer.status == 200 and page.url.startswith(f"{base}/signin?next=")
        await expect(page.locator("h1")).to_have_text("Aanmelden")
        body = await page.locator("main").inner_text()
        assert "Ontruimingsvonnis" not in body and "crisis" not in body
        content = await page.content()
        assert all(personal not in content for personal in PII)
