"""What a person sees in Chromium: signing in and out, cross-site forms refused, and the ops
console's live events, charts and replay button working on a real `vroegsignaal run`."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import Browser, expect

from tests.browser.conftest import Served, Tab, new_tab, screenshot_path, sign_in
from tests.e2e.process import eventually
from tests.signals import PII, rent_arrears


async def post_signals(served: Served, key: str, count: int = 1) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=served.url, headers=headers) as client:
        for _ in range(count):
            assert (await client.post("/v1/signals", json=rent_arrears())).status_code == 202


async def test_signing_in_shows_data_and_signing_out_ends_the_session(
    served: Served, tab: Tab
) -> None:
    source = f"corp-{uuid.uuid4().hex[:8]}"
    await post_signals(served, await served.key(source, "signals:write"))
    page, base = tab.page, served.url
    await page.goto(f"{base}/ops")
    await expect(page.locator("h1")).to_have_text("Aanmelden")  # no data before signing in
    assert source not in await page.content()

    key = await served.key(f"ops-{uuid.uuid4().hex[:8]}", "ops:read")
    await sign_in(page, base, key)
    await expect(page.locator("#by-source-title")).to_be_visible()
    assert source in await page.content()
    assert key not in " ".join(tab.requests)  # never in a URL
    [cookie] = [c for c in await tab.context.cookies() if c["name"] == "vs_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert await page.evaluate("document.cookie") == ""  # out of reach of any script

    await page.click("header form button")  # sign out
    await expect(page.locator("[role=status]")).to_have_text("U bent afgemeld.")
    await page.goto(f"{base}/ops")
    await page.wait_for_url(f"{base}/signin?next=*")
    assert source not in await page.content()


async def test_a_form_posted_from_another_site_is_refused(served: Served, tab: Tab) -> None:
    page, base = tab.page, served.url
    await sign_in(page, base, await served.key(f"ops-{uuid.uuid4().hex[:8]}", "ops:read"))
    attacker = "http://attacker.test/"
    form = f'<form method="post" action="{base}/signout"><button>Win</button></form>'
    await page.route(attacker, lambda route: route.fulfill(body=form, content_type="text/html"))
    await page.goto(attacker)
    async with page.expect_navigation() as answer:
        await page.click("button")
    assert (await answer.value).status == 403  # type: ignore[union-attr]
    await page.goto(f"{base}/ops")
    await expect(page.locator("h1")).to_have_text("Beheerconsole")  # still signed in


async def test_a_posted_signal_appears_in_the_live_events_within_seconds(
    served: Served, tab: Tab
) -> None:
    source = f"live-{uuid.uuid4().hex[:8]}"
    corp = await served.key(source, "signals:write")
    await sign_in(tab.page, served.url, await served.key(f"ops-{source}", "ops:read"))
    await expect(tab.page.locator("#live-status")).to_have_attribute("data-state", "live")
    await post_signals(served, corp)
    event = tab.page.locator("#live-events li", has_text=source).first
    await expect(event).to_be_visible(timeout=10_000)
    text = await tab.page.locator("#live-events").inner_text()
    assert "Signaal ontvangen" in text and "huurachterstand" in text
    for personal in PII:
        assert personal not in text
    await tab.page.screenshot(path=screenshot_path("ops-live-events"))


async def test_charts_show_the_signals_posted_today(served: Served, tab: Tab) -> None:
    source = f"chart-{uuid.uuid4().hex[:8]}"
    await post_signals(served, await served.key(source, "signals:write"), count=3)
    await sign_in(tab.page, served.url, await served.key(f"ops-{source}", "ops:read"))
    bars = tab.page.locator(f'#by-source-title ~ svg rect[data-series="{source}"]')
    await expect(bars).to_have_count(1)
    assert await bars.get_attribute("data-count") == "3"
    assert float(await bars.get_attribute("height") or 0) > 0
    legend = tab.page.locator("figure:has(#by-source-title) .legend")
    await expect(legend).to_contain_text(f"{source} (3)")
    type_bars = tab.page.locator('#by-type-title ~ svg rect[data-series="rent_arrears"]')
    assert int(await type_bars.last.get_attribute("data-count") or 0) >= 3


async def test_a_dead_letter_is_replayed_with_the_button(served: Served, browser: Browser) -> None:
    """The endpoint answered 410 to the first notification; ops replays it from the console."""
    await post_signals(served, await served.key(f"corp-{uuid.uuid4().hex[:8]}", "signals:write"))
    tab = await new_tab(browser)
    try:
        page = tab.page
        key = await served.key(f"ops-{uuid.uuid4().hex[:8]}", "ops:read,ops:write")
        await sign_in(page, served.url, key)
        row = page.locator("#dead-letter-table tr[data-notification]").first

        async def dead_letter_listed() -> bool:
            await page.reload()
            return await row.count() > 0

        await eventually(dead_letter_listed, 30, 0.5)
        notification = await row.get_attribute("data-notification")
        await page.screenshot(path=screenshot_path("ops-dead-letter"), full_page=True)
        await row.get_by_role("button").click()
        await expect(page.locator("p.notice")).to_contain_text((notification or "")[:8])

        async def delivered() -> bool:
            return any(
                r.headers.get("webhook-id") == notification and r.verified
                for r in served.webhook.received[1:]
            )

        await eventually(delivered, 30, 0.2)
        await page.goto(f"{served.url}/ops")
        await expect(page.locator(f'tr[data-notification="{notification}"]')).to_have_count(0)
    finally:
        await tab.context.close()
