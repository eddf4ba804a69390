"""Envelope sealing with per-household data keys (CONTRACT §10): the part without storage.

A household token is `hk1.<pseudonym>.<base64(nonce + ciphertext)>`; its associated data names
the household and the record (`bound_to`), so it opens only for that record. A `KeySet` holds the
keys one operation needs; the key store (`shared.keystore`, or `MemoryHouseholdKeys` in tests)
creates, loads and destroys them. Tokens sealed straight under the key ring (before household
keys) still open, through the vault.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Collection, Mapping
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "hk1"
_NONCE = 12


class MissingHouseholdKey(KeyError):
    """The household's key was destroyed (purged) or not loaded: its data cannot be opened."""


def is_household_token(token: str) -> bool:
    return token.startswith(PREFIX + ".")


def token_household(token: str) -> str | None:
    """The pseudonym a household token names (None for a key-ring token)."""
    return token.split(".", 2)[1] if is_household_token(token) else None


def _aad(pseudonym: str, bound_to: str) -> bytes:
    return f"vroegsignaal/household\x00{pseudonym}\x00{bound_to}".encode()


class KeySet:
    """The data keys of some households, for one operation: seal and open their data."""

    def __init__(self, keys: Mapping[str, bytes], open_legacy: Callable[[str], bytes]) -> None:
        self._keys = {p: AESGCM(k) for p, k in keys.items()}
        self._open_legacy = open_legacy

    def __contains__(self, pseudonym: object) -> bool:
        return pseudonym in self._keys

    def seal(self, pseudonym: str, plaintext: bytes, bound_to: str) -> str:
        aead = self._keys.get(pseudonym)
        if aead is None:
            raise MissingHouseholdKey(pseudonym)
        nonce = os.urandom(_NONCE)
        sealed = aead.encrypt(nonce, plaintext, _aad(pseudonym, bound_to))
        return f"{PREFIX}.{pseudonym}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, bound_to: str) -> bytes:
        """Raises MissingHouseholdKey (erased or not loaded), InvalidTag (another record)."""
        if not is_household_token(token):
            return self._open_legacy(token)  # sealed under the key ring before household keys
        _, pseudonym, body = token.split(".", 2)
        aead = self._keys.get(pseudonym)
        if aead is None:
            raise MissingHouseholdKey(pseudonym)
        blob = base64.urlsafe_b64decode(body.encode())
        return aead.decrypt(blob[:_NONCE], blob[_NONCE:], _aad(pseudonym, bound_to))


class HouseholdKeyStore(Protocol):
    async def ensure(self, pseudonyms: Collection[str]) -> KeySet:
        """The households' keys, created for those that have none (to seal new data)."""

    async def load(self, pseudonyms: Collection[str]) -> KeySet:
        """The keys of those households that still have one (to open data)."""

    async def destroy(self, pseudonyms: Collection[str]) -> int:
        """Deletes the households' keys (erasure); returns how many there were."""


async def keys_for_tokens(store: HouseholdKeyStore, tokens: Collection[str]) -> KeySet:
    """The keys that opening `tokens` needs."""
    return await store.load({p for t in tokens if (p := token_household(t)) is not None})


class MemoryHouseholdKeys:
    """A key store in memory: for unit tests and tools that hold no database."""

    def __init__(self, open_legacy: Callable[[str], bytes]) -> None:
        self._keys: dict[str, bytes] = {}
        self._open_legacy = open_legacy

    async def ensure(self, pseudonyms: Collection[str]) -> KeySet:
        for p in pseudonyms:
            self._keys.setdefault(p, os.urandom(32))
        return await self.load(pseudonyms)

    async def load(self, pseudonyms: Collection[str]) -> KeySet:
        keys = {p: self._keys[p] for p in pseudonyms if p in self._keys}
        return KeySet(keys, self._open_legacy)

    async def destroy(self, pseudonyms: Collection[str]) -> int:
        return sum(self._keys.pop(p, None) is not None for p in set(pseudonyms))
