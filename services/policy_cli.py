"""`vroegsignaal policy explain|register|replay`: the active scoring policy (CONTRACT §10)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import orjson

from services.admin import admin_engine
from shared.settings import Settings
from shared.vocabulary import Lang
from triage.domain.algorithm_register import PolicyFile, register_entry, register_markdown
from triage.domain.errors import PolicyError
from triage.domain.policy import ScoringPolicy, default_policy_path, load_policy
from triage.domain.policy_explain import explain_policy
from triage.replay_service import replay_case
from triage.service import CaseNotFound


def _active_policy(settings: Settings) -> tuple[ScoringPolicy, Path]:
    """The policy triage scores with: VS_POLICY_FILE, else the published default."""
    path = settings.policy_file or default_policy_path()
    return load_policy(path), path


def explain(settings: Settings, lang: Lang) -> int:
    try:
        policy, _ = _active_policy(settings)
    except PolicyError as exc:
        print(f"vroegsignaal: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(explain_policy(policy, lang))
    return 0


def register(settings: Settings, output_format: str) -> int:
    try:
        policy, path = _active_policy(settings)
    except PolicyError as exc:
        print(f"vroegsignaal: {exc}", file=sys.stderr)
        return 2
    source = PolicyFile(path.name, hashlib.sha256(path.read_bytes()).hexdigest())
    entry = register_entry(policy, source, settings.municipality_name, settings.municipality_code)
    if output_format == "json":
        sys.stdout.write(orjson.dumps(entry, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write(register_markdown(entry))
    return 0


async def replay(settings: Settings, case_id: str) -> int:
    """Recomputes every decision of the case; exit 0 only when every score is identical."""
    try:
        active, _ = _active_policy(settings)
    except PolicyError as exc:
        print(f"vroegsignaal: {exc}", file=sys.stderr)
        return 2
    engine = await admin_engine(settings)
    try:
        replayed = await replay_case(engine, case_id, active)
    except CaseNotFound:
        print(f"vroegsignaal: no case {case_id}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    for r in replayed:
        d, kept = r.decision, r.decision.assessment
        head = f"{d.at.isoformat()}  {d.cause:<16} policy {kept.policy_version}: score {kept.score}"
        if r.replayed is None:
            print(f"{head} -> not replayable (policy version {kept.policy_version} is not kept)")
        else:
            verdict = "identical" if r.identical else "DIFFERS"
            print(f"{head} -> {r.replayed.score} {verdict}")
    same = sum(r.identical for r in replayed)
    print(f"{same} of {len(replayed)} decisions of case {case_id} replay to the same score")
    return 0 if same == len(replayed) else 1
