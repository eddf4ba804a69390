from datetime import UTC, datetime

import pytest

from shared.vocabulary import USD_OUTCOMES
from triage.domain.ddas import EINDRESULTAAT_TO_OUTCOME, dagdeel, eindresultaat_for


def test_the_sixteen_codes_map_to_words_and_every_word_round_trips() -> None:
    assert len(EINDRESULTAAT_TO_OUTCOME) == 16
    for word in USD_OUTCOMES:
        for reached in (True, False):
            assert EINDRESULTAAT_TO_OUTCOME[eindresultaat_for(word, ever_reached=reached)] == word


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 1, 5, 10, 59, 59, tzinfo=UTC), "Ochtend"),
        (datetime(2026, 1, 5, 11, 0, tzinfo=UTC), "Middag"),
        (datetime(2026, 7, 5, 15, 59, 59, tzinfo=UTC), "Middag"),
        (datetime(2026, 7, 5, 16, 0, tzinfo=UTC), "Avond"),
        (datetime(2026, 7, 5, 23, 30, tzinfo=UTC), "Ochtend"),
    ],
)
def test_dagdeel_follows_amsterdam_local_time(at: datetime, expected: str) -> None:
    assert dagdeel(at) == expected
