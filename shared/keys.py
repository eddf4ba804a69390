"""Secrets the operator configures: how they are made, and what counts as a usable one.

A check names what a good secret is (length, encoding, enough randomness) rather than listing bad
ones: an all-zero or repeated key is refused like a default one (CONTRACT §7, §10).
"""

from __future__ import annotations

import base64
import binascii
import secrets

WEBHOOK_SECRET_PREFIX = "whsec_"
_WEBHOOK_SECRET_BYTES = (24, 64)
_PII_KEY_BYTES = 32
_MIN_DISTINCT_BYTES = 16
"""32 random bytes hold ~28 distinct values; fewer than 16 is a made-up key, not a drawn one."""


def generate_webhook_secret() -> str:
    """A fresh `whsec_` secret of 32 random bytes, to hand to the USD."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def looks_random(raw: bytes) -> bool:
    return len(set(raw)) >= min(_MIN_DISTINCT_BYTES, len(raw))


def is_usable_webhook_secret(secret: str) -> bool:
    """`whsec_` + valid base64 of 24 to 64 random-looking bytes (the Standard Webhooks range)."""
    if not secret.startswith(WEBHOOK_SECRET_PREFIX):
        return False
    encoded = secret.removeprefix(WEBHOOK_SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    low, high = _WEBHOOK_SECRET_BYTES
    return low <= len(key) <= high and looks_random(key)


def is_usable_pii_key(key: str) -> bool:
    """Url-safe base64 of 32 random-looking bytes."""
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError):
        return False
    return len(raw) == _PII_KEY_BYTES and looks_random(raw)
