"""The yardstick for ingest: a bare FastAPI app that validates the same body with the same model
and stores it with one asyncpg INSERT — no auth, outbox, relay, sealing or metrics.

Run by uvicorn exactly like `vroegsignaal serve ingest` (one worker, uvloop/httptools, no access
log); BENCH_BASELINE_DSN names the (bench) database.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import ValidationError

from signal_ingest.domain.signal import parse_signal

TABLE = "bench_baseline_signals"
INSERT = f"INSERT INTO {TABLE} (id, type, body) VALUES ($1, $2, $3)"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Pool as large as ours (SQLAlchemy pool_size 10 + max_overflow 10).
    pool = await asyncpg.create_pool(os.environ["BENCH_BASELINE_DSN"], min_size=10, max_size=20)
    await pool.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id uuid PRIMARY KEY, type text NOT NULL,"
        " body bytea NOT NULL)"
    )
    app.state.pool = pool
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


def _json(content: Any, status: int) -> Response:
    return Response(orjson.dumps(content), status, media_type="application/json")


@app.get("/healthz")
async def healthz() -> Response:
    return _json({"status": "ok"}, 200)


@app.post("/noop")
async def noop(request: Request) -> Response:
    """Reads the body and answers: the ceiling of the load generator on this machine."""
    await request.body()
    return _json({"status": "accepted"}, 202)


@app.post("/v1/signals")
async def post_signal(request: Request) -> Response:
    try:
        signal = parse_signal(orjson.loads(await request.body()))
    except (orjson.JSONDecodeError, ValidationError) as exc:
        return _json({"detail": str(exc)}, 422)
    await request.app.state.pool.execute(
        INSERT, signal.id, signal.type, signal.model_dump_json().encode()
    )
    return _json({"id": str(signal.id), "status": "accepted"}, 202)


@app.post("/v1/signals/batch")
async def post_batch(request: Request) -> Response:
    results: list[dict[str, Any]] = []
    rows = []
    for raw in orjson.loads(await request.body())["signals"]:
        try:
            signal = parse_signal(raw)
        except ValidationError:
            results.append({"id": raw.get("id"), "status": "rejected"})
            continue
        rows.append((signal.id, signal.type, signal.model_dump_json().encode()))
        results.append({"id": str(signal.id), "status": "accepted"})
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        await conn.executemany(INSERT, rows)
    return _json({"results": results}, 200)
