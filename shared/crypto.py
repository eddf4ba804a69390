"""Personal data at rest and in transit: sealed with AES-GCM; households named by a keyed pseudonym.

Names, phone numbers, e-mail addresses and dates of birth only ever leave memory sealed. The
pseudonym (an HMAC of the normalised address) lets every service group and key a household's
events without seeing who lives there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class PiiKeyError(ValueError):
    """The configured VS_PII_KEY is not a usable key."""


def generate_pii_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class PiiVault:
    """Seals and opens personal data; derives household pseudonyms from the same key."""

    _NONCE = 12

    def __init__(self, key: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except ValueError as exc:
            raise PiiKeyError("VS_PII_KEY is not url-safe base64") from exc
        if len(raw) != 32:
            raise PiiKeyError("VS_PII_KEY must decode to 32 bytes of url-safe base64")
        self._aead = AESGCM(hashlib.sha256(b"vroegsignaal/seal\x00" + raw).digest())
        self._pseudonym_key = hashlib.sha256(b"vroegsignaal/pseudonym\x00" + raw).digest()

    def seal(self, plaintext: bytes) -> str:
        nonce = os.urandom(self._NONCE)
        return base64.urlsafe_b64encode(nonce + self._aead.encrypt(nonce, plaintext, None)).decode()

    def open(self, token: str) -> bytes:
        blob = base64.urlsafe_b64decode(token.encode())
        return self._aead.decrypt(blob[: self._NONCE], blob[self._NONCE :], None)

    def pseudonym(self, identity: str) -> str:
        """A stable, non-reversible name for a household (the Kafka key)."""
        return hmac.new(self._pseudonym_key, identity.encode(), hashlib.sha256).hexdigest()[:32]


def hash_api_key(secret: str) -> str:
    """API keys are stored only as hashes; they are long random strings, so SHA-256 suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_key() -> tuple[str, str]:
    """Returns (key id, full key). The key id is public; the full key is shown once."""
    key_id = secrets.token_hex(6)
    return key_id, f"vs_{key_id}_{secrets.token_urlsafe(32)}"
