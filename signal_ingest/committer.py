"""Group commit: posts that arrive together are stored in one atomic write.

Every post — one signal or a batch — is accepted through `SignalCommitter.accept`, and nothing is
answered before the write holding it has committed (persist first). What changes is the cost:
while a write is in flight, the posts that arrive queue up and the next write takes all of them
(up to `max_signals`), the way PostgreSQL shares one WAL flush between concurrent commits. Under
load a single-signal POST then costs about what a signal in a batch costs; a lone post waits for
nobody.

A group whose data the database refuses is retried one post at a time, so a post it refuses fails
alone and its neighbours are still accepted; a group that fails because the database is away is
answered at once, every post with the error.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import DataError, IntegrityError

from shared.consuming import is_transient
from shared.crypto import PiiVault
from signal_ingest.domain.intake import Intake
from signal_ingest.domain.signal import SignalIn
from signal_ingest.service import SignalRecords, accept_signals

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Post:
    source: str
    signals: Sequence[SignalIn]
    outcome: asyncio.Future[list[Intake]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def answer(self, outcome: list[Intake] | BaseException) -> None:
        if self.outcome.done():  # the client went away; what was committed stays committed
            return
        if isinstance(outcome, BaseException):
            self.outcome.set_exception(outcome)
        else:
            self.outcome.set_result(outcome)


_DATA_REFUSALS = ("22", "23")  # SQLSTATE classes: data exception, integrity constraint violation


def refused_data(exc: BaseException) -> bool:
    """Whether the database refused what was written (which may concern one post only), as
    opposed to being unreachable or failing whatever was sent."""
    if isinstance(exc, IntegrityError | DataError):  # SQLAlchemy's, on SQLite
        return True
    return str(getattr(exc, "sqlstate", ""))[:2] in _DATA_REFUSALS  # asyncpg's, on PostgreSQL


class ShuttingDown(RuntimeError):
    """The service stops: the post was not (or not knowingly) stored; a retry is safe."""


class SignalCommitter:
    def __init__(
        self,
        store: SignalRecords,
        vault: PiiVault,
        on_commit: Callable[[], None],
        writers: int,
        max_signals: int = 1000,
    ) -> None:
        self._store, self._vault, self._on_commit = store, vault, on_commit
        self._writers, self._max_signals = writers, max_signals
        self._queue: deque[_Post] = deque()
        self._work = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    async def accept(self, source: str, signals: Sequence[SignalIn]) -> list[Intake]:
        """Returns each signal's verdict once it is durably stored (or known)."""
        if self._closed:
            raise ShuttingDown("the service is shutting down")
        post = _Post(source, signals)
        self._queue.append(post)
        self._work.set()
        if len(self._tasks) < self._writers or any(task.done() for task in self._tasks):
            self._start_writers()
        return await post.outcome

    async def close(self, timeout_s: float = 5.0) -> None:
        """Takes no new posts and lets the writers finish what is queued (for `timeout_s` at
        most); whatever is left then is answered with `ShuttingDown`."""
        self._closed = True
        self._work.set()
        if self._tasks:
            _, unfinished = await asyncio.wait(self._tasks, timeout=timeout_s)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
        self._tasks = []
        while self._queue:
            self._queue.popleft().answer(ShuttingDown("the service is shutting down"))

    def _start_writers(self) -> None:
        """Starts the writers, or replaces one that ended (it logged why): a queued post must
        always have a writer, or it would wait forever."""
        alive = [task for task in self._tasks if not task.done()]
        for n in range(len(alive), self._writers):
            task = asyncio.create_task(self._write(), name=f"signal-writer-{n}")
            task.add_done_callback(_report_end)
            alive.append(task)
        self._tasks = alive

    async def _write(self) -> None:
        while True:
            while not self._queue:
                if self._closed:
                    return
                self._work.clear()
                await self._work.wait()
            group = self._take()
            try:
                await self._commit(group)
            except BaseException:
                for post in group:
                    post.answer(ShuttingDown("the write was interrupted"))
                raise

    def _take(self) -> list[_Post]:
        group = [self._queue.popleft()]
        size = len(group[0].signals)
        while self._queue and size + len(self._queue[0].signals) <= self._max_signals:
            post = self._queue.popleft()
            group.append(post)
            size += len(post.signals)
        return group

    async def _commit(self, group: list[_Post]) -> None:
        try:
            outcomes = await self._accept_group(group)
        except Exception as exc:
            if len(group) == 1 or (is_transient(exc) and not refused_data(exc)):
                # Unreachable: every post would meet it again, so all are answered now rather
                # than each after its own attempt. Anything else (refused data, or a value that
                # fails before it reaches the database) may concern one post only.
                for post in group:
                    post.answer(exc)
                return
            # The type only: a refusal's message may quote the values that were sent.
            name = type(exc).__name__
            log.warning("a group of %d posts failed (%s); retrying each alone", len(group), name)
            for post in group:
                await self._commit([post])
            return
        self._on_commit()
        for post, outcome in zip(group, outcomes, strict=True):
            post.answer(outcome)

    async def _accept_group(self, group: list[_Post]) -> list[list[Intake]]:
        """One atomic write for the group; the verdicts handed back per post, in order."""
        posted = [(post.source, signal) for post in group for signal in post.signals]
        verdicts = iter(await accept_signals(self._store, posted, self._vault))
        return [[next(verdicts) for _ in post.signals] for post in group]


def _report_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("signal writer %s ended", task.get_name(), exc_info=task.exception())
