"""Signal ingest process: the REST API, its outbox relay and the signal-status feedback consumer."""

from __future__ import annotations

from fastapi import APIRouter

from services.runtime import Runtime
from shared.consuming import EventProcessor
from shared.events import CASES_TOPIC
from signal_ingest import api, consumer, schemas

ROUTERS: list[APIRouter] = [api.router]
SCHEMAS = schemas.signal_schemas()


def start_ingest_workers(runtime: Runtime) -> None:
    processor = EventProcessor(
        consumer.CONSUMER,
        runtime.engine,
        runtime.bus.consumer(consumer.CONSUMER, [CASES_TOPIC]),
        consumer.handle_case_event,
    )
    runtime.processors.append(processor)
    runtime.spawn("signal-feedback", processor.run(runtime.stop))
