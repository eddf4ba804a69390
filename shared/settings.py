"""One settings object for every process; read from `VS_*` environment variables (CONTRACT §7)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRETS = frozenset({"", "changeme", "change-me", "secret", "whsec_changeme"})


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
    policy_file: Path | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    team_emails: str = Field("", description="team=address,... for the e-mail channel.")
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "vroegsignaal@localhost"

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'vroegsignaal.sqlite3'}"

    @property
    def embedded_bus(self) -> bool:
        return not self.kafka_bootstrap_servers

    def check_production(self) -> None:
        """A missing or default secret in production mode is a start-up error (CONTRACT §7)."""
        problems = []
        if not self.database_url or self.database_url.startswith("sqlite"):
            problems.append("VS_DATABASE_URL must point at PostgreSQL")
        if self.embedded_bus:
            problems.append("VS_KAFKA_BOOTSTRAP_SERVERS must be set")
        if (self.pii_key or "") in DEFAULT_SECRETS:
            problems.append("VS_PII_KEY must be set to a generated key")
        if self.usd_webhook_url and (self.usd_webhook_secret or "") in DEFAULT_SECRETS:
            problems.append("VS_USD_WEBHOOK_SECRET must be set to a generated whsec_ secret")
        if problems:
            raise SettingsError("; ".join(problems))
