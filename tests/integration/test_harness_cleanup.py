"""A test that fails inside a running service still stops its workers: otherwise its consumers
stay in the shared consumer groups and every later test on the same broker times out."""

from __future__ import annotations

import pytest

from tests.conftest import SettingsFactory
from tests.harness import running


class Boom(RuntimeError):
    pass


async def test_an_exception_in_the_body_still_stops_the_runtime(
    make_settings: SettingsFactory,
) -> None:
    with pytest.raises(Boom):
        async with running(make_settings()) as vs:
            runtime = vs.runtime
            raise Boom
    assert runtime.stop.is_set()
    assert all(task.done() for task in runtime.tasks)
