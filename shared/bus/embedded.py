"""The embedded durable event log: an append-only SQLite file, one ordered log per topic.

It stands in for Kafka when no broker is configured (`vroegsignaal run`): a single partition per
topic keeps every key in order, committed offsets per group survive restarts, and records are
fsynced before `publish` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from shared.bus import GroupLag, Record
from shared.files import private_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL, headers BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS records_topic ON records (topic, seq);
CREATE TABLE IF NOT EXISTS group_offsets (
    grp TEXT NOT NULL, topic TEXT NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (grp, topic));
"""


class EmbeddedLog:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._waiters: set[asyncio.Event] = set()

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            private_file(self._path)
            db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA busy_timeout=10000")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    async def _run(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        def work() -> list[tuple[Any, ...]]:
            with self._lock:
                return self._conn().execute(sql, params).fetchall()

        return await asyncio.to_thread(work)

    async def start(self) -> None:
        await asyncio.to_thread(self._conn)

    async def stop(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    async def is_ready(self) -> bool:
        try:
            await self._run("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    async def publish(self, records: Sequence[Record]) -> None:
        rows = [
            (r.topic, r.key, r.value, orjson.dumps([[k, v.decode()] for k, v in r.headers]))
            for r in records
        ]

        def work() -> None:
            with self._lock:
                db = self._conn()
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT INTO records (topic, key, value, headers) VALUES (?, ?, ?, ?)", rows
                )
                db.execute("COMMIT")

        await asyncio.to_thread(work)
        for waiter in self._waiters:
            waiter.set()

    async def read(self, topic: str, after: int, limit: int) -> list[Record]:
        rows = await self._run(
            "SELECT seq, key, value, headers FROM records WHERE topic = ? AND seq >= ? "
            "ORDER BY seq LIMIT ?",
            (topic, after, limit),
        )
        return [
            Record(
                topic=topic,
                key=bytes(k),
                value=bytes(v),
                headers=tuple((n, s.encode()) for n, s in orjson.loads(h)),
                offset=int(o),
            )
            for o, k, v, h in rows
        ]

    async def committed(self, group: str, topic: str) -> int:
        rows = await self._run(
            "SELECT next_offset FROM group_offsets WHERE grp = ? AND topic = ?", (group, topic)
        )
        return int(rows[0][0]) if rows else 0

    async def commit(self, group: str, topic: str, next_offset: int) -> None:
        await self._run(
            "INSERT INTO group_offsets (grp, topic, next_offset) VALUES (?, ?, ?) "
            "ON CONFLICT (grp, topic) DO UPDATE SET next_offset = excluded.next_offset",
            (group, topic, next_offset),
        )

    async def count_from(self, topic: str, offset: int) -> int:
        """Records of `topic` at or after `offset` (offsets are shared by all topics)."""
        rows = await self._run(
            "SELECT COUNT(*) FROM records WHERE topic = ? AND seq >= ?", (topic, offset)
        )
        return int(rows[0][0])

    async def end_offset(self, topic: str) -> int:
        rows = await self._run(
            "SELECT COALESCE(MAX(seq), 0) FROM records WHERE topic = ?", (topic,)
        )
        return int(rows[0][0]) + 1

    async def group_lags(self) -> list[GroupLag]:
        rows = await self._run(
            "SELECT g.grp, g.topic, (SELECT COUNT(*) FROM records r "
            "WHERE r.topic = g.topic AND r.seq >= g.next_offset) "
            "FROM group_offsets g WHERE g.grp != '' ORDER BY g.grp, g.topic"
        )
        return [GroupLag(str(g), str(t), int(n)) for g, t, n in rows]

    def waiter(self) -> asyncio.Event:
        """An event set by the next append in this process (others are seen by polling)."""
        event = asyncio.Event()
        self._waiters.add(event)
        return event

    def forget(self, waiter: asyncio.Event) -> None:
        self._waiters.discard(waiter)


class EmbeddedConsumer:
    def __init__(self, log: EmbeddedLog, group: str, topics: Sequence[str]) -> None:
        self._log, self._group, self._topics = log, group, tuple(topics)
        self._position: dict[str, int] = {}

    async def start(self) -> None:
        await self.rewind()

    async def stop(self) -> None:
        return None

    async def rewind(self) -> None:
        for topic in self._topics:
            self._position[topic] = await self._log.committed(self._group, topic)

    async def fetch(self, max_records: int, timeout_s: float) -> list[Record]:
        waiter = self._log.waiter()
        try:
            for attempt in range(2):
                batch: list[Record] = []
                for topic in self._topics:
                    batch += await self._log.read(topic, self._position[topic], max_records)
                if batch:
                    for record in batch:
                        self._position[record.topic] = max(
                            self._position[record.topic], record.offset + 1
                        )
                    return batch
                if attempt == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(waiter.wait(), timeout_s)
            return []
        finally:
            self._log.forget(waiter)

    async def commit(self, records: Sequence[Record]) -> None:
        last: dict[str, int] = {}
        for record in records:
            last[record.topic] = max(last.get(record.topic, 0), record.offset + 1)
        for topic, next_offset in last.items():
            await self._log.commit(self._group, topic, next_offset)

    async def lag(self) -> int:
        total = 0
        for topic in self._topics:
            committed = await self._log.committed(self._group, topic)
            total += await self._log.count_from(topic, committed)
        return total


class EmbeddedTail(EmbeddedConsumer):
    """Starts at the current end of each topic and never commits: the ops live view."""

    def __init__(self, log: EmbeddedLog, topics: Sequence[str]) -> None:
        super().__init__(log, "", topics)

    async def start(self) -> None:
        for topic in self._topics:
            self._position[topic] = await self._log.end_offset(topic)

    async def rewind(self) -> None:
        return None

    async def commit(self, records: Sequence[Record]) -> None:
        return None

    async def lag(self) -> int:
        return 0


class EmbeddedBus:
    def __init__(self, path: Path) -> None:
        self.log = EmbeddedLog(path)

    async def start(self) -> None:
        await self.log.start()

    async def stop(self) -> None:
        await self.log.stop()

    async def publish(self, records: Sequence[Record]) -> None:
        if records:
            await self.log.publish(records)

    def consumer(self, group: str, topics: Sequence[str]) -> EmbeddedConsumer:
        return EmbeddedConsumer(self.log, group, topics)

    def tail(self, topics: Sequence[str]) -> EmbeddedTail:
        return EmbeddedTail(self.log, topics)

    async def is_ready(self) -> bool:
        return await self.log.is_ready()

    async def group_lags(self) -> list[GroupLag]:
        return await self.log.group_lags()
