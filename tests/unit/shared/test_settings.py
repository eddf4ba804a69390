"""`serve` refuses to start with a missing, default or weak secret, or (notifier) with nowhere
safe to send notifications to (CONTRACT §7, §10)."""

from __future__ import annotations

import base64

import pytest

from services.cli import main
from shared.crypto import generate_pii_key
from shared.keys import generate_webhook_secret
from shared.settings import Settings, SettingsError
from tests.conftest import SettingsFactory


def settings_for(
    make_settings: SettingsFactory, url: str | None, payload: str = "full"
) -> Settings:
    return make_settings(
        usd_webhook_url=url,
        usd_webhook_secret=generate_webhook_secret(),
        webhook_payload=payload,
        **PRODUCTION,
    )


PRODUCTION = {
    "database_url": "postgresql+asyncpg://u:p@db.example/vs",
    "kafka_bootstrap_servers": "kafka:9092",
}


def check_notifier_settings(settings: Settings) -> None:
    settings.check_production("notifier")


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
        usd_webhook_url="https://usd.example.nl/hooks",
        usd_webhook_secret="not-a-secret",
        **PRODUCTION,
    )
    with pytest.raises(SettingsError, match="VS_USD_WEBHOOK_SECRET"):
        check_notifier_settings(settings)


ALL_ZERO_SECRET = "whsec_" + base64.b64encode(bytes(32)).decode()
ALL_ZERO_PII_KEY = base64.urlsafe_b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    ("pii_key", "secret", "named"),
    [
        (ALL_ZERO_PII_KEY, None, "VS_PII_KEY"),
        (base64.urlsafe_b64encode(b"ab" * 16).decode(), None, "VS_PII_KEY"),
        (base64.urlsafe_b64encode(bytes(16)).decode(), None, "VS_PII_KEY"),
        ("changeme", None, "VS_PII_KEY"),
        (None, ALL_ZERO_SECRET, "VS_USD_WEBHOOK_SECRET"),
        (None, "whsec_" + base64.b64encode(b"x" * 32).decode(), "VS_USD_WEBHOOK_SECRET"),
    ],
)
def test_weak_keys_are_refused_in_production(
    make_settings: SettingsFactory, pii_key: str | None, secret: str | None, named: str
) -> None:
    settings = make_settings(
        usd_webhook_url="https://usd.example.nl/hooks",
        usd_webhook_secret=secret or generate_webhook_secret(),
        pii_key=pii_key or generate_pii_key(),
        **PRODUCTION,
    )
    with pytest.raises(SettingsError, match=named):
        settings.check_production("ingest")


def test_generated_keys_are_accepted_in_production(make_settings: SettingsFactory) -> None:
    make_settings(
        usd_webhook_url="https://usd.example.nl/hooks",
        usd_webhook_secret=generate_webhook_secret(),
        **PRODUCTION,
    ).check_production("ingest")


def test_a_bad_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VS_KAFKA_PARTITIONS", "many")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "VS_KAFKA_PARTITIONS" in err and "many" not in err


def test_a_weak_old_pii_key_is_refused_in_production(make_settings: SettingsFactory) -> None:
    settings = make_settings(
        usd_webhook_url="https://usd.example.nl/hooks",
        usd_webhook_secret=generate_webhook_secret(),
        pii_old_keys=f"{generate_pii_key()},{ALL_ZERO_PII_KEY}",
        **PRODUCTION,
    )
    with pytest.raises(SettingsError, match="VS_PII_OLD_KEYS"):
        settings.check_production("ingest")
