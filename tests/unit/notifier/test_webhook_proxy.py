"""The webhook lanes take their proxy from the environment, as httpx's client did before them."""

from __future__ import annotations

import pytest

from notifier.channels.lanes import environment_proxy

URL = "https://usd.example.nl/hooks/vroegsignaal"


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_no_proxy_configured_posts_directly() -> None:
    assert environment_proxy(URL) is None


def test_https_proxy_is_used_for_an_https_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.gemeente.nl:3128")

    assert environment_proxy(URL) == "http://proxy.gemeente.nl:3128"
    assert environment_proxy("http://usd.example.nl/hooks") is None


def test_no_proxy_exempts_the_endpoint_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.gemeente.nl:3128")
    monkeypatch.setenv("NO_PROXY", "example.nl")

    assert environment_proxy(URL) is None
