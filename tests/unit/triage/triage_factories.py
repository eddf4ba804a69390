"""Builders and hypothesis strategies for triage domain tests (signals, households, times)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from shared.vocabulary import SignalType
from triage.domain.policy import ScoringPolicy, default_policy_path, load_policy
from triage.domain.signals import Household, SignalFact

POLICY: ScoringPolicy = load_policy(default_policy_path())
TODAY = date(2026, 11, 10)
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
SOURCE = "woningcorporatie-test"


def make_signal(
    type_: SignalType,
    details: dict[str, Any] | None = None,
    *,
    at: datetime = NOW,
    signal_id: str | None = None,
    source: str = SOURCE,
) -> SignalFact:
    """A signal with a fresh id, so every test owns its ids."""
    return SignalFact(
        signal_id=signal_id or str(uuid.uuid4()),
        source=source,
        type=type_,
        occurred_at=at,
        details=details or {},
    )


def arrears(amount: float, monthly: float | None = 700.0, *, at: datetime = NOW) -> SignalFact:
    details: dict[str, Any] = {"amount_eur": amount}
    if monthly is not None:
        details["monthly_rent_eur"] = monthly
    return make_signal("rent_arrears", details, at=at)


def resolved(resolves: str, *, at: datetime, source: str = SOURCE) -> SignalFact:
    return make_signal("resolved", {"resolves": resolves, "reason": "paid"}, at=at, source=source)


# --- hypothesis strategies ---------------------------------------------------------------------

ids = st.uuids().map(str)
days = st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31))
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
minors_known = st.integers(min_value=0, max_value=9)
households = st.builds(
    Household,
    minors=st.none() | minors_known,
    adults=st.none() | st.integers(min_value=0, max_value=4),
)
euros = st.integers(min_value=100, max_value=2_000_000).map(lambda cents: cents / 100)
levels = st.sampled_from(["low", "medium", "high"])
near_dates = st.integers(min_value=-30, max_value=90).map(lambda d: TODAY + timedelta(days=d))


def _details(type_: SignalType) -> st.SearchStrategy[dict[str, Any]]:
    if type_ == "rent_arrears":
        return st.fixed_dictionaries(
            {"amount_eur": euros},
            optional={"monthly_rent_eur": st.sampled_from([450.0, 690.25, 700.0, 1100.0])},
        )
    if type_ == "nuisance":
        category = st.sampled_from(["noise", "aggression", "other"])
        return st.fixed_dictionaries({"category": category, "severity": levels})
    if type_ == "pollution":
        return st.fixed_dictionaries({"severity": levels})
    if type_ == "drugs":
        return st.fixed_dictionaries(
            {
                "category": st.sampled_from(["cannabis_cultivation", "drug_dealing", "other"]),
                "stage": st.sampled_from(["reported", "warning", "closure_ordered"]),
            }
        )
    if type_ == "eviction_order":
        return st.fixed_dictionaries(
            {
                "judgment_date": near_dates.map(date.isoformat),
                "eviction_date": st.none() | near_dates.map(date.isoformat),
                "reason": st.sampled_from(["arrears", "nuisance", "drugs", "fraud", "other"]),
            }
        )
    return st.fixed_dictionaries({"executed_on": near_dates.map(date.isoformat)})


PROBLEM_TYPE_LIST: list[SignalType] = [
    "rent_arrears",
    "nuisance",
    "pollution",
    "drugs",
    "eviction_order",
    "eviction_executed",
]


DETAILS: dict[SignalType, st.SearchStrategy[dict[str, Any]]] = {
    type_: _details(type_) for type_ in PROBLEM_TYPE_LIST
}
"""Built once: a strategy built inside every draw costs more than the test it feeds."""


@st.composite
def problem_signals(draw: st.DrawFn, type_: SignalType | None = None) -> SignalFact:
    """Any valid problem signal (not `resolved`), optionally of one type."""
    chosen: SignalType = draw(st.sampled_from(PROBLEM_TYPE_LIST)) if type_ is None else type_
    return SignalFact(
        signal_id=draw(ids),
        source="woningcorporatie-test",
        type=chosen,
        occurred_at=draw(moments),
        details=draw(DETAILS[chosen]),
    )


signal_lists = st.lists(problem_signals(), max_size=7)
EVICTION_TYPE_LIST: list[SignalType] = ["eviction_order", "eviction_executed"]
eviction_signals = st.one_of(*(problem_signals(t) for t in EVICTION_TYPE_LIST))
