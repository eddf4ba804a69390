"""Triage process: the signals consumer, the deadline watch, the re-assessment over time, the
daily purge (retention), the case and shelter APIs, the USD's pages and its relay."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter

from services.purge import purge_daily
from services.runtime import Runtime
from shared.audit import SYSTEM
from shared.consuming import EventProcessor
from shared.events import SIGNALS_TOPIC
from shared.settings import Settings, SettingsError
from shared.web.pages.templating import Pages
from triage import api, report_api, shelter_api, usd_pages
from triage.consumer import SignalTriage
from triage.domain.policy import PolicyError, default_policy_path, load_policy
from triage.domain.policy_model import ScoringPolicy
from triage.domain.shelter import (
    ShelterCatalog,
    ShelterFileError,
    default_shelter_path,
    load_shelter,
)
from triage.policy_repository import keep_policy_version
from triage.shelter_repository import sync_units
from triage.workers import reassess_over_time, watch_deadlines

ROUTERS: list[APIRouter] = [api.router, shelter_api.router, report_api.router, usd_pages.router]


def register_pages(pages: Pages) -> None:
    """The USD's worklist and case pages (CONTRACT §9), served where the case API is."""
    usd_pages.register(pages)


@dataclass(frozen=True)
class TriageSetup:
    policy: ScoringPolicy
    policy_text: str
    shelter: ShelterCatalog


@cache
def _load(policy_file: Path, shelter_file: Path) -> TriageSetup:
    policy = load_policy(policy_file)
    return TriageSetup(policy, policy_file.read_text(encoding="utf-8"), load_shelter(shelter_file))


def triage_setup(settings: Settings) -> TriageSetup:
    """The policy (VS_POLICY_FILE) and shelter facilities (VS_SHELTER_FILE), read once; a bad
    file is a settings error naming its variable (one line, exit code 2)."""
    try:
        policy_file = settings.policy_file or default_policy_path()
        shelter_file = settings.shelter_file or default_shelter_path()
        return _load(policy_file, shelter_file)
    except PolicyError as exc:
        raise SettingsError(f"VS_POLICY_FILE: {exc}") from exc
    except ShelterFileError as exc:
        raise SettingsError(f"VS_SHELTER_FILE: {exc}") from exc


def triage_resources(runtime: Runtime) -> dict[str, Any]:
    setup = triage_setup(runtime.settings)
    return {"triage_policy": setup.policy, "shelter_catalog": setup.shelter}


def start_triage_workers(runtime: Runtime) -> None:
    setup = triage_setup(runtime.settings)
    processor = EventProcessor(
        SignalTriage.CONSUMER,
        runtime.engine,
        runtime.bus.consumer(SignalTriage.CONSUMER, [SIGNALS_TOPIC]),
        after_commit=runtime.relay.wake,
        handle_batch=SignalTriage(setup.policy, runtime.vault),
    )
    runtime.processors.append(processor)
    runtime.spawn("shelter-units", sync_units(runtime.engine, setup.shelter))
    runtime.spawn(
        "policy-archive",
        keep_policy_version(runtime.engine, setup.policy.version, setup.policy_text),
    )
    runtime.spawn("triage", processor.run(runtime.stop))
    runtime.spawn(
        "deadline-watch", watch_deadlines(runtime.engine, runtime.stop, runtime.relay.wake)
    )
    runtime.spawn(
        "purge",
        purge_daily(runtime.engine, runtime.vault, setup.policy.retention, runtime.stop, SYSTEM),
    )
    runtime.spawn(
        "re-assessment",
        reassess_over_time(runtime.engine, setup.policy, runtime.stop, runtime.relay.wake),
    )
