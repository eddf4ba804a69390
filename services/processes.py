"""What each deployable process runs: its routers and its background workers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI

from services import ingest, notifier, ops, triage
from services.runtime import Runtime
from services.web import create_app
from shared.audit import api as audit_api
from shared.web.pages.templating import Pages


@dataclass(frozen=True)
class Process:
    title: str
    routers: Sequence[APIRouter]
    workers: Sequence[Callable[[Runtime], None]]
    schemas: dict[str, Any] = field(default_factory=dict)
    resources: Sequence[Callable[[Runtime], dict[str, Any]]] = ()
    """What this process's routes need beyond the runtime (built only where it is used)."""
    pages: Sequence[Callable[[Pages], None]] = ()
    """Its own page packages (templates, messages, menu entry) besides every process's."""

    def app(self, runtime: Runtime) -> FastAPI:
        def start(rt: Runtime) -> None:
            rt.spawn("outbox-relay", rt.relay.run(rt.stop))
            rt.gauges.append(lambda: ops.refresh_gauges(rt))
            for start_workers in self.workers:
                start_workers(rt)

        resources = {k: v for build in self.resources for k, v in build(runtime).items()}
        return create_app(
            runtime, self.title, self.routers, start, self.schemas, resources, self.pages
        )


INGEST = Process(
    "Vroegsignaal signal ingest",
    [*ingest.ROUTERS, ops.router],
    [ingest.start_ingest_workers],
    ingest.SCHEMAS,
    [ingest.ingest_resources],
)
TRIAGE = Process(
    "Vroegsignaal triage",
    [*triage.ROUTERS, audit_api.router, ops.router],  # the audit log is served with the cases
    [triage.start_triage_workers],
    resources=[triage.triage_resources],
    pages=[triage.register_pages],
)
NOTIFIER = Process(
    "Vroegsignaal notifier", [*notifier.ROUTERS, ops.router], [notifier.start_notifier_workers]
)
SERVICES = {"ingest": INGEST, "triage": TRIAGE, "notifier": NOTIFIER}
# `vroegsignaal run`: every service in one process, on one database, with one relay.
EMBEDDED = Process(
    "Vroegsignaal",
    list({id(r): r for p in SERVICES.values() for r in p.routers}.values()),  # ops.router once
    [worker for p in SERVICES.values() for worker in p.workers],
    {k: v for p in SERVICES.values() for k, v in p.schemas.items()},
    [build for p in SERVICES.values() for build in p.resources],
    [register for p in SERVICES.values() for register in p.pages],
)
