"""Signal ingest process: the REST API, its outbox relay and the signal-status feedback consumer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.runtime import Runtime
from shared.consuming import EventProcessor
from shared.events import CASES_TOPIC
from signal_ingest import api, consumer, schemas, vera_api
from signal_ingest.committer import SignalCommitter
from signal_ingest.repository import SignalRepository

ROUTERS: list[APIRouter] = [api.router, vera_api.router]
SCHEMAS = {**schemas.signal_schemas(), **vera_api.vera_schemas()}


SIGNAL_WRITERS = 2


def ingest_resources(runtime: Runtime) -> dict[str, Any]:
    """The group committer, built only in a process that takes posts."""
    # SQLite has one writer at a time; on PostgreSQL, transactions in flight overlap their waits.
    writers = 1 if runtime.engine.dialect.name == "sqlite" else SIGNAL_WRITERS
    repository = SignalRepository(runtime.engine)
    committer = SignalCommitter(repository, runtime.vault, runtime.relay.wake, writers)
    runtime.closers.append(committer.close)
    return {"signals": committer}


def start_ingest_workers(runtime: Runtime) -> None:
    processor = EventProcessor(
        consumer.CONSUMER,
        runtime.engine,
        runtime.bus.consumer(consumer.CONSUMER, [CASES_TOPIC]),
        consumer.handle_case_event,
    )
    runtime.processors.append(processor)
    runtime.spawn("signal-feedback", processor.run(runtime.stop))
