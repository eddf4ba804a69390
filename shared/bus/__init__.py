"""The one bus interface; Kafka in production, the embedded durable log in `vroegsignaal run`.

Both give the same semantics the handlers rely on: per-key order, offsets per consumer group that
are committed only by the caller after its effect is durable, and durability across restarts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.cloudevent import CloudEvent


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    partition: int = 0
    offset: int = -1

    @classmethod
    def of(cls, topic: str, key: str, event: CloudEvent) -> Record:
        return cls(topic=topic, key=key.encode(), value=event.data, headers=event.headers())

    def event(self) -> CloudEvent:
        return CloudEvent.from_binary(self.headers, self.value)


@dataclass(frozen=True, slots=True)
class GroupLag:
    """A consumer group's backlog on one topic, as the broker stores its offsets."""

    group: str
    topic: str
    lag: int


class BusUnavailable(RuntimeError):
    """The bus did not acknowledge; the caller keeps its outbox rows and retries."""


class Consumer(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def fetch(self, max_records: int, timeout_s: float) -> list[Record]: ...
    async def commit(self, records: Sequence[Record]) -> None: ...
    async def rewind(self) -> None:
        """Go back to the last committed offsets (after a failed batch)."""
        ...

    async def lag(self) -> int:
        """Records not yet committed by this consumer (the backlog ops watch)."""
        ...


class EventBus(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, records: Sequence[Record]) -> None:
        """Returns once every record is durably stored; raises BusUnavailable otherwise."""
        ...

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer: ...
    def tail(self, topics: Sequence[str]) -> Consumer:
        """Records appended after `start()` returned, without a consumer group (live views).

        Nothing is committed: `commit` and `rewind` do nothing and `lag` is 0.
        """
        ...

    async def is_ready(self) -> bool: ...
    async def group_lags(self) -> list[GroupLag]:
        """Every consumer group's committed backlog per topic, whichever process runs it."""
        ...
