"""The two ways the load generator posts: httpx, and a lean HTTP/1.1 keep-alive connection.

On this 2-core box httpx tops out near 700 requests/s at a full core (the /noop ceiling), below
what the bare baseline serves, so a single-POST ratio measured with it mostly measures httpx.
The raw client does the same requests (keep-alive, Content-Length bodies) for a fraction of the
CPU, which leaves the servers as the bottleneck.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol
from urllib.parse import urlsplit

import httpx


class Poster(Protocol):
    async def post(self, body: bytes) -> tuple[int, bytes]: ...
    async def aclose(self) -> None: ...


class HttpxPoster:
    """Shares one pooled AsyncClient among all workers (httpx's own connection reuse)."""

    def __init__(self, client: httpx.AsyncClient, path: str) -> None:
        self._client, self._path = client, path

    async def post(self, body: bytes) -> tuple[int, bytes]:
        response = await self._client.post(self._path, content=body)
        return response.status_code, response.content

    async def aclose(self) -> None:
        pass


class RawConnection:
    """One keep-alive HTTP/1.1 connection per worker; reconnects after any failure."""

    def __init__(self, url: str, path: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        lines = [f"POST {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode()
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self._host, self._port, limit=2**22)
        reader, writer = self._streams
        try:
            writer.write(b"%s%d\r\n\r\n%s" % (self._head, len(body), body))
            head = await reader.readuntil(b"\r\n\r\n")
            length = None
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length is None:
                raise ValueError("response without Content-Length")
            return int(head[9:12]), await reader.readexactly(length)
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if self._streams is not None:
            _, writer = self._streams
            self._streams = None
            writer.close()


class RawPool:
    """Keep-alive raw connections for an open-loop generator: a POST takes the most recently
    used idle connection, or opens one when all are busy, and gives it back when answered (none
    is reused after a failure). So the generator never waits for a connection, however slow the
    server gets. Connections idle longer than `max_idle_s` are closed before the server's
    keep-alive timeout (uvicorn: 5 s) can close them under a request."""

    def __init__(
        self, url: str, path: str, headers: dict[str, str], max_idle_s: float = 2.0
    ) -> None:
        self._url, self._path, self._headers = url, path, headers
        self._max_idle_s = max_idle_s
        self._idle: list[tuple[float, RawConnection]] = []  # oldest first
        self.opened = 0

    async def post(self, body: bytes) -> tuple[int, bytes]:
        now = time.monotonic()
        while self._idle and now - self._idle[0][0] > self._max_idle_s:
            await self._idle.pop(0)[1].aclose()
        if self._idle:
            connection = self._idle.pop()[1]
        else:
            connection = RawConnection(self._url, self._path, self._headers)
            self.opened += 1
        answer = await connection.post(body)  # closes itself if it raises
        self._idle.append((time.monotonic(), connection))
        return answer

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for _, connection in idle:
            await connection.aclose()
