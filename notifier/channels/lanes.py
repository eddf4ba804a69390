"""An httpx transport of `n` lanes, each one keep-alive connection used by one request at a time.

httpx's pool shared by `n` concurrent requests spends most of a local POST's CPU assigning
requests to connections: each request is tried on busy connections and re-queued, and every
try asks each socket whether it is readable (measured: 770-830 µs CPU per POST through one
pool of 8, 460-530 µs through 8 lanes; the client layer above the pool adds 150-250 µs more).
A lane is a pool of one, so a request never waits on another's connection.
"""

from __future__ import annotations

import asyncio
import urllib.request

import httpx


class LaneTransport(httpx.AsyncBaseTransport):
    """`lanes` single-connection transports; a request takes a free lane and returns it when
    its response is read (the body is read here, so the connection is free again)."""

    def __init__(self, lanes: int, proxy: str | None = None) -> None:
        if lanes < 1:
            raise ValueError("need at least one lane")
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        tls = httpx.create_ssl_context()  # one for all lanes: each costs ~20 ms to load
        self._all = [
            httpx.AsyncHTTPTransport(verify=tls, limits=limits, proxy=proxy) for _ in range(lanes)
        ]
        self._free: asyncio.Queue[httpx.AsyncHTTPTransport] = asyncio.Queue()
        for lane in self._all:
            self._free.put_nowait(lane)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        lane = await self._free.get()
        try:
            response = await lane.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
            return response
        finally:
            self._free.put_nowait(lane)

    async def aclose(self) -> None:
        for lane in self._all:
            await lane.aclose()


def environment_proxy(url: str) -> str | None:
    """The proxy `HTTPS_PROXY`/`HTTP_PROXY` name for `url`, unless `NO_PROXY` exempts its host,
    as httpx's client would pick it (the lanes are below the client)."""
    target = httpx.URL(url)
    if urllib.request.proxy_bypass(target.host):
        return None
    return urllib.request.getproxies().get(target.scheme)
