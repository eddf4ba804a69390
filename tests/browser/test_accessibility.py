"""Every page in Dutch and English, on a desktop and a 390 px phone: axe-core finds no WCAG 2.1
A/AA violation, no request leaves for another host, the CSP blocks nothing, and a screenshot of
each is kept under var/screenshots/."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from tests.browser.conftest import Served, new_tab, screenshot_path, sign_in
from tests.browser.test_usd import a_family_facing_eviction

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = {
    "signin": ("/signin", None),
    "home": ("/", None),
    "docs": ("/docs", ".opblock"),
    "ops": ("/ops", "#by-type-title"),
    "refused": ("/ops", "main h1"),  # signed in with a key that lacks ops:read
    "usd": ("/usd", "#worklist"),
    "usd-case": ("/usd/cases/{case}", "#case-summary"),
    "usd-contacts": ("/usd/cases/{case}", "#household"),  # after "show": contact data on it
    "usd-form-refused": ("/usd/cases/{case}", "#outcome-errors"),  # a form sent empty
}
CLICKS = {
    "usd-contacts": "#contacts button[type=submit]",
    "usd-form-refused": "#outcome button[type=submit]",
}


async def axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    await page.evaluate(axe_source)  # through the debugger protocol: the page's CSP still holds
    result = await page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        {"id": v["id"], "nodes": [n["html"][:160] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_every_page_is_accessible_and_self_contained(
    served: Served, browser: Browser, axe_source: str, lang: str, width: int
) -> None:
    suffix = uuid.uuid4().hex[:8]
    keys = {
        "ops": await served.key(f"ops-{suffix}", "ops:read,ops:write"),
        "refused": await served.key(f"corp-{suffix}", "signals:write"),
        **dict.fromkeys(
            ("usd", "usd-case", "usd-contacts", "usd-form-refused"),
            await served.key(f"usd-{suffix}", "cases:read,cases:write"),
        ),
    }
    case_id = await a_family_facing_eviction(served)
    found: dict[str, Any] = {}
    for name, (template, ready) in PAGES.items():
        path = template.format(case=case_id)
        tab = await new_tab(browser, width=width, locale="nl-NL" if lang == "nl" else "en-GB")
        try:
            page = tab.page
            if name in keys:
                await sign_in(page, served.url, keys[name], path)
            await page.goto(f"{served.url}{path}?lang={lang}")
            if name in CLICKS:
                await page.click(CLICKS[name])
            if ready:
                await page.wait_for_selector(ready)
            assert await page.get_attribute("html", "lang") == lang
            await page.screenshot(path=screenshot_path(f"{name}-{lang}-{width}"), full_page=True)
            foreign = [u for u in tab.requests if not u.startswith((served.url, "data:", "blob:"))]
            blocked = [m for m in tab.console if "Content Security Policy" in m]
            problems = {
                "axe": await axe_violations(page, axe_source),
                "foreign": foreign,
                "csp": blocked,
            }
            if any(problems.values()):
                found[name] = problems
            if width == 390:  # readable on a phone: nothing wider than the screen but tables
                overflow = await page.evaluate(
                    "document.documentElement.scrollWidth - window.innerWidth"
                )
                if overflow > 0:
                    found.setdefault(name, {})["overflow_px"] = overflow
        finally:
            await tab.context.close()
    assert found == {}
