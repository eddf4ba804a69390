"""A real `vroegsignaal` process for end-to-end tests, and eventual assertions."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TypeVar

import httpx

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class VroegsignaalProcess:
    """Starts `vroegsignaal <args>` with its own environment; waits on /readyz, not on sleeps."""

    def __init__(self, args: list[str], env: Mapping[str, str], log: Path) -> None:
        self.port = free_port()
        self.args, self.env, self.log = args, dict(env), log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout_s: float = 60) -> None:
        env = {**os.environ, **self.env}
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.cli", *self.args, "--port", str(self.port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

        async def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"process exited: {self.log.read_text()[-2000:]}")
            try:
                async with httpx.AsyncClient() as client:
                    return (await client.get(self.url + "/readyz")).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(ready, timeout_s)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing — what a crash or OOM kill looks like."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


async def eventually(
    check: Callable[[], Awaitable[T]], timeout_s: float = 30, interval_s: float = 0.1
) -> T:
    """Polls `check` until it returns something truthy; fails at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s (last: {value!r})")
        await asyncio.sleep(interval_s)
