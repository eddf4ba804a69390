"""One word, one label: page packages share one catalogue, so a key two packages define with
different texts would make one page show the other's wording (the ops chart's legend read the
USD form's "Niet bereikt" once both were served by one process)."""

from __future__ import annotations

import pytest

from shared.ops.messages import MESSAGES as OPS
from shared.web.pages.i18n import Catalog
from shared.web.pages.messages import MESSAGES as SHARED
from triage.usd_pages.messages import MESSAGES as USD


def test_a_key_defined_again_with_another_text_is_refused_by_name() -> None:
    catalog = Catalog()
    catalog.add({"nl": {"outcome.not_reached": "niet bereikt"}, "en": {"outcome.not_reached": "x"}})
    with pytest.raises(ValueError, match=r"outcome\.not_reached"):
        catalog.add(
            {"nl": {"outcome.not_reached": "Niet bereikt"}, "en": {"outcome.not_reached": "x"}}
        )


def test_a_key_defined_again_with_the_same_text_is_fine() -> None:
    catalog = Catalog()
    same = {"nl": {"k": "tekst"}, "en": {"k": "text"}}
    catalog.add(same)
    catalog.add(same)
    assert catalog.translator("nl")("k") == "tekst"


def test_every_page_package_of_the_embedded_service_fits_in_one_catalogue() -> None:
    catalog = Catalog()
    for messages in (SHARED, OPS, USD):
        catalog.add(messages)
    assert catalog.translator("nl")("outcome.not_reached") == "Niet bereikt"
    assert catalog.translator("en")("outcome.not_reached") == "Not reached"
