"""The composition root's resources: built once at start-up from Settings, never at import time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.bus import EventBus
from shared.bus.embedded import EmbeddedBus
from shared.bus.kafka import KafkaBus
from shared.consuming import EventProcessor
from shared.crypto import PiiVault, generate_pii_key
from shared.db import create_engine
from shared.events import TOPICS
from shared.files import private_dir, write_private
from shared.keystore import HouseholdKeys
from shared.keystore.keys import stable_pseudonym_secret
from shared.outbox import OutboxRelay
from shared.settings import Settings, SettingsError

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    bus: EventBus
    vault: PiiVault
    relay: OutboxRelay
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    processors: list[EventProcessor] = field(default_factory=list)
    """The event consumers this process runs, for the ops summary (consumer lag)."""
    gauges: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Refreshers of Prometheus gauges that need a query, run on each `/metrics` scrape."""
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """What a process's own resources need done at shutdown, before the bus and database go."""

    def spawn(self, name: str, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work, name=name)
        task.add_done_callback(_report_crash)
        self.tasks.append(task)

    async def close(self) -> None:
        self.stop.set()
        if self.tasks:
            _, pending = await asyncio.wait(self.tasks, timeout=10)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for close in self.closers:
            await close()
        await self.bus.stop()
        await self.engine.dispose()


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s crashed", task.get_name(), exc_info=task.exception())


def pii_key(settings: Settings) -> str:
    """VS_PII_KEY, or (embedded runs only) a key kept in VS_DATA_DIR, created on first start."""
    if settings.pii_key:
        return settings.pii_key
    path = settings.data_dir / "pii.key"
    if not path.exists():
        write_private(path, generate_pii_key())
    return path.read_text().strip()


def build_bus(settings: Settings) -> EventBus:
    if settings.kafka_bootstrap_servers:
        return KafkaBus(settings.kafka_bootstrap_servers, settings.kafka_partitions, TOPICS)
    return EmbeddedBus(settings.data_dir / "eventlog.sqlite3")


async def build_runtime(settings: Settings) -> Runtime:
    private_dir(settings.data_dir)
    engine = create_engine(settings.resolved_database_url)
    bus = build_bus(settings)
    await bus.start()
    runtime = assemble_runtime(settings, engine, bus)
    await open_keystore(runtime)
    return runtime


async def open_keystore(runtime: Runtime) -> None:
    """The household key store: the vault seals and opens personal data with its keys."""
    close = await open_keystore_for(runtime.settings, runtime.engine, runtime.vault)
    runtime.closers.append(close)


async def open_keystore_for(
    settings: Settings, engine: AsyncEngine, vault: PiiVault
) -> Callable[[], Awaitable[None]]:
    """Puts the key store (VS_KEYSTORE_URL) in `vault`; returns what closes it."""
    url = settings.resolved_keystore_url
    own = url != settings.resolved_database_url
    keystore_engine = create_engine(url) if own else engine
    keys = HouseholdKeys(keystore_engine, vault)
    await keys.create_schema()
    vault.households = keys
    try:
        vault.use_pseudonym_secret(await stable_pseudonym_secret(keystore_engine, vault))
    except (KeyError, InvalidTag):
        if own:
            await keystore_engine.dispose()
        raise SettingsError(
            "VS_PII_KEY: the key store is sealed under a key that is neither VS_PII_KEY nor in "
            "VS_PII_OLD_KEYS"
        ) from None

    async def close() -> None:
        if own:
            await keystore_engine.dispose()

    return close


def assemble_runtime(settings: Settings, engine: AsyncEngine, bus: EventBus) -> Runtime:
    vault = PiiVault(pii_key(settings), settings.old_pii_keys)
    relay = OutboxRelay(engine, bus)
    # SQLite has one writer at a time; on PostgreSQL, transactions in flight overlap their waits.
    return Runtime(
        settings=settings,
        engine=engine,
        bus=bus,
        vault=vault,
        relay=relay,
    )
