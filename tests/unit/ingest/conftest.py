"""Ingest unit tests are pure: a test that opens a connection or a database fails at once."""

from __future__ import annotations

import socket
import sqlite3
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("an ingest unit test opened a connection: it belongs in integration")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(sqlite3, "connect", refuse)  # SQLite and so migrations too
