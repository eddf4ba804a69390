"""Unit tests are pure and fast: one that opens a network connection or runs migrations fails at
once (such a test belongs in tests/integration)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

import services.schema


@pytest.fixture(autouse=True)
def _no_network_no_migrations(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("a unit test opened a connection or ran migrations")

    for name in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(services.schema, "upgrade", refuse)
