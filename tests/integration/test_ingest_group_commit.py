"""Group commit: posts that arrive together share one write, and each still gets its own answer.

The repository is the real one on SQLite; `Watched` only records what it is asked and can refuse a
chosen signal or hold a write open, to show what the other posts of a group see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.schema import upgrade
from shared.crypto import PiiVault, generate_pii_key
from shared.db import create_engine
from shared.outbox import outbox
from shared.settings import Settings
from signal_ingest.committer import ShuttingDown, SignalCommitter
from signal_ingest.domain.intake import SignalKey
from signal_ingest.domain.signal import SignalIn, parse_signal
from signal_ingest.received import NewSignal
from signal_ingest.repository import SignalRepository
from signal_ingest.tables import signals
from tests.conftest import SettingsFactory
from tests.signals import rent_arrears


class Watched(SignalRepository):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.writes: list[int] = []
        self.refuse: set[str] = set()
        self.overflow: set[str] = set()
        self.away = False
        self.hold = asyncio.Event()
        self.hold.set()

    async def add(self, new: Sequence[NewSignal]) -> set[SignalKey]:
        self.writes.append(len(new))
        await self.hold.wait()
        if self.away:
            raise ConnectionRefusedError("the database is unreachable")
        if any(signal.key[1] in self.refuse for signal in new):
            raise DataError("INSERT INTO signals ...", {}, ValueError("a value it refuses"))
        if any(signal.key[1] in self.overflow for signal in new):
            raise OverflowError("date value out of range")  # fails before the database
        return await super().add(new)


@pytest.fixture
async def engine(make_settings: SettingsFactory) -> AsyncIterator[AsyncEngine]:
    settings: Settings = make_settings()
    settings.data_dir.mkdir(parents=True)
    await upgrade(settings.resolved_database_url)
    engine = create_engine(settings.resolved_database_url)
    yield engine
    await engine.dispose()


def committer(store: SignalRepository, max_signals: int = 1000) -> SignalCommitter:
    return SignalCommitter(store, PiiVault(generate_pii_key()), lambda: None, 1, max_signals)


def fresh(count: int) -> list[SignalIn]:
    return [parse_signal(rent_arrears()) for _ in range(count)]


async def stored_counts(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as conn:
        rows = await conn.scalar(select(func.count()).select_from(signals))
        events = await conn.scalar(select(func.count()).select_from(outbox))
    return int(rows or 0), int(events or 0)


async def test_posts_arriving_together_share_one_write_and_get_their_own_verdicts(
    engine: AsyncEngine,
) -> None:
    store = Watched(engine)
    signals_ = fresh(6)
    commit = committer(store)
    store.hold.clear()  # the first post's write stays open while the others arrive
    first = asyncio.create_task(commit.accept("corp-a", signals_[:1]))
    await asyncio.sleep(0.01)
    rest = [asyncio.create_task(commit.accept("corp-a", [signal])) for signal in signals_[1:4]]
    again = asyncio.create_task(commit.accept("corp-a", [signals_[1]]))  # a replay, same group
    other = asyncio.create_task(commit.accept("corp-b", [signals_[1]]))  # same id, other source
    await asyncio.sleep(0.01)
    store.hold.set()
    answers = await asyncio.gather(first, *rest, again, other)

    assert store.writes == [1, 4]  # one write for five posts; the replay is not written twice
    assert [[i.verdict for i in answer] for answer in answers] == [
        ["accepted"],
        ["accepted"],
        ["accepted"],
        ["accepted"],
        ["duplicate"],
        ["accepted"],
    ]
    assert await stored_counts(engine) == (5, 5)
    await commit.close()


async def test_a_post_the_database_refuses_fails_alone(engine: AsyncEngine) -> None:
    store = Watched(engine)
    good, bad, also_good = fresh(3)
    store.refuse.add(str(bad.id))
    commit = committer(store)
    store.hold.clear()
    posts = [
        asyncio.create_task(commit.accept("corp", [signal])) for signal in (good, bad, also_good)
    ]
    await asyncio.sleep(0.01)
    store.hold.set()
    answers = await asyncio.gather(*posts, return_exceptions=True)

    assert isinstance(answers[1], DataError)
    assert [a[0].verdict for a in (answers[0], answers[2]) if isinstance(a, list)] == [
        "accepted",
        "accepted",
    ]
    assert await stored_counts(engine) == (2, 2)
    await commit.close()


async def test_a_post_that_fails_before_the_database_fails_alone(engine: AsyncEngine) -> None:
    """Found: one unrepresentable date among concurrent posts failed the valid posts of other
    corporations that shared its group."""
    store = Watched(engine)
    good, bad, also_good = fresh(3)
    store.overflow.add(str(bad.id))
    commit = committer(store)
    store.hold.clear()
    posts = [
        asyncio.create_task(commit.accept(source, [signal]))
        for source, signal in (("corp-a", good), ("corp-b", bad), ("corp-a", also_good))
    ]
    await asyncio.sleep(0.01)
    store.hold.set()
    answers = await asyncio.gather(*posts, return_exceptions=True)

    assert isinstance(answers[1], OverflowError)
    assert [a[0].verdict for a in (answers[0], answers[2]) if isinstance(a, list)] == [
        "accepted",
        "accepted",
    ]
    assert await stored_counts(engine) == (2, 2)
    await commit.close()


async def test_an_unreachable_database_answers_the_whole_group_after_one_attempt(
    engine: AsyncEngine,
) -> None:
    store = Watched(engine)
    store.away = True
    commit = committer(store)
    store.hold.clear()
    posts = [asyncio.create_task(commit.accept("corp", fresh(1))) for _ in range(4)]
    await asyncio.sleep(0.01)
    store.hold.set()
    answers = await asyncio.gather(*posts, return_exceptions=True)

    assert all(isinstance(a, ConnectionRefusedError) for a in answers)
    assert store.writes == [4]  # one attempt for the four, not one more per post
    await commit.close()


async def test_a_group_never_exceeds_max_signals(engine: AsyncEngine) -> None:
    store = Watched(engine)
    commit = committer(store, max_signals=10)
    store.hold.clear()
    posts = [asyncio.create_task(commit.accept("corp", fresh(4))) for _ in range(6)]
    await asyncio.sleep(0.01)
    store.hold.set()
    answers = await asyncio.gather(*posts)

    assert all(size <= 10 for size in store.writes) and sum(store.writes) == 24
    assert all(intake.verdict == "accepted" for answer in answers for intake in answer)
    await commit.close()


async def test_shutdown_finishes_queued_writes_then_refuses_new_posts(engine: AsyncEngine) -> None:
    store = Watched(engine)
    commit = committer(store)
    store.hold.clear()
    posts = [asyncio.create_task(commit.accept("corp", fresh(1))) for _ in range(3)]
    await asyncio.sleep(0.01)
    closing = asyncio.create_task(commit.close(timeout_s=5))
    await asyncio.sleep(0.01)
    with pytest.raises(ShuttingDown):
        await commit.accept("corp", fresh(1))
    store.hold.set()  # the write in flight completes while the service stops
    await asyncio.wait_for(closing, 5)
    answers = await asyncio.gather(*posts)

    assert [a[0].verdict for a in answers] == ["accepted"] * 3
    assert await stored_counts(engine) == (3, 3)


async def test_shutdown_answers_every_post_a_stuck_write_holds(engine: AsyncEngine) -> None:
    store = Watched(engine)
    commit = committer(store)
    store.hold.clear()  # a write that never finishes
    posts = [asyncio.create_task(commit.accept("corp", fresh(1))) for _ in range(3)]
    await asyncio.sleep(0.01)
    await asyncio.wait_for(commit.close(timeout_s=0.1), 5)
    answers = await asyncio.gather(*posts, return_exceptions=True)

    assert all(isinstance(a, ShuttingDown) for a in answers)
    assert await stored_counts(engine) == (0, 0)


async def test_a_writer_that_ended_is_replaced(engine: AsyncEngine) -> None:
    commit = committer(Watched(engine))
    [first] = await commit.accept("corp", fresh(1))
    for task in commit._tasks:  # as if a writer had died
        task.cancel()
    await asyncio.sleep(0)
    [second] = await asyncio.wait_for(commit.accept("corp", fresh(1)), 5)

    assert (first.verdict, second.verdict) == ("accepted", "accepted")
    await commit.close()
