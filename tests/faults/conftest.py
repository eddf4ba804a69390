"""The fault tests' own PostgreSQL and Kafka (ports beside the suite's, see OwnServers), started
once for the suite and stopped after it; each scenario gets a fresh database."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.faults.pipeline import OwnServers, Pipeline, new_pipeline


@pytest.fixture(scope="session")
async def own_servers(pg_url: str, kafka_bootstrap: str) -> AsyncIterator[OwnServers]:
    servers = OwnServers.beside(pg_url, kafka_bootstrap)
    shutil.rmtree(servers.env["KAFKA_DATA_DIR"], ignore_errors=True)  # no groups from last time
    await servers.start_postgres()
    await servers.start_kafka()
    try:
        yield servers
    finally:
        await servers.stop_kafka()
        await servers.stop_postgres()


@pytest.fixture
async def pipeline(own_servers: OwnServers, tmp_path: Path) -> AsyncIterator[Pipeline]:
    made = await new_pipeline(own_servers, tmp_path / "pipeline")
    await made.receiver.start()
    try:
        yield made
    finally:
        made.stop_all()
        # A broker or database a scenario stopped comes back for the next one.
        await own_servers.start_postgres()
        await own_servers.start_kafka()
