"""An httpx transport of `n` lanes, each one keep-alive connection used by one request at a time.

httpx's pool shared by `n` concurrent requests spends most of a local POST's CPU assigning
requests to connections: each request is tried on busy connections and re-queued, and every
try asks each socket whether it is readable (measured against a minimal local server: 704-830
µs CPU per POST through one pool of 8, 462-528 µs through 8 lanes; the client layer above the
pool added 150-250 µs more).
A lane is a pool of one, so a request never waits on another's connection. A request that
fails or is cancelled leaves its lane with a fresh pool: httpcore's pool can keep a connection
slot that a cancelled request held (encode/httpcore#1093, #830), and a lane is one slot.
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
        self._tls = httpx.create_ssl_context()  # one for all lanes: each costs ~20 ms to load
        self._proxy = proxy
        self._live: set[httpx.AsyncHTTPTransport] = set()
        self._free: asyncio.Queue[httpx.AsyncHTTPTransport] = asyncio.Queue()
        for _ in range(lanes):
            self._free.put_nowait(self._new_lane())
        self._closing: set[asyncio.Task[None]] = set()

    def _new_lane(self) -> httpx.AsyncHTTPTransport:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        lane = httpx.AsyncHTTPTransport(verify=self._tls, limits=limits, proxy=self._proxy)
        self._live.add(lane)
        return lane

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        lane = await self._free.get()
        try:
            response = await lane.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except BaseException:
            self._free.put_nowait(self._new_lane())
            self._close_later(lane)
            raise
        self._free.put_nowait(lane)
        return response

    def _close_later(self, lane: httpx.AsyncHTTPTransport) -> None:
        """Closes a failed lane's pool outside the (maybe cancelled) request."""
        self._live.discard(lane)
        task = asyncio.get_running_loop().create_task(lane.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        for lane in list(self._live):
            await lane.aclose()
        await asyncio.gather(*self._closing, return_exceptions=True)


def environment_proxy(url: str) -> str | None:
    """The proxy `HTTPS_PROXY`/`HTTP_PROXY` name for `url`, unless `NO_PROXY` exempts its host,
    as httpx's client would pick it (the lanes are below the client)."""
    target = httpx.URL(url)
    if urllib.request.proxy_bypass(target.host):
        return None
    return urllib.request.getproxies().get(target.scheme)
