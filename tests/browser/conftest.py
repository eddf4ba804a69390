"""The browser suite: `vroegsignaal run` as a real process, driven by Debian's headless Chromium
through Playwright (`executable_path=/usr/bin/chromium`; no browser download, ever).

`make test` installs Chromium (deploy/browser/setup.sh) and axe-core (deploy/assets/fetch.sh)
when missing. Without them these tests skip, except in CI where they fail.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.conftest import IN_CI, REPO
from tests.e2e.process import VroegsignaalProcess
from tests.receivers import Endpoint, Reply, WebhookReceiver

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "var" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "var" / "screenshots"
pytestmark = pytest.mark.browser


def _needs(path: Path, how: str) -> None:
    if not path.is_file():
        message = f"{path} is missing: {how}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class Served:
    """The running process, the USD's webhook endpoint it sends to, and keys for each role."""

    process: VroegsignaalProcess
    webhook: Endpoint
    env: dict[str, str]

    @property
    def url(self) -> str:
        return self.process.url

    async def key(self, source: str, scopes: str) -> str:
        """A new key made the way an administrator makes one: `vroegsignaal keys create`."""
        command = ["keys", "create", "--source", source, "--scopes", scopes]
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "services.cli", *command],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
async def served(
    tmp_path_factory: pytest.TempPathFactory, webhook_receiver: WebhookReceiver
) -> AsyncIterator[Served]:
    """The USD's endpoint first answers 410: the first notification becomes a dead letter
    (and parks the rest) until ops replays it; from then on it answers 200."""
    root = tmp_path_factory.mktemp("browser")
    webhook = webhook_receiver.endpoint(replies=[Reply(410)], then=Reply(200))
    env = {
        "VS_DATA_DIR": str(root / "var"),
        "VS_USD_WEBHOOK_URL": webhook.url,
        "VS_USD_WEBHOOK_SECRET": webhook.secret,
    }
    process = VroegsignaalProcess(["run"], env, root / "vroegsignaal.log")
    await process.start()
    try:
        yield Served(process, webhook, env)
    finally:
        process.terminate()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    _needs(CHROMIUM, "run `make browser` (apt-get install -y chromium)")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    _needs(AXE, "run `make assets` (deploy/assets/fetch.sh)")
    return AXE.read_text(encoding="utf-8")


@dataclass
class Tab:
    """A page in its own browser context, with every request and console message it made."""

    context: BrowserContext
    page: Page
    requests: list[str]
    console: list[str]


async def new_tab(
    browser: Browser, width: int = 1280, locale: str = "nl-NL", height: int = 900
) -> Tab:
    context = await browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    tab = Tab(context, page, [], [])
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on("console", lambda message: tab.console.append(message.text))
    return tab


@pytest.fixture
async def tab(browser: Browser) -> AsyncIterator[Tab]:
    opened = await new_tab(browser)
    try:
        yield opened
    finally:
        await opened.context.close()


async def sign_in(page: Page, base: str, key: str, path: str = "/ops") -> None:
    """Through the form, as a person does: the key is typed, never put in a URL."""
    await page.goto(f"{base}{path}")
    await page.wait_for_url(f"{base}/signin?next=*")
    await page.fill("#key", key)
    await page.click("form.stack button[type=submit]")
    await page.wait_for_url(f"{base}{path}")


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
