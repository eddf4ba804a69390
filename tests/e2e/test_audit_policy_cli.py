"""`vroegsignaal audit export|verify` and `policy explain|register` as an operator runs them."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import orjson

from tests.e2e.test_cli import cli
from triage.domain.algorithm_register import REQUIRED_KEYS
from triage.domain.policy import default_policy_path, load_policy

POLICY_VERSION = load_policy(default_policy_path()).version


def keys_made_and_revoked(data: Path) -> str:
    made = [
        cli("keys", "create", "--source", source, "--scopes", "cases:read", data=data)
        for source in ("usd-gooise-meren", "usd-huizen", "usd-blaricum")
    ]
    assert all(m.returncode == 0 for m in made), made[0].stderr
    key = made[0].stdout.strip().splitlines()[-1]
    assert cli("keys", "revoke", key.split("_")[1], data=data).returncode == 0
    return key


def test_export_shows_each_key_created_and_revoked_and_verify_passes(tmp_path: Path) -> None:
    data = tmp_path / "var"
    key = keys_made_and_revoked(data)
    exported = cli("audit", "export", data=data)
    assert exported.returncode == 0, exported.stderr
    lines = [orjson.loads(line) for line in exported.stdout.splitlines()]
    assert [(e["id"], e["action"], e["actor"]["kind"]) for e in lines] == [
        (1, "key.created", "cli"),
        (2, "key.created", "cli"),
        (3, "key.created", "cli"),
        (4, "key.revoked", "cli"),
    ]
    assert lines[3]["subject"] == lines[0]["subject"] == key.split("_")[1]
    assert all(len(e["hash"]) == 64 for e in lines) and key not in exported.stdout
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    later = cli("audit", "export", "--since", tomorrow, data=data)
    assert later.returncode == 0 and later.stdout == ""
    verified = cli("audit", "verify", data=data)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intact: 4 entries" in verified.stdout and lines[3]["hash"] in verified.stdout


def tamper(data: Path, statement: str) -> None:
    """What someone with the database file could do: drop the triggers, then change rows."""
    db = sqlite3.connect(data / "vroegsignaal.sqlite3")
    with db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("DROP TRIGGER audit_log_no_delete")
        db.execute(statement)
    db.close()


def test_verify_fails_on_an_edited_entry_naming_it(tmp_path: Path) -> None:
    data = tmp_path / "var"
    keys_made_and_revoked(data)
    tamper(data, "UPDATE audit_log SET actor_kind = 'system' WHERE id = 2")
    verified = cli("audit", "verify", data=data)
    assert verified.returncode == 1
    assert "BROKEN at entry 2:" in verified.stdout


def test_verify_fails_on_an_entry_deleted_from_the_middle(tmp_path: Path) -> None:
    data = tmp_path / "var"
    keys_made_and_revoked(data)
    tamper(data, "DELETE FROM audit_log WHERE id = 2")
    verified = cli("audit", "verify", data=data)
    assert verified.returncode == 1
    assert "BROKEN at entry 3: entry 2 is missing" in verified.stdout


def test_a_bad_since_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = cli("audit", "export", "--since", "vorige week", data=tmp_path / "var")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--since" in result.stderr


def test_policy_explain_reads_the_active_policy_file(tmp_path: Path) -> None:
    dutch = cli("policy", "explain", data=tmp_path / "var")
    assert dutch.returncode == 0, dutch.stderr
    assert "Kinderombudsman" in dutch.stdout and "kind onder 18: 15 punten" in dutch.stdout
    english = cli("policy", "explain", "--lang", "en", data=tmp_path / "var")
    assert "under 18: 15 points" in english.stdout
    policy = tmp_path / "policy.toml"
    text = default_policy_path().read_text(encoding="utf-8")
    policy.write_text(text.replace("has_minors_points = 15", "has_minors_points = 25"))
    edited = cli("policy", "explain", data=tmp_path / "var", VS_POLICY_FILE=str(policy))
    assert "kind onder 18: 25 punten" in edited.stdout


def test_a_broken_policy_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('version = "x"\n')
    result = cli("policy", "explain", data=tmp_path / "var", VS_POLICY_FILE=str(policy))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "policy.toml" in result.stderr


def test_policy_register_drafts_the_algoritmeregister_entry(tmp_path: Path) -> None:
    data = tmp_path / "var"
    named = {"VS_MUNICIPALITY_NAME": "Gooise Meren", "VS_MUNICIPALITY_CODE": "1942"}
    result = cli("policy", "register", "--format", "json", data=data, **named)
    assert result.returncode == 0, result.stderr
    entry = orjson.loads(result.stdout)
    assert set(REQUIRED_KEYS) <= set(entry)
    assert entry["organisation"] == {"name": "Gooise Meren", "code": "1942"}
    [version] = entry["version_history"]
    assert version["version"] == POLICY_VERSION and len(version["sha256"]) == 64
    markdown = cli("policy", "register", data=data)
    assert markdown.returncode == 0
    assert (
        markdown.stdout.startswith("# Vroegsignaal") and "VS_MUNICIPALITY_NAME" in markdown.stdout
    )
