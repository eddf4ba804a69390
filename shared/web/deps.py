"""Web dependencies: what a route needs from its process, as `Annotated` types.

The composition root (`services.web.create_app`) provides each resource once under its name;
routes declare what they use (`engine: EngineDep`) and never read `request.app.state`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.bus import EventBus
from shared.crypto import PiiVault


def provide(app: FastAPI, **resources: Any) -> None:
    """Called by the composition root: makes `resources` available to `provided(name)`."""
    for name, resource in resources.items():
        setattr(app.state, name, resource)


def provided(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency returning the resource the composition root provided under `name`."""

    async def dependency(request: Request) -> Any:  # async: a sync one costs a thread hop
        return getattr(request.app.state, name)

    dependency.__name__ = f"provided_{name}"
    return dependency


EngineDep = Annotated[AsyncEngine, Depends(provided("engine"))]
BusDep = Annotated[EventBus, Depends(provided("bus"))]
VaultDep = Annotated[PiiVault, Depends(provided("vault"))]
WakeRelayDep = Annotated[Callable[[], None], Depends(provided("wake_relay"))]
"""Called after a commit that added outbox rows, so the relay does not wait for its next poll."""
