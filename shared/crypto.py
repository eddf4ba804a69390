"""Personal data at rest and in transit: sealed with AES-GCM; households named by a keyed pseudonym.

Names, phone numbers, e-mail addresses and dates of birth only ever leave memory sealed. The
pseudonym (an HMAC of the normalised address) lets every service group and key a household's
events without seeing who lives there.

Key ring (CONTRACT §10): VS_PII_KEY seals, VS_PII_OLD_KEYS still open; each token names its key.
The pseudonym secret is stable across rotations: the key store keeps it wrapped under the active
key (created on first start from the key's derivation, so existing pseudonyms stay) and
`vroegsignaal pii rotate` re-wraps it; the vault is given it with `use_pseudonym_secret`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.envelope import HouseholdKeyStore, MemoryHouseholdKeys


class PiiKeyError(ValueError):
    """The configured VS_PII_KEY is not a usable key."""


def generate_pii_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _raw_key(key: str, name: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except ValueError as exc:
        raise PiiKeyError(f"{name} is not url-safe base64") from exc
    if len(raw) != 32:
        raise PiiKeyError(f"{name} must decode to 32 bytes of url-safe base64")
    return raw


def key_id(raw: bytes) -> str:
    """A short public name for a key (8 hex digits of HMAC(key, "kid")): says which key sealed."""
    return hmac.new(raw, b"kid", hashlib.sha256).hexdigest()[:8]


def _aead(raw: bytes) -> AESGCM:
    return AESGCM(hashlib.sha256(b"vroegsignaal/seal\x00" + raw).digest())


class PiiVault:
    """Seals under the active key and opens under any key of the ring; derives pseudonyms.

    A token is `<key id>.<base64(nonce + ciphertext)>`, so opening picks the key that sealed
    it; a token without a key id (written before the key ring) opens with the active key.
    `bound_to` is AES-GCM associated data naming the record (e.g. "signal:<pseudonym>:<id>"):
    opening with another binding fails, so sealed data cannot be moved to another record.
    Callers that pass no binding seal unbound (the seam: ingest and triage bind later; a reader
    must then open with the same `bound_to` the writer used).
    """

    _NONCE = 12

    households: HouseholdKeyStore
    """The per-household data keys (envelope sealing, CONTRACT §10): in memory until the
    composition root puts the key store (`shared.keystore.HouseholdKeys`) in its place."""

    def __init__(self, key: str, old_keys: Sequence[str] = ()) -> None:
        self.households = MemoryHouseholdKeys(self.open)
        raw = _raw_key(key, "VS_PII_KEY")
        self.active_key_id = key_id(raw)
        self._active = _aead(raw)
        self._ring = {self.active_key_id: self._active}
        for old in old_keys:
            old_raw = _raw_key(old, "VS_PII_OLD_KEYS")
            self._ring.setdefault(key_id(old_raw), _aead(old_raw))
        self._pseudonym_key = self.derived_pseudonym_secret = hashlib.sha256(
            b"vroegsignaal/pseudonym\x00" + raw
        ).digest()

    def use_pseudonym_secret(self, secret: bytes) -> None:
        """The stored secret households are named with (it outlives key rotations)."""
        if len(secret) != 32:
            raise PiiKeyError("the pseudonym secret must be 32 bytes")
        self._pseudonym_key = secret

    def seal(self, plaintext: bytes, bound_to: str | None = None) -> str:
        nonce = os.urandom(self._NONCE)
        sealed = self._active.encrypt(nonce, plaintext, _binding(bound_to))
        return f"{self.active_key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, bound_to: str | None = None) -> bytes:
        """Raises KeyError when the sealing key is not in the ring, InvalidTag on a bad binding."""
        kid, dot, body = token.rpartition(".")
        aead = self._ring[kid] if dot else self._active
        blob = base64.urlsafe_b64decode(body.encode())
        return aead.decrypt(blob[: self._NONCE], blob[self._NONCE :], _binding(bound_to))

    def is_current(self, token: str) -> bool:
        """Whether `token` is sealed under the active key (rotation skips it)."""
        return token.partition(".")[0] == self.active_key_id and "." in token

    def pseudonym(self, identity: str) -> str:
        """A stable, non-reversible name for a household (the Kafka key)."""
        return hmac.new(self._pseudonym_key, identity.encode(), hashlib.sha256).hexdigest()[:32]


def _binding(bound_to: str | None) -> bytes | None:
    return None if bound_to is None else b"vroegsignaal/bound\x00" + bound_to.encode()


def hash_api_key(secret: str) -> str:
    """API keys are stored only as hashes; they are long random strings, so SHA-256 suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_key() -> tuple[str, str]:
    """Returns (key id, full key). The key id is public; the full key is shown once."""
    key_id = secrets.token_hex(6)
    return key_id, f"vs_{key_id}_{secrets.token_urlsafe(32)}"
