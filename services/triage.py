"""Triage process: the signals consumer, the deadline watcher, the case API and its relay."""

from __future__ import annotations

from fastapi import APIRouter

from services.runtime import Runtime
from shared.consuming import EventProcessor
from shared.events import SIGNALS_TOPIC
from triage import api
from triage.consumer import SignalTriage
from triage.domain.policy import default_policy_path, load_policy
from triage.workers import watch_deadlines

ROUTERS: list[APIRouter] = [api.router]


def start_triage_workers(runtime: Runtime) -> None:
    policy = load_policy(runtime.settings.policy_file or default_policy_path())
    processor = EventProcessor(
        SignalTriage.CONSUMER,
        runtime.engine,
        runtime.bus.consumer(SignalTriage.CONSUMER, [SIGNALS_TOPIC]),
        after_commit=runtime.relay.wake,
        handle_batch=SignalTriage(policy, runtime.vault),
    )
    runtime.processors.append(processor)
    runtime.spawn("triage", processor.run(runtime.stop))
    runtime.spawn(
        "deadline-watch", watch_deadlines(runtime.engine, runtime.stop, runtime.relay.wake)
    )
