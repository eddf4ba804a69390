"""One settings object for every process; read from `VS_*` environment variables (CONTRACT §7)."""

from __future__ import annotations

import ipaddress
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.keys import is_usable_pii_key, is_usable_webhook_secret


class SettingsError(ValueError):
    """A setting that makes the process unsafe to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VS_", extra="ignore")

    data_dir: Path = Field(Path("./var"), description="Embedded data: SQLite, event log, keys.")
    database_url: str | None = Field(None, description="SQLAlchemy async URL; default SQLite.")
    kafka_bootstrap_servers: str | None = Field(None, description="Unset: embedded event log.")
    kafka_partitions: int = Field(6, ge=1)
    usd_webhook_url: str | None = None
    usd_webhook_secret: str | None = None
    webhook_payload: str = Field("full", pattern="^(full|minimal)$")
    pii_key: str | None = Field(None, description="Key for personal data at rest (base64, 32 B).")
    pii_old_keys: str = Field("", description="Earlier VS_PII_KEYs, comma-separated: still open.")
    keystore_url: str | None = Field(
        None,
        description="The household key store (a database of its own, so backups of the data hold "
        "no keys); default `keys.sqlite3` in VS_DATA_DIR when the data is SQLite, else "
        "VS_DATABASE_URL.",
    )
    policy_file: Path | None = None
    shelter_file: Path | None = Field(
        None, description="Crisis shelter facilities (default deploy/shelter/default.toml)."
    )
    public_base_url: str = "http://127.0.0.1:8000"
    team_emails: str = Field("", description="team=address,... for the e-mail channel.")
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "vroegsignaal@localhost"
    metrics_require_key: bool = Field(False, description="Put /metrics behind an ops:read key.")
    rate_limit_per_s: float = Field(100.0, gt=0, description="Requests per second per source.")
    municipality_name: str | None = Field(None, description="Gemeente, e.g. Gooise Meren.")
    municipality_code: str | None = Field(None, description="CBS gemeentecode, e.g. 1942.")
    rate_limit_burst: int = Field(300, ge=1, description="Requests a source may burst above it.")

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'vroegsignaal.sqlite3'}"

    @cached_property
    def resolved_keystore_url(self) -> str:
        if self.keystore_url:
            return self.keystore_url
        if self.database_url and not self.database_url.startswith("sqlite"):
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'keys.sqlite3'}"

    @property
    def embedded_bus(self) -> bool:
        return not self.kafka_bootstrap_servers

    def check_webhook(self) -> None:
        """Webhooks are signed: with a URL, the secret must be a usable `whsec_` secret."""
        if self.usd_webhook_url and not is_usable_webhook_secret(self.usd_webhook_secret or ""):
            raise SettingsError(
                "VS_USD_WEBHOOK_SECRET must be set to a generated whsec_ secret "
                "(whsec_ + base64 of 24 to 64 random bytes)"
            )

    @property
    def old_pii_keys(self) -> list[str]:
        """VS_PII_OLD_KEYS as a list: keys that still open data sealed before a rotation."""
        return [k.strip() for k in self.pii_old_keys.split(",") if k.strip()]

    def check_production(self, service: str | None = None) -> None:
        """Every start-up check of `serve` (production mode), in one place (CONTRACT §7).

        A missing, default or weak secret is an error; so is a notifier with nowhere safe to
        send to: without `VS_USD_WEBHOOK_URL` notifications would only pile up, and with the full
        payload (household contact data) the URL must be https, except on loopback.
        """
        problems = []
        if not self.database_url or self.database_url.startswith("sqlite"):
            problems.append("VS_DATABASE_URL must point at PostgreSQL")
        if self.embedded_bus:
            problems.append("VS_KAFKA_BOOTSTRAP_SERVERS must be set")
        if not is_usable_pii_key(self.pii_key or ""):
            problems.append(
                "VS_PII_KEY must be set to a generated key (url-safe base64 of 32 random bytes)"
            )
        if not all(is_usable_pii_key(k) for k in self.old_pii_keys):
            problems.append("VS_PII_OLD_KEYS must hold only generated keys (none weak or default)")
        if service == "notifier":
            problems.extend(self._webhook_url_problems())
        try:
            self.check_webhook()
        except SettingsError as exc:
            problems.append(str(exc))
        if problems:
            raise SettingsError("; ".join(problems))

    def _webhook_url_problems(self) -> list[str]:
        url = self.usd_webhook_url
        if not url:
            return ["VS_USD_WEBHOOK_URL must be set: notifications are not sent without it"]
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            return ["VS_USD_WEBHOOK_URL must be an http(s) URL with a host"]
        if (
            parts.scheme == "http"
            and self.webhook_payload == "full"
            and not _loopback(parts.hostname)
        ):
            return [
                "VS_USD_WEBHOOK_URL must be https with VS_WEBHOOK_PAYLOAD=full: the payload holds "
                "household contact data (http is allowed for 127.0.0.1, ::1 and localhost only)"
            ]
        return []


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def settings_problem(error: ValidationError) -> str:
    """One line naming each bad variable, never its value (it may be a secret)."""
    return "; ".join(
        f"VS_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
    )
