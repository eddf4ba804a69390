"""The published policy file loads, keeps the CONTRACT's defaults, and broken files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.domain.errors import PolicyError
from triage.domain.policy import DeadlineRule, default_policy_path, load_policy

REPO = Path(__file__).resolve().parents[3]
DEFAULT_TEXT = (REPO / "deploy" / "policy" / "default.toml").read_text(encoding="utf-8")


def test_default_policy_is_the_published_file() -> None:
    assert default_policy_path().resolve() == REPO / "deploy" / "policy" / "default.toml"
    policy = load_policy(default_policy_path())
    assert policy.version == "2026.3"
    assert policy.children.has_minors_points > 0
    assert 0 <= policy.children.unknown_points <= policy.children.has_minors_points
    assert policy.rent_arrears.typical_monthly_rent_eur == 700.0
    assert policy.routing[-1].team == "wijkteam"


def test_default_deadlines_match_the_contract() -> None:
    deadlines = load_policy(default_policy_path()).deadlines
    assert deadlines.critical == DeadlineRule(1, "working_days")
    assert deadlines.high == DeadlineRule(3, "calendar_days")
    assert deadlines.medium == DeadlineRule(10, "working_days")
    assert deadlines.low == DeadlineRule(20, "working_days")


def broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in DEFAULT_TEXT, old
    path = tmp_path / "broken.toml"
    path.write_text(DEFAULT_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('version = "2026.3"', "", "'version' is missing"),
        ("has_minors_points = 15", "", "'children.has_minors_points' is missing"),
        ("has_minors_points = 15", "has_minors_points = 0", "'children.has_minors_points'"),
        ("unknown_points = 8", "unknown_points = -1", "'children.unknown_points'"),
        ("critical = 70", 'critical = "seventy"', "'priority_bands.critical'"),
        ("high = 45", "high = 80", "'priority_bands.critical' must be above high"),
        ("min_months = 2.0, points = 20", "min_months = 2.0, points = 2", "'rent_arrears.bands'"),
        ("aggression_points = 10", "agression_points = 10", "'nuisance.aggression_points'"),
        ("aggression_points = 10", "aggression_points = 10\ncolour = 1", "'nuisance.colour'"),
        ('priority = "high"', 'priority = "urgent"', "'priority_floor[1].priority'"),
        ('team = "wijkteam"', 'team = "wijkteam"\npriorities = ["low"]', "'routing'"),
        ('end_of_day = "17:00"', 'end_of_day = "5pm"', "'deadlines.end_of_day'"),
        ('unit = "calendar_days"', 'unit = "days"', "'deadlines.high.unit'"),
        ("{ min_months = 1.0, points = 12 }", '"one"', "'rent_arrears.bands[1]'"),
        ("minors_unknown = true", 'minors_unknown = "yes"', "'priority_floor[2].minors_unknown'"),
        (
            'code = "EVICTION_MINORS_UNKNOWN"',
            'code = "EVICTION_MINORS_UNKNOWN"\nminors_at_least = 1',
            "'priority_floor[2].minors_unknown' cannot be combined",
        ),
        ('types = ["drugs"]', 'types = ["drugs", "nuisance"]', "'priority_floor[3].stages'"),
        ('stages = ["warning"', 'stages = ["sluiting"', "'priority_floor[3].stages'"),
    ],
)
def test_broken_policy_names_the_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    with pytest.raises(PolicyError) as raised:
        load_policy(broken(tmp_path, old, new))
    assert key in str(raised.value)


def test_invalid_toml_and_missing_file_are_policy_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(broken(tmp_path, "version =", "version"))
    with pytest.raises(PolicyError, match="cannot be read"):
        load_policy(tmp_path / "absent.toml")
