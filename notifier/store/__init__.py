"""Delivery state in the database, by concern: claims (what is due, in order per case), state
rows (what an attempt did), endpoint state (410s) and dead letters (list, count, replay)."""

from notifier.store.claims import LEASE, claim_due, next_due
from notifier.store.dead_letters import (
    PARKED,
    DeadLetter,
    count_dead_letters,
    dead_letters,
    replay_dead_letters,
)
from notifier.store.endpoints import (
    any_endpoint_disabled,
    disable_endpoint,
    enable_all_endpoints,
    endpoint_key,
    is_endpoint_disabled,
)
from notifier.store.states import (
    delivery_row,
    save_outcomes,
    to_delivery,
    write_states,
)

__all__ = [
    "LEASE",
    "PARKED",
    "DeadLetter",
    "any_endpoint_disabled",
    "claim_due",
    "count_dead_letters",
    "dead_letters",
    "delivery_row",
    "disable_endpoint",
    "enable_all_endpoints",
    "endpoint_key",
    "is_endpoint_disabled",
    "next_due",
    "replay_dead_letters",
    "save_outcomes",
    "to_delivery",
    "write_states",
]
