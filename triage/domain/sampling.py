"""Random samples of `low` cases (CONTRACT §10, Algoritmekader): a human looks at a share of
what the weights put at the bottom, so what they leave out is checked too.

Deterministic: whether a case is in the sample is a hash of its id against the rate, so every
assessment of the case (and every replay of one) agrees, and no clock or RNG decides.
"""

from __future__ import annotations

import hashlib

from shared.vocabulary import Reason

RANDOM_SAMPLE = "RANDOM_SAMPLE"


def in_sample(rate: float, case_id: str | None) -> bool:
    """Whether the case falls in a sample of share `rate` (0 samples nothing, 1 every case)."""
    if case_id is None or rate <= 0:
        return False
    digest = hashlib.sha256(b"vroegsignaal/sample\x00" + case_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") < rate * 2**64


def sample_reason(rate: float) -> Reason:
    return Reason(
        RANDOM_SAMPLE,
        0,
        f"Random sample: {rate:.0%} of low-priority cases get a human look (no points)",
    )
