"""`vroegsignaal purge [--dry-run]`: prints per category what it removes (or would remove)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from services.admin import admin_engine
from services.purge import purge
from services.runtime import open_keystore_for, pii_key
from shared.audit import CLI
from shared.crypto import PiiVault
from shared.settings import Settings
from triage.domain.errors import PolicyError
from triage.domain.policy import default_policy_path, load_policy


async def run_purge(settings: Settings, dry_run: bool) -> int:
    try:
        policy = load_policy(settings.policy_file or default_policy_path())
    except PolicyError as exc:
        print(f"vroegsignaal: {exc}", file=sys.stderr)
        return 2
    engine = await admin_engine(settings)
    vault = PiiVault(pii_key(settings), settings.old_pii_keys)
    close_keystore = await open_keystore_for(settings, engine, vault)
    try:
        report = await purge(engine, vault, policy.retention, datetime.now(UTC), CLI, dry_run)
    finally:
        await close_keystore()
        await engine.dispose()
    print("\n".join(report.lines()))
    return 0
