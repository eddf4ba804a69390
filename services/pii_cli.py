"""`vroegsignaal pii rotate`: re-seals everything under the active VS_PII_KEY (CONTRACT §10)."""

from __future__ import annotations

import sys

from cryptography.exceptions import InvalidTag

from services.admin import admin_engine
from services.pii_rotate import rotate
from services.runtime import open_keystore_for, pii_key
from shared.audit import CLI
from shared.crypto import PiiVault
from shared.keystore import HouseholdKeys
from shared.settings import Settings


async def rotate_pii(settings: Settings) -> int:
    """Prints per sealed column what it did; exit 1 when a token opens with no key held (add
    the key that sealed it to VS_PII_OLD_KEYS and run it again: finished batches stay done)."""
    engine = await admin_engine(settings)
    vault = PiiVault(pii_key(settings), settings.old_pii_keys)
    try:
        close = await open_keystore_for(settings, engine, vault)  # SettingsError: exit 2
    except BaseException:
        await engine.dispose()
        raise
    keystore = vault.households
    assert isinstance(keystore, HouseholdKeys)
    try:
        report = await rotate(engine, keystore.engine, vault, CLI)
    except (KeyError, InvalidTag) as exc:
        print(f"vroegsignaal: a token cannot be opened with the keys held ({type(exc).__name__}); "
              "add its key to VS_PII_OLD_KEYS and run again", file=sys.stderr)  # fmt: skip
        return 1
    finally:
        await close()
        await engine.dispose()
    print("\n".join(report.lines()))
    return 0
