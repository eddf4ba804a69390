"""Shared fixtures. Real PostgreSQL and Kafka come from `make test` (deploy/*/start.sh) through
VS_TEST_DATABASE_URL and VS_TEST_KAFKA_BOOTSTRAP; without them those tests skip — except in CI,
where a skipped PostgreSQL/Kafka test fails the run (see pytest_collection_modifyitems)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import hypothesis
import pytest

from shared.crypto import generate_pii_key
from shared.settings import Settings
from tests.receivers import webhook_receiver

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "samples"
__all__ = ["webhook_receiver"]  # a fixture for every test


def pytest_configure(config: pytest.Config) -> None:
    """The contract's sample signals live in ../shared beside the repository (as in CI)."""
    if not SAMPLES.is_dir():
        pytest.exit(f"{SAMPLES} not found: the tests need ../shared beside the repository", 2)


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# CI explores the same 50 examples every run, so a red build is reproducible, never a dice roll;
# a developer's run draws 20 new ones each time (fast feedback, and over many runs it explores
# more than CI's fixed set).
hypothesis.settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, max_examples=50
)
hypothesis.settings.register_profile("dev", deadline=None, max_examples=20)
hypothesis.settings.load_profile("ci" if IN_CI else "dev")


def _require(env: str, marker: str) -> str:
    """In CI a PostgreSQL or Kafka test that would skip fails instead."""
    value = os.environ.get(env)
    if not value:
        message = f"{marker} test needs {env} (run `make test`)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return value


@pytest.fixture(scope="session")
def pg_url() -> str:
    return _require("VS_TEST_DATABASE_URL", "PostgreSQL")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return _require("VS_TEST_KAFKA_BOOTSTRAP", "Kafka")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def make_settings(data_dir: Path) -> SettingsFactory:
    return SettingsFactory(data_dir)


class SettingsFactory:
    """Settings for one test: embedded by default; pass database_url/kafka for real servers."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.pii_key = generate_pii_key()

    def __call__(self, **overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": self.data_dir, "pii_key": self.pii_key}
        values.update(overrides)
        if values.get("database_url") and "keystore_url" not in overrides:
            # Tests share one PostgreSQL database, each with a PII key of its own: each keeps
            # its key store (whose pseudonym secret is wrapped under that key) to itself.
            keys = self.data_dir / "keys.sqlite3"
            values["keystore_url"] = f"sqlite+aiosqlite:///{keys}"
        return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def unique() -> str:
    """A per-test token for ids, sources and topics, so tests never see each other's data."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(autouse=True)
def _no_env_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the test, never from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("VS_") and not name.startswith("VS_TEST_"):
            monkeypatch.delenv(name)
