"""Random samples of `low` cases (CONTRACT §10): the policy's `[sampling] rate` flags that share
for a human look (RANDOM_SAMPLE, 0 points), the same cases every time, replay included; and the
policy's `[retention]` months per outcome."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage.domain.decisions import AssessmentInputs, inputs_at, replay
from triage.domain.errors import PolicyError
from triage.domain.policy import SamplingPolicy, default_policy_path, load_policy
from triage.domain.policy_explain import explain_policy
from triage.domain.signals import Household, SignalFact

POLICY = load_policy(default_policy_path())
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
DEFAULT_TEXT = default_policy_path().read_text(encoding="utf-8")


def low_inputs(case_id: str) -> AssessmentInputs:
    """A household without children, a little rent arrears: scores `low`."""
    signal = SignalFact("s1", "corp", "rent_arrears", NOW, {"amount_eur": 200.0})
    return inputs_at(NOW, Household(minors=0, adults=1), [signal], NOW, case_id=case_id)


def codes(inputs: AssessmentInputs, rate: float) -> set[str]:
    policy = dataclasses.replace(POLICY, sampling=SamplingPolicy(rate))
    return set(replay(policy, inputs).reason_codes)


def test_the_rate_flags_that_share_of_low_cases_with_no_points() -> None:
    ids = [str(uuid.UUID(int=n)) for n in range(4000)]
    assert replay(POLICY, low_inputs(ids[0])).priority == "low"
    sampled = [i for i in ids if "RANDOM_SAMPLE" in codes(low_inputs(i), 0.05)]
    assert 0.035 < len(sampled) / len(ids) < 0.065
    one = replay(POLICY, low_inputs(sampled[0]))
    unsampled = replay(
        dataclasses.replace(POLICY, sampling=SamplingPolicy(0)), low_inputs(sampled[0])
    )
    assert one.score == unsampled.score and one.priority == unsampled.priority == "low"
    assert [r.points for r in one.reasons if r.code == "RANDOM_SAMPLE"] == [0]
    assert all("RANDOM_SAMPLE" in codes(low_inputs(i), 1.0) for i in ids[:50])
    assert not any("RANDOM_SAMPLE" in codes(low_inputs(i), 0.0) for i in ids[:200])


def test_the_same_case_is_always_in_or_out_and_its_replay_agrees() -> None:
    for _ in range(300):
        inputs = low_inputs(str(uuid.uuid4()))
        first = replay(POLICY, inputs)
        again = replay(POLICY, AssessmentInputs.from_json(inputs.to_json()))
        assert first == again


def test_only_low_cases_are_sampled() -> None:
    evicted = SignalFact("s2", "corp", "eviction_order", NOW, {"eviction_date": "2026-12-01"})
    for _ in range(200):
        inputs = inputs_at(NOW, Household(minors=2), [evicted], NOW, case_id=str(uuid.uuid4()))
        assert "RANDOM_SAMPLE" not in codes(inputs, 1.0)


def test_decisions_kept_before_sampling_replay_unsampled() -> None:
    stored = low_inputs(str(uuid.uuid4())).to_json()
    del stored["case_id"]
    assert "RANDOM_SAMPLE" not in codes(AssessmentInputs.from_json(stored), 1.0)


def test_the_default_policy_documents_sampling_and_retention() -> None:
    assert "[sampling]" in DEFAULT_TEXT and "RANDOM_SAMPLE" in DEFAULT_TEXT
    assert POLICY.sampling.rate == 0.05
    assert POLICY.retention.months_for("help_accepted") == 24
    assert POLICY.retention.months_for("not_reached") == 12
    assert POLICY.retention.months_for("resolved") == 12
    explained = explain_policy(POLICY, "en")
    assert "RANDOM_SAMPLE" in explained and "5% of the low-priority cases" in explained
    assert "help_accepted: 24 months" in explained
    assert "5% van de zaken met prioriteit laag" in explain_policy(POLICY, "nl")


def test_retention_defaults_when_the_policy_names_no_months(tmp_path: Path) -> None:
    start = DEFAULT_TEXT.index("[retention]")
    path = tmp_path / "p.toml"
    path.write_text(DEFAULT_TEXT[:start] + "[retention]\nhelp_declined = 6\n", encoding="utf-8")
    retention = load_policy(path).retention
    assert retention.months_for("help_declined") == 6
    assert retention.months_for("already_in_care") == 24
    assert retention.months_for("closed_other") == 12


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("rate = 0.05", "rate = 1.5", "'sampling.rate' must be a share between 0 and 1"),
        ("rate = 0.05", "rate = -0.1", "'sampling.rate' must be >= 0"),
        ("rate = 0.05", "rate = 0.05\nratio = 1", "'sampling.ratio' is not a known key"),
        ("help_accepted = 24", "help_acepted = 24", "'retention.help_acepted' is not a known"),
        ("help_accepted = 24", "help_accepted = 0", "'retention.help_accepted' must be >= 1"),
    ],
)
def test_bad_sampling_or_retention_is_refused(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(DEFAULT_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError, match=message):
        load_policy(path)


def test_a_policy_without_sampling_samples_nothing(tmp_path: Path) -> None:
    start, end = DEFAULT_TEXT.index("[sampling]"), DEFAULT_TEXT.index("# --- Retention")
    path = tmp_path / "old.toml"
    path.write_text(DEFAULT_TEXT[:start] + DEFAULT_TEXT[end:], encoding="utf-8")
    assert load_policy(path).sampling.rate == 0.0
