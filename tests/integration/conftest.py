"""The same behaviour tests run on the embedded default and on real PostgreSQL + Kafka."""

from __future__ import annotations

import pytest

from shared.settings import Settings
from tests.conftest import SettingsFactory


@pytest.fixture(params=["embedded", "postgres+kafka"])
def stack(request: pytest.FixtureRequest, make_settings: SettingsFactory) -> Settings:
    if request.param == "embedded":
        return make_settings()
    return make_settings(
        database_url=request.getfixturevalue("pg_url"),
        kafka_bootstrap_servers=request.getfixturevalue("kafka_bootstrap"),
    )


@pytest.fixture
def pg_settings(make_settings: SettingsFactory, pg_url: str) -> Settings:
    return make_settings(database_url=pg_url)
