"""`serve notifier` refuses to start with nowhere (safe) to send notifications to."""

from __future__ import annotations

import pytest

from notifier.webhook import generate_webhook_secret
from services.notifier import check_notifier_settings
from shared.settings import Settings, SettingsError
from tests.conftest import SettingsFactory


def settings_for(
    make_settings: SettingsFactory, url: str | None, payload: str = "full"
) -> Settings:
    return make_settings(
        usd_webhook_url=url, usd_webhook_secret=generate_webhook_secret(), webhook_payload=payload
    )


def test_a_missing_webhook_url_is_refused(make_settings: SettingsFactory) -> None:
    with pytest.raises(SettingsError, match="VS_USD_WEBHOOK_URL must be set"):
        check_notifier_settings(settings_for(make_settings, None))


@pytest.mark.parametrize(
    "url",
    ["http://usd.example.nl/hooks/vroegsignaal", "http://10.0.0.7:8080/hooks", "http://[fe80::1]/"],
)
def test_household_data_does_not_travel_in_clear(make_settings: SettingsFactory, url: str) -> None:
    with pytest.raises(SettingsError, match="https"):
        check_notifier_settings(settings_for(make_settings, url))


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("https://usd.example.nl/hooks/vroegsignaal", "full"),
        ("http://127.0.0.1:9000/hooks", "full"),
        ("http://localhost:9000/hooks", "full"),
        ("http://[::1]:9000/hooks", "full"),
        ("http://usd.example.nl/hooks/vroegsignaal", "minimal"),
    ],
)
def test_https_loopback_or_a_minimal_payload_are_accepted(
    make_settings: SettingsFactory, url: str, payload: str
) -> None:
    check_notifier_settings(settings_for(make_settings, url, payload))


@pytest.mark.parametrize("url", ["ftp://usd.example.nl/hooks", "https:///hooks", "usd.example.nl"])
def test_a_url_that_is_no_http_url_is_refused(make_settings: SettingsFactory, url: str) -> None:
    with pytest.raises(SettingsError, match="http"):
        check_notifier_settings(settings_for(make_settings, url))


def test_an_unusable_secret_is_refused(make_settings: SettingsFactory) -> None:
    settings = make_settings(
        usd_webhook_url="https://usd.example.nl/hooks", usd_webhook_secret="not-a-secret"
    )
    with pytest.raises(SettingsError, match="VS_USD_WEBHOOK_SECRET"):
        check_notifier_settings(settings)
