"""`vroegsignaal policy explain|register`: the active scoring policy for people (CONTRACT §10)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import orjson

from shared.settings import Settings
from shared.vocabulary import Lang
from triage.domain.algorithm_register import PolicyFile, register_entry, register_markdown
from triage.domain.errors import PolicyError
from triage.domain.policy import ScoringPolicy, default_policy_path, load_policy
from triage.domain.policy_explain import explain_policy


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
