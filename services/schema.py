"""Every service's tables on one metadata, for migrations (each service still owns its tables)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import notifier.tables
import shared.audit.tables
import shared.inbox
import shared.outbox
import shared.parking
import shared.web.auth
import shared.web.pages.sessions
import signal_ingest.tables
import triage.tables
from shared.db import metadata

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Importing these registers every table on `metadata` (what autogenerate compares against).
TABLE_MODULES = (
    shared.audit.tables,
    shared.inbox,
    shared.outbox,
    shared.parking,
    shared.web.auth,
    shared.web.pages.sessions,
    signal_ingest.tables,
    triage.tables,
    notifier.tables,
)


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # alembic loads only where migrations run

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str) -> None:
    """Applies migrations to head (`vroegsignaal db upgrade`; also at every start)."""
    from alembic import command

    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")


__all__ = ["alembic_config", "metadata", "upgrade"]
