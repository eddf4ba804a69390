"""`policy explain` and `policy register` say what the active policy does, from its values."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from triage.domain.algorithm_register import (
    CODE_PLACEHOLDER,
    NAME_PLACEHOLDER,
    REQUIRED_KEYS,
    PolicyFile,
    register_entry,
    register_markdown,
)
from triage.domain.policy import ScoringPolicy, default_policy_path, load_policy, parse_policy
from triage.domain.policy_explain import explain_policy, family_rule_checks
from triage.domain.policy_reader import TomlTable

DEFAULT = default_policy_path()
VERSION = tomllib.loads(DEFAULT.read_text())["version"]
SOURCE = PolicyFile("default.toml", "ab" * 32)


def edited(tmp_path: Path, old: str, new: str) -> ScoringPolicy:
    """A copy of the published policy with one line changed, as a municipality would edit it."""
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text
    copy = tmp_path / "policy.toml"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_policy(copy)


def restructured(change: Any) -> ScoringPolicy:
    raw = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    change(raw)
    return parse_policy(TomlTable(raw, "", "test.toml"))


@pytest.mark.parametrize(
    ("old", "new", "nl", "en"),
    [
        (
            "has_minors_points = 15",
            "has_minors_points = 23",
            "kind onder 18: 23 punten",
            "under 18: 23 points",
        ),
        (
            "executed_points = 70",
            "executed_points = 71",
            "ontruiming: 71 punten",
            "eviction: 71 points",
        ),
        ("critical = 70", "critical = 77", "kritiek: vanaf 77 punten", "critical: from 77 points"),
        (
            "unknown_points = 8",
            "unknown_points = 9",
            "MINORS_UNKNOWN): 9 punten",
            "MINORS_UNKNOWN): 9 points",
        ),
        ('end_of_day = "17:00"', 'end_of_day = "16:30"', "om 16:30 uur", "ends at 16:30"),
        ('team = "schuldhulp"', 'team = "geldzorg"', "team geldzorg", "team geldzorg"),
        (f'version = "{VERSION}"', 'version = "2027.2"', "versie 2027.2", "version 2027.2"),
    ],
)
def test_a_changed_value_shows_in_the_explanation(
    tmp_path: Path, old: str, new: str, nl: str, en: str
) -> None:
    policy = edited(tmp_path, old, new)
    assert nl in explain_policy(policy)
    assert en in explain_policy(policy, "en")
    assert nl not in explain_policy(load_policy(DEFAULT))


def test_the_explanation_is_dutch_by_default_and_says_why_children_weigh() -> None:
    text = explain_policy(load_policy(DEFAULT))
    assert "Kinderombudsman" in text and "Nationale ombudsman" in text
    assert "nooit voor kinderen" in text
    assert "eerste dag" in text and "Wgs" in text
    assert "team crisis" in text and "team wijkteam" in text
    english = explain_policy(load_policy(DEFAULT), "en")
    assert "never for children" in english and "Kinderombudsman" not in english


def test_a_longer_high_deadline_than_the_wgs_allows_is_flagged(tmp_path: Path) -> None:
    policy = edited(
        tmp_path,
        'high = { amount = 3, unit = "calendar_days" }',
        'high = { amount = 3, unit = "working_days" }',
    )
    assert "LET OP: langer dan de Wgs-termijn" in explain_policy(policy)
    assert "LET OP" not in explain_policy(load_policy(DEFAULT))


def test_family_rules_are_checked_against_the_policy_not_asserted() -> None:
    default = {c.prop: c.holds for c in family_rule_checks(load_policy(DEFAULT))}
    assert default[1] and default[2] and default[3]

    def without_children_floor(raw: dict[str, Any]) -> None:
        raw["priority_floor"] = [f for f in raw["priority_floor"] if "minors_at_least" not in f]

    weaker = restructured(without_children_floor)
    assert not {c.prop: c.holds for c in family_rule_checks(weaker)}[3]
    assert "[GELDT NIET in dit beleid] 3." in explain_policy(weaker)

    def every_eviction_critical(raw: dict[str, Any]) -> None:
        for floor in raw["priority_floor"]:
            floor["priority"] = "critical"

    stricter = restructured(every_eviction_critical)
    assert {c.prop: c.holds for c in family_rule_checks(stricter)}[8]
    assert "[geldt] 8." in explain_policy(stricter)


def test_the_register_entry_has_every_field_of_the_register() -> None:
    entry = register_entry(load_policy(DEFAULT), SOURCE, "Gooise Meren", "1942")
    assert set(REQUIRED_KEYS) <= set(entry)
    assert all(entry[key] for key in REQUIRED_KEYS)
    assert entry["organisation"] == {"name": "Gooise Meren", "code": "1942"}
    assert entry["version_history"] == [
        {
            "version": VERSION,
            "status": "actief",
            "policy_file": "default.toml",
            "sha256": "ab" * 32,
        }
    ]
    assert {law["law"].split(",")[0] for law in entry["legal_basis"]} >= {
        "Wet gemeentelijke schuldhulpverlening (Wgs)",
        "AVG art. 6 lid 1 sub e",
    }
    assert all(set(item) == {"category", "used_for_score"} for item in entry["data_used"])
    assert "beslist" in entry["human_intervention"]
    risks = " ".join(r["risk"] + r["mitigation"] for r in entry["risks_and_mitigations"])
    assert "per wijk" in risks and "RANDOM_SAMPLE" in risks


def test_the_register_entry_says_what_is_still_to_be_filled_in() -> None:
    entry = register_entry(load_policy(DEFAULT), SOURCE)
    assert entry["organisation"] == {"name": NAME_PLACEHOLDER, "code": CODE_PLACEHOLDER}
    assert "VS_MUNICIPALITY_NAME" in register_markdown(entry)


def test_the_register_follows_the_policy(tmp_path: Path) -> None:
    policy = edited(tmp_path, "critical = 70", "critical = 66")
    entry = register_entry(policy, SOURCE)
    assert "kritiek vanaf 66" in entry["methods_and_models"]
    markdown = register_markdown(entry)
    for heading in (
        "Doel en impact",
        "Wettelijke grondslag",
        "Gebruikte gegevens",
        "Menselijke tussenkomst",
        "Risico's en maatregelen",
        "Versiegeschiedenis",
    ):
        assert f"## {heading}" in markdown
