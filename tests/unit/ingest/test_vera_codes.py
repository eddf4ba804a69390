import pytest

from signal_ingest.domain.vera import Unmappable, map_codes


@pytest.mark.parametrize(
    ("soort", "detail", "expected"),
    [
        ("SCH", "BET", "rent_arrears"),
        ("SCH", "DEU", "rent_arrears"),
        ("OVE", "GEL", "nuisance"),
        ("AGR", "FYS", "nuisance"),
        ("AGR", "SCH", "nuisance"),
        ("ONE", "VER", "pollution"),
        ("OVE", "VER", "pollution"),
        ("ONE", "HEN", "drugs"),
        ("ONE", "DRU", "drugs"),
        ("SCH", None, "rent_arrears"),
    ],
)
def test_vera_codes_map_to_our_signal_types(soort: str, detail: str | None, expected: str) -> None:
    mapped = map_codes(soort, detail)
    assert not isinstance(mapped, Unmappable)
    assert mapped[0] == expected


def test_unmappable_codes_are_named() -> None:
    assert map_codes("ONE", "OND") == Unmappable(("SIGNALERINGDETAILSOORT 'OND'",))
    assert map_codes("WAN", None) == Unmappable(("SIGNALERINGSOORT 'WAN'",))
    assert map_codes("OVE", "HEN") == Unmappable(
        ("SIGNALERINGSOORT 'OVE'", "SIGNALERINGDETAILSOORT 'HEN'")
    )
