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


def test_a_signalering_becomes_the_signal_it_means() -> None:
    from signal_ingest.domain.signal import parse_signal
    from signal_ingest.domain.vera import VeraAddress, signal_body, signal_id_for

    address = VeraAddress("1402AB", "12", "A", "bis", "Bussum")
    body = signal_body(
        "SIG-1", "ONE", "HEN", "2026-11-02T08:00:00Z", address, "HUUR-1", {"minors": 0}
    )
    assert not isinstance(body, Unmappable)
    signal = parse_signal(body)
    assert signal.type == "drugs"
    assert body["details"] == {"category": "cannabis_cultivation", "stage": "reported"}
    assert body["household"]["address"]["house_number_addition"] == "A-bis"
    assert body["id"] == signal_id_for("SIG-1") != signal_id_for("SIG-2")
    uuid_key = "6f1c2b1e-6a55-4f0e-9a57-2a4f7f9d1c11"
    assert signal_id_for(uuid_key) == uuid_key
    later = signal_body(
        "SIG-1",
        "ONE",
        "HEN",
        "2026-11-02T08:00:00Z",
        address,
        None,
        {"details": {"stage": "warning"}},
    )
    assert not isinstance(later, Unmappable)
    assert later["details"]["stage"] == "warning"  # the extension says more than VERA can


def test_our_field_names_read_as_the_signalering_s() -> None:
    from signal_ingest.domain.vera import vera_field

    assert vera_field("details.amount_eur") == "vroegsignaal.details.amount_eur"
    assert vera_field("household.address.house_number") == "adres.huisnummer"
    assert vera_field("household.minors") == "vroegsignaal.minors"
    assert vera_field("occurred_at") == "begindatum"
    assert vera_field("identifier") == "identifier"
