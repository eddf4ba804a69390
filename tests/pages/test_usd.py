"""The USD's pages in-process (CONTRACT §9): the worklist in the API's order with filters, the
case page's forms changing the case through the same rules as the API, refusals in plain words
(never a 500), and contact data shown only through an audited "show"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.processes import INGEST, NOTIFIER, TRIAGE
from shared.audit.tables import audit_log
from tests.conftest import SettingsFactory
from tests.e2e.process import eventually
from tests.harness import Harness, running
from tests.integration.test_families import eviction_order
from tests.integration.test_shelter import shelter_file
from tests.pages.session import csrf_token, new_key, origin, sign_in
from tests.signals import PII, rent_arrears
from triage.domain.deadlines import AMSTERDAM
from triage.usd_pages import routes

JSON = {"Content-Type": "application/json"}
ROW = re.compile(r'data-case="([0-9a-f-]{36})"')
FREE = re.compile(r'<th scope="row">([^<]+)</th><td>([^<]+)</td><td class="num">(\d+) van')


def free_places(page: httpx.Response) -> dict[tuple[str, str], str]:
    """The shelter table of the case page: (facility, unit kind) -> free."""
    return {(f, u): n for f, u, n in FREE.findall(page.text)}


async def open_cases(vs: Harness, count: int, **query: str) -> list[dict[str, Any]]:
    """The API's worklist, once triage has made `count` cases."""
    usd = await vs.key("usd-api", "cases:read")

    async def listed() -> list[dict[str, Any]] | None:
        answer = await vs.client.get("/v1/cases", params=query, headers=usd)
        items: list[dict[str, Any]] = answer.json()["items"]
        return items if len(items) >= count else None

    return await eventually(listed, 30)


async def with_cases(vs: Harness, unique: str) -> list[dict[str, Any]]:
    corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
    for signal in (rent_arrears(amount=300, minors=0), eviction_order(12), rent_arrears()):
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).is_success
    return await open_cases(vs, 3)


async def usd_worker(vs: Harness, unique: str, scopes: str = "cases:read,cases:write") -> None:
    key = await new_key(vs, f"usd-{unique}", scopes)
    assert (await sign_in(vs.client, key, "/usd")).headers["location"] == "/usd"


async def post_form(
    vs: Harness, page: httpx.Response, action: str, data: dict[str, str]
) -> httpx.Response:
    return await vs.client.post(
        action, data={**data, "csrf_token": csrf_token(page)}, headers=origin(vs.client)
    )


async def test_the_worklist_is_the_apis_open_cases_in_its_order_and_only_when_signed_in(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings()) as vs:
        api_cases = await with_cases(vs, unique)
        anonymous = await vs.client.get("/usd")
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")

        await sign_in(vs.client, await new_key(vs, f"corp-only-{unique}", "signals:write"), "/usd")
        refused = await vs.client.get("/usd")
        assert refused.status_code == 403 and "cases:read" in refused.text
        assert not ROW.search(refused.text)

        await usd_worker(vs, unique)
        page = await vs.client.get("/usd")
        assert page.status_code == 200 and '<html lang="nl">' in page.text
        assert ROW.findall(page.text) == [c["id"] for c in api_cases]
        first = api_cases[0]
        assert first["priority"] == "critical" and first["team"] == "crisis"
        assert "Kritiek" in page.text and "Ontruimingsvonnis" in page.text  # reasons in Dutch
        assert "nog 12 dagen" in page.text  # the eviction countdown
        for personal in PII:
            assert personal not in page.text

        english = await vs.client.get("/usd?lang=en")
        assert "Critical" in english.text and "Eviction order" in english.text
        assert "12 days left" in english.text

        critical = await vs.client.get("/usd", params={"priority": "critical", "lang": "nl"})
        assert ROW.findall(critical.text) == [
            c["id"] for c in api_cases if c["priority"] == "critical"
        ]
        team = api_cases[-1]["team"]
        by_team = await vs.client.get("/usd", params={"team": team})
        assert ROW.findall(by_team.text) == [c["id"] for c in api_cases if c["team"] == team]
        odd = await vs.client.get("/usd", params={"priority": "x" * 5000, "cursor": "nonsense"})
        assert odd.status_code == 200 and ROW.findall(odd.text) == [c["id"] for c in api_cases]


async def test_the_case_pages_forms_change_the_case_and_return_to_it(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings()) as vs:
        case_id = (await with_cases(vs, unique))[0]["id"]  # the family facing eviction
        await usd_worker(vs, unique)
        url = f"/usd/cases/{case_id}"
        page = await vs.client.get(url)
        assert page.status_code == 200 and "Nog geen woonplan" in page.text
        assert "Gezin met ontruimingsdatum en nog geen woonplan" in page.text
        assert free_places(page)[("Vluchtheuvel (gezinsopvang)", "appartement")] == "6"
        assert "Vluchtheuvel (gezinsopvang) – appartement (6 vrij)" in page.text  # the choice

        at = datetime.now(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")  # the form's wall clock
        done = await post_form(
            vs, page, f"{url}/contact-attempts", {"channel": "phone", "reached": "no", "at": at}
        )
        assert done.status_code == 303 and done.headers["location"].startswith(f"{url}?done=")
        page = await vs.client.get(done.headers["location"])
        assert "De contactpoging is vastgelegd." in page.text and "Contact gezocht" in page.text
        assert "Contactpoging: Telefoon, niet bereikt" in page.text  # in the history
        attempt_id = re.search(r'name="id" value="([0-9a-f-]{36})"', page.text)
        assert attempt_id
        twice = {"id": attempt_id[1], "channel": "email", "reached": "yes", "at": at}
        for _ in range(2):  # a double click records it once
            done = await post_form(vs, page, f"{url}/contact-attempts", twice)
            assert done.status_code == 303

        plan = {"kind": "hov", "summary": "HOV met budgetbeheer", "starts_on": "2026-12-01"}
        done = await post_form(vs, page, f"{url}/housing-plan", plan)
        page = await vs.client.get(done.headers["location"])
        assert "Huren Onder Voorwaarden" in page.text and "HOV met budgetbeheer" in page.text
        assert "Gezin met ontruimingsdatum en nog geen woonplan" not in page.text

        today = datetime.now(UTC).date().isoformat()
        booking = {"place": "vluchtheuvel:apartment", "from": today, "until": ""}
        done = await post_form(vs, page, f"{url}/shelter-bookings", booking)
        assert done.status_code == 303, re.findall(r"<li>([^<]*)</li>", done.text)
        page = await vs.client.get(done.headers["location"])
        assert "De opvangplek is geboekt." in page.text
        assert "Geboekt: appartement in Vluchtheuvel (gezinsopvang)" in page.text
        assert free_places(page)[("Vluchtheuvel (gezinsopvang)", "appartement")] == "5"
        shelter = await vs.client.get("/v1/shelter", headers=await vs.key("r", "cases:read"))
        apartments = shelter.json()["facilities"][0]["units"][1]
        assert (apartments["kind"], apartments["free"]) == ("apartment", 5)

        booking_id = re.search(r"/shelter-bookings/([0-9a-f-]{36})/release", page.text)
        assert booking_id
        done = await post_form(vs, page, f"{url}/shelter-bookings/{booking_id[1]}/release", {})
        page = await vs.client.get(done.headers["location"])
        assert "De opvangplek is vrijgegeven." in page.text
        assert free_places(page)[("Vluchtheuvel (gezinsopvang)", "appartement")] == "6"

        done = await post_form(vs, page, f"{url}/outcome", {"outcome": "help_accepted"})
        page = await vs.client.get(done.headers["location"])
        assert "Gesloten: Hulp aanvaard" in page.text and 'id="contact"' not in page.text
        assert "Zaak gesloten: Hulp aanvaard" in page.text
        api = await vs.client.get(f"/v1/cases/{case_id}", headers=await vs.key("r2", "cases:read"))
        assert (api.json()["status"], api.json()["outcome"]) == ("closed", "help_accepted")
        assert [a["channel"] for a in api.json()["contact_attempts"]] == ["phone", "email"]
        assert ROW.findall((await vs.client.get("/usd")).text).count(case_id) == 0
        english = (await vs.client.get(f"{url}?lang=en")).text
        assert "Closed: Help accepted" in english and "Supported tenancy" in english
        assert "Eviction order (judgment 2026-11-05" in english  # the reason as scored


async def test_bad_input_is_refused_in_plain_words_and_changes_nothing(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings()) as vs:
        case_id = (await with_cases(vs, unique))[0]["id"]
        await usd_worker(vs, unique)
        url = f"/usd/cases/{case_id}"
        page = await vs.client.get(url)
        future = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        tries = [
            ("contact-attempts", {}, "Kies hoe u contact hebt gezocht."),
            (
                "contact-attempts",
                {"channel": "phone", "reached": "no", "at": future},
                "Een contactpoging kan niet in de toekomst liggen.",
            ),
            (
                "contact-attempts",
                {"channel": "pigeon", "reached": "maybe", "at": "9999-99-99"},
                "Vul een geldige datum en tijd in.",
            ),
            (
                "contact-attempts",
                {"channel": "phone", "reached": "yes", "at": "0001-01-01T00:00"},
                "Vul een geldige datum en tijd in.",
            ),
            (
                "contact-attempts",
                {"id": "not-a-uuid", "channel": "phone", "reached": "no", "at": "2026-11-30T10:00"},
                "Het formulier is niet goed aangekomen.",
            ),
            ("housing-plan", {"kind": ""}, "Kies een soort woonplan."),
            (
                "housing-plan",
                {"kind": "hov", "summary": "x" * 20_000},
                "De toelichting mag hoogstens 500 tekens hebben.",
            ),
            (
                "housing-plan",
                {"kind": "hov", "summary": "bel 06 1234 5678"},
                "Zet geen e-mailadres of telefoonnummer in de toelichting",
            ),
            (
                "housing-plan",
                {"kind": "hov", "starts_on": "99999-01-01"},
                "Vul een geldige ingangsdatum in",
            ),
            ("shelter-bookings", {"place": "", "from": ""}, "Kies een opvangplek."),
            (
                "shelter-bookings",
                {"place": "castle:tower", "from": "2026-12-01"},
                "Kies een opvangplek.",
            ),
            (
                "shelter-bookings",
                {"place": "hotel:room", "from": "2026-12-09", "until": "2026-12-01"},
                "niet vóór de begindatum",
            ),
            ("outcome", {"outcome": "resolved"}, "Kies een resultaat."),
        ]
        for action, data, message in tries:
            answer = await post_form(vs, page, f"{url}/{action}", data)
            assert answer.status_code == 422, (action, data, answer.text[:300])
            assert message in answer.text, (action, data)
            assert 'role="alert"' in answer.text
            assert ('aria-invalid="true"' in answer.text) is ("id" not in data)  # a hidden field
        api = await vs.client.get(f"/v1/cases/{case_id}", headers=await vs.key("r", "cases:read"))
        body = api.json()
        assert body["status"] == "open" and body["contact_attempts"] == []
        assert body["housing_plan"] is None and body["shelter_booking"] is None

        missing = await vs.client.get("/usd/cases/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404 and "bestaat niet" in missing.text
        read_only = await new_key(vs, f"reader-{unique}", "cases:read")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=vs.app), base_url="http://vs.test"
        ) as other:
            await sign_in(other, read_only, url)
            reader_page = await other.get(url)
            assert "cases:write ontbreekt" in reader_page.text
            refused = await other.post(
                f"{url}/outcome",
                data={"outcome": "help_accepted", "csrf_token": csrf_token(reader_page)},
                headers=origin(other),
            )
            assert refused.status_code == 403
        transport = httpx.ASGITransport(app=vs.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://vs.test") as anonymous:
            signed_out = await anonymous.post(
                f"{url}/outcome", data={"outcome": "help_accepted"}, headers=origin(anonymous)
            )
            assert signed_out.status_code == 303
            assert signed_out.headers["location"].startswith("/signin")
        stranger = await vs.client.post(
            f"{url}/outcome",
            data={"outcome": "help_accepted", "csrf_token": csrf_token(page)},
            headers={"Origin": "http://attacker.test"},
        )
        assert stranger.status_code == 403
        still = await vs.client.get(
            f"/v1/cases/{case_id}", headers=await vs.key("r3", "cases:read")
        )
        assert still.json()["status"] == "open"


async def test_contact_data_shows_only_on_the_show_action_and_each_showing_is_audited(
    make_settings: SettingsFactory, unique: str
) -> None:
    async with running(make_settings()) as vs:
        case_id = (await with_cases(vs, unique))[0]["id"]
        await usd_worker(vs, unique, "cases:read")

        async def reads() -> int:
            async with vs.runtime.engine.connect() as conn:
                query = select(func.count()).where(
                    audit_log.c.action == "contact_data.shown",
                    audit_log.c.subject == case_id,
                    audit_log.c.details.contains('"page"'),
                )
                return int(await conn.scalar(query) or 0)

        url = f"/usd/cases/{case_id}"
        page = await vs.client.get(url)
        assert all(personal not in page.text for personal in PII)
        assert await reads() == 0
        for shown in (1, 2):
            answer = await post_form(vs, page, f"{url}/contact-data", {})
            assert answer.status_code == 200
            assert all(personal in answer.text for personal in PII)
            assert await reads() == shown
        again = (await vs.client.get(url)).text
        assert all(personal not in again for personal in PII)
        no_token = await vs.client.post(f"{url}/contact-data", headers=origin(vs.client))
        assert no_token.status_code == 403 and PII[0] not in no_token.text
        assert await reads() == 2


async def test_the_usd_pages_come_with_the_case_api_only(make_settings: SettingsFactory) -> None:
    for process, served in ((TRIAGE, True), (INGEST, False), (NOTIFIER, False)):
        async with running(make_settings(), process.app, workers=False) as vs:
            answer = await vs.client.get("/usd")
            assert (answer.status_code == 303) is served, process.title
            home = (await vs.client.get("/")).text
            assert ('href="/usd"' in home) is served, process.title


async def test_a_full_shelter_unit_is_refused_with_where_there_is_room(
    make_settings: SettingsFactory, tmp_path: Path, unique: str
) -> None:
    settings = make_settings(shelter_file=shelter_file(tmp_path, unique, places=1))
    async with running(settings) as vs:
        api_cases = await with_cases(vs, unique)
        await usd_worker(vs, unique)
        today = datetime.now(UTC).date().isoformat()
        place = {"place": f"vh-{unique}:place", "from": today}
        first, second = (f"/usd/cases/{c['id']}" for c in api_cases[:2])
        page = await vs.client.get(first)
        assert f"Vluchtheuvel {unique} – plaats (1 vrij)" in page.text
        assert (await post_form(vs, page, f"{first}/shelter-bookings", place)).status_code == 303
        page = await vs.client.get(second)
        assert f"Vluchtheuvel {unique} – plaats (vol)" in page.text
        full = await post_form(vs, page, f"{second}/shelter-bookings", place)
        assert full.status_code == 422
        assert f"Er is geen plaats vrij in Vluchtheuvel {unique}." in full.text
        assert f"Wel ruimte: Vluchtheuvel {unique} (appartement), Hotel {unique} (kamer)." in (
            full.text
        )


async def test_the_worklist_pages_on_in_the_apis_order(
    make_settings: SettingsFactory, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes, "PAGE_SIZE", 2)
    async with running(make_settings()) as vs:
        api_cases = await with_cases(vs, unique)
        await usd_worker(vs, unique)
        page = await vs.client.get("/usd")
        more = re.search(r'<a href="(/usd\?cursor=[^"]+)">Volgende zaken</a>', page.text)
        assert more and "er zijn er meer" in page.text
        rest = await vs.client.get(more[1].replace("&amp;", "&"))
        shown = ROW.findall(page.text) + ROW.findall(rest.text)
        assert shown == [c["id"] for c in api_cases]
