"""DDAS (CONTRACT §11) end to end: DDAS contact kinds, dagdeel and Eindresultaat codes are taken
beside our words, and `vroegsignaal export ddas` writes a month that validates against the v1.2
schema with no more personal data than it asks for. Embedded and PostgreSQL + Kafka."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator

from shared.settings import Settings
from tests.e2e.test_cli import cli
from tests.harness import running
from tests.integration.test_triage_flow import case_of
from tests.signals import PII, rent_arrears
from triage.domain.deadlines import local_date

JSON = {"Content-Type": "application/json"}
SCHEMA = json.loads(Path("triage/standards/ddas_uitwisselmodel_v1_2.schema.json").read_text())


def env_of(settings: Settings, **more: str) -> dict[str, str]:
    env = {"VS_PII_KEY": settings.pii_key or "", **more}
    if settings.database_url:
        env["VS_DATABASE_URL"] = settings.database_url
    if settings.keystore_url:  # the test's own key store (the database is shared)
        env["VS_KEYSTORE_URL"] = settings.keystore_url
    return env


async def test_ddas_words_are_taken_and_the_month_exports_as_a_valid_uitwisselmodel(
    stack: Settings, unique: str, tmp_path: Path
) -> None:
    signal = rent_arrears(amount=1380.5)
    async with running(stack) as vs:
        corp = {**JSON, **await vs.key(f"corp-{unique}", "signals:write")}
        usd = {**JSON, **await vs.key(f"usd-{unique}", "cases:read,cases:write")}
        assert (await vs.client.post("/v1/signals", json=signal, headers=corp)).status_code == 202
        case = await case_of(vs, signal)
        url = f"/v1/cases/{case['id']}"
        now = datetime.now(UTC).isoformat()
        card = {"channel": "Kaartje", "reached": False, "at": now, "dagdeel": "Avond"}
        phone = {"channel": "phone", "reached": True, "at": now}
        for attempt in (card, phone):
            response = await vs.client.post(f"{url}/contact-attempts", json=attempt, headers=usd)
            assert response.status_code == 201, response.text
        wrong = {"channel": "Duif", "reached": False, "at": now}
        assert (
            await vs.client.post(f"{url}/contact-attempts", json=wrong, headers=usd)
        ).status_code == 422
        code = "Vervolghulp en/of verwijzing financieel"
        closed = await vs.client.post(f"{url}/outcome", json={"outcome": code}, headers=usd)
        assert closed.status_code == 200, closed.text
        document = closed.json()
    assert (document["outcome"], document["ddas_result"]) == ("help_accepted", code)
    attempts = [(a["channel"], a["kind"], a["dagdeel"]) for a in document["contact_attempts"]]
    assert attempts[0] == ("letter", "Kaartje", "Avond")
    assert attempts[1][:2] == ("phone", "Telefoon")

    month = local_date(datetime.now(UTC)).strftime("%Y-%m")
    out = tmp_path / "ddas.json"
    env = env_of(stack, VS_MUNICIPALITY_CODE="1942", VS_MUNICIPALITY_NAME="Gooise Meren")
    exported = cli(
        "export", "ddas", "--month", month, "--output", str(out), data=stack.data_dir, **env
    )
    assert exported.returncode == 0, exported.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    model: dict[str, Any] = orjson.loads(text)
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(model)] == []
    [levering] = model["leveringen"]
    assert levering["gemeentecode"] == "1942"
    mine = next(s for s in levering["vroegsignalen"] if s["ID"] == signal["id"])
    address = signal["household"]["address"]
    assert mine["signaalpartner"] == {"type": "Huur"}
    assert mine["client"] == {
        "postcode": address["postcode"].replace(" ", ""),
        "huisnummer": str(address["house_number"]),
    }
    assert (mine["bedrag"], mine["status"]) == (1381, "Opgepakt")
    zaak = next(
        z for z in levering["vroegsignaalzaken"] if {"ID": signal["id"]} in z["vroegsignalen"]
    )
    assert zaak["resultaat"] == code
    first = zaak["contactpogingen"][0]
    assert (first["soort"], first["dagdeel"]) == ("Kaartje", "Avond")
    for personal in (*PII, "Bussum", "HUUR-0000"):
        assert personal not in text

    to_stdout = cli("export", "ddas", "--month", month, data=stack.data_dir, **env)
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert orjson.loads(to_stdout.stdout)["startdatumLevering"] == f"{month}-01"
    audit = cli("audit", "export", data=stack.data_dir, **env)
    exports = [
        e for e in map(orjson.loads, audit.stdout.splitlines()) if e["action"] == "ddas.exported"
    ]
    assert exports[-1]["subject"] == month and exports[-1]["actor"]["kind"] == "cli"
    assert exports[-1]["details"]["signals"] == len(levering["vroegsignalen"])


def test_export_refuses_a_bad_month_and_a_missing_municipality(tmp_path: Path) -> None:
    data = tmp_path / "var"
    bad = cli("export", "ddas", "--month", "2026-00", data=data, VS_MUNICIPALITY_CODE="1942")
    assert bad.returncode == 2 and "month" in bad.stderr and "Traceback" not in bad.stderr
    unnamed = cli("export", "ddas", "--month", "2026-11", data=data)
    assert unnamed.returncode == 2 and "VS_MUNICIPALITY_CODE" in unnamed.stderr
