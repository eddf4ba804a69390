"""Signal ingest process: the REST API, its outbox relay and the signal-status feedback consumer."""

from __future__ import annotations

from fastapi import APIRouter

from services.runtime import Runtime
from shared.consuming import EventProcessor
from shared.events import CASES_TOPIC
from signal_ingest import api, feedback

ROUTERS: list[APIRouter] = [api.router]
SCHEMAS = api.signal_schemas()


def start_ingest_workers(runtime: Runtime) -> None:
    processor = EventProcessor(
        feedback.CONSUMER,
        runtime.engine,
        runtime.bus.consumer(feedback.CONSUMER, [CASES_TOPIC]),
        feedback.handle_case_event,
    )
    runtime.processors.append(processor)
    runtime.spawn("signal-feedback", processor.run(runtime.stop))
