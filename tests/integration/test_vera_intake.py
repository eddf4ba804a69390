"""VERA intake (CONTRACT §11): a Signalering, written from Aedes' Relaties 4.3.0 schema and its
code lists, is stored as the signal it means and answered as POST /v1/signals is.
Embedded and PostgreSQL + Kafka."""

from __future__ import annotations

import random
import uuid
from typing import Any

from shared.settings import Settings
from signal_ingest.domain.vera import signal_id_for
from tests.harness import running
from tests.integration.test_triage_flow import case_of

JSON = {"Content-Type": "application/json"}
URL = "/v1/vera/signaleringen"


def signalering(soort: str, detail: str | None, **extension: Any) -> dict[str, Any]:
    """As a corporation's VERA system sends it: keys, codes (referentiedata), dates in UTC."""
    body: dict[str, Any] = {
        "idExtern": f"SIG-{uuid.uuid4().hex[:12]}",
        "soort": {"code": soort, "naam": "Schulden" if soort == "SCH" else soort},
        "status": {"code": "ACT", "naam": "Actief"},
        "begindatum": "2026-11-02T08:00:00Z",
        "adres": {
            "postcode": "1402AB",
            "huisnummer": str(random.randint(1, 99_999)),
            "huisletter": "B",
            "woonplaats": {"naam": "Bussum"},
        },
        "relatie": {"code": "HUUR-000456"},
        "vroegsignaal": {"minors": 1, "adults": 2, **extension},
    }
    if detail is not None:
        body["detailSoort"] = {"code": detail}
    return body


def as_signal(body: dict[str, Any]) -> dict[str, Any]:
    """The §2 signal the Signalering means (for finding its case)."""
    address = body["adres"]
    return {
        "household": {
            "address": {
                "postcode": address["postcode"],
                "house_number": int(address["huisnummer"]),
                "house_number_addition": address.get("huisletter"),
            }
        }
    }


async def test_signaleringen_are_stored_as_the_signals_they_mean(
    stack: Settings, unique: str
) -> None:
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        arrears = signalering("SCH", "BET", details={"amount_eur": 980.0})
        response = await vs.client.post(URL, json=arrears, headers=corp)
        assert response.status_code == 202, response.text
        accepted = response.json()
        assert accepted["status"] == "accepted"
        assert accepted["id"] == signal_id_for(arrears["idExtern"])
        assert accepted["links"]["self"] == f"/v1/signals/{accepted['id']}"

        again = await vs.client.post(URL, json=arrears, headers=corp)
        assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (200, "true")
        assert again.json() == accepted
        changed = {**arrears, "vroegsignaal": {"details": {"amount_eur": 1200.0}}}
        assert (await vs.client.post(URL, json=changed, headers=corp)).status_code == 409

        shown = await vs.client.get(accepted["links"]["self"], headers=corp)
        assert shown.json()["type"] == "rent_arrears"
        case = await case_of(vs, as_signal(arrears))
        [signal] = case["signals"]
        assert signal["type"] == "rent_arrears"
        assert signal["details"]["amount_eur"] == 980.0
        assert case["minors"] == 1
        assert case["household"]["address"]["house_number_addition"] == "B"
        assert case["household"]["tenant_reference"] == "HUUR-000456"

        for soort, detail, expected, details in (
            ("ONE", "HEN", "drugs", {"category": "cannabis_cultivation", "stage": "reported"}),
            ("OVE", "GEL", "nuisance", {"category": "noise", "severity": "medium"}),
            ("ONE", "VER", "pollution", {"severity": "medium"}),
        ):
            body = signalering(soort, detail)
            posted = await vs.client.post(URL, json=body, headers=corp)
            assert posted.status_code == 202, (soort, detail, posted.text)
            [stored] = (await case_of(vs, as_signal(body)))["signals"]
            assert (stored["type"], stored["details"]) == (expected, details)


async def test_what_cannot_be_mapped_or_is_missing_is_a_422_naming_it(
    stack: Settings, unique: str
) -> None:
    async with running(stack, workers=False) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}

        unknown = await vs.client.post(URL, json=signalering("ONE", "OND"), headers=corp)
        assert unknown.status_code == 422
        assert unknown.headers["content-type"].startswith("application/problem+json")
        problem = unknown.json()
        assert "SIGNALERINGDETAILSOORT 'OND'" in problem["detail"]
        assert problem["unmapped_codes"] == ["SIGNALERINGDETAILSOORT 'OND'"]
        assert [e["field"] for e in problem["errors"]] == ["detailSoort.code"]

        wrong_parent = await vs.client.post(URL, json=signalering("OVE", "HEN"), headers=corp)
        assert wrong_parent.status_code == 422
        assert wrong_parent.json()["unmapped_codes"] == [
            "SIGNALERINGSOORT 'OVE'",
            "SIGNALERINGDETAILSOORT 'HEN'",
        ]
        no_soort = await vs.client.post(URL, json=signalering("WAN", None), headers=corp)
        assert no_soort.json()["unmapped_codes"] == ["SIGNALERINGSOORT 'WAN'"]

        no_amount = await vs.client.post(URL, json=signalering("SCH", "BET"), headers=corp)
        assert no_amount.status_code == 422
        assert "vroegsignaal.details.amount_eur" in [e["field"] for e in no_amount.json()["errors"]]

        bad = signalering("SCH", "DEU", details={"amount_eur": 10.0})
        bad["adres"]["postcode"] = "ABCD 12"
        bad["begindatum"] = "2099-01-01T00:00:00Z"
        fields = {
            e["field"] for e in (await vs.client.post(URL, json=bad, headers=corp)).json()["errors"]
        }
        assert {"adres.postcode", "begindatum"} <= fields

        uri = signalering("SCH", "BET", details={"amount_eur": 10.0})
        uri["adres"] = "https://vastgoed.vera.io/adressen/123"
        refused = await vs.client.post(URL, json=uri, headers=corp)
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["adres"]

        keyless = signalering("SCH", "BET", details={"amount_eur": 10.0})
        del keyless["idExtern"]
        assert [
            e["field"]
            for e in (await vs.client.post(URL, json=keyless, headers=corp)).json()["errors"]
        ] == ["idExtern"]

        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read")}
        body = signalering("SCH", "BET", details={"amount_eur": 10.0})
        assert (await vs.client.post(URL, json=body, headers=usd)).status_code == 403
