"""PII key ring: old keys still open, tokens name their key, sealed data is bound to a record."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.crypto import PiiVault, generate_pii_key


def test_data_sealed_under_an_old_key_opens_with_the_old_key_in_the_ring() -> None:
    old, new = generate_pii_key(), generate_pii_key()
    token = PiiVault(old).seal(b"J. de Vries")
    ring = PiiVault(new, [old])
    assert ring.open(token) == b"J. de Vries"
    assert not ring.is_current(token)
    assert ring.is_current(ring.seal(b"x"))
    with pytest.raises(KeyError):
        PiiVault(new).open(token)  # old key removed: no longer opens


def test_a_token_from_before_the_key_ring_opens_with_the_active_key() -> None:
    key = generate_pii_key()
    raw = base64.urlsafe_b64decode(key)
    aead = AESGCM(hashlib.sha256(b"vroegsignaal/seal\x00" + raw).digest())
    nonce = os.urandom(12)
    legacy = base64.urlsafe_b64encode(nonce + aead.encrypt(nonce, b"+31612345678", None)).decode()
    vault = PiiVault(key)
    assert vault.open(legacy) == b"+31612345678"
    assert not vault.is_current(legacy)


def test_sealed_data_bound_to_one_record_does_not_open_for_another() -> None:
    vault = PiiVault(generate_pii_key())
    token = vault.seal(b"j.devries@example.nl", bound_to="signal:hh1:s1")
    assert vault.open(token, bound_to="signal:hh1:s1") == b"j.devries@example.nl"
    for other in ("signal:hh2:s1", None):
        with pytest.raises(InvalidTag):
            vault.open(token, bound_to=other)
