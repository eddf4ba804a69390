"""A database restart is an outage (retry later), never a bad record or a 500 (issue 9)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.consuming import is_transient
from shared.db import database_away


class _Driver(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("driver message")
        self.sqlstate = sqlstate


def test_shutting_down_and_starting_up_are_outages_a_constraint_is_not() -> None:
    for state in ("57P01", "57P03", "08006"):  # admin shutdown, cannot connect now, link lost
        assert database_away(DBAPIError("SELECT 1", {}, _Driver(state))), state
        assert is_transient(DBAPIError("SELECT 1", {}, _Driver(state))), state
    assert database_away(ConnectionRefusedError())
    assert not database_away(IntegrityError("INSERT", {}, _Driver("23505")))
    assert not is_transient(DBAPIError("SELECT 1", {}, _Driver("22008")))  # a bad datetime
