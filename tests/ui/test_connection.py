"""Connection: the endpoint and the demo sandbox's lifecycle, observed through `changed`."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from window_helpers import until

from qwen_studio.core.endpoint import Endpoint
from qwen_studio.qt.connection import DEMO_PROFILE, Connection, ConnectionState
from qwen_studio.qt.tasks import TaskRunner


class FakeService:
    def __init__(self) -> None:
        self.base_url = "http://127.0.0.1:1"
        self.api_key: str | None = "demo-key"
        self.stopped = threading.Event()

    def stop(self) -> None:
        self.stopped.set()


@pytest.fixture
def pool():
    with ThreadPoolExecutor(2) as executor:
        yield executor


def test_demo_start_goes_starting_then_connected_and_close_stops_it(qloop, pool):
    service = FakeService()
    gate = threading.Event()

    def starter(_latency: float) -> FakeService:
        gate.wait(5)
        return service

    tasks = TaskRunner(pool)
    conn = Connection(tasks, starter)
    states: list[ConnectionState] = []
    conn.changed.connect(lambda: states.append(conn.state))

    async def scenario() -> None:
        conn.start_demo(0.0)
        conn.start_demo(0.0)  # a second click while it starts: nothing more
        assert conn.state is ConnectionState.DEMO_STARTING and conn.endpoint is None
        gate.set()
        await until(lambda: conn.endpoint is not None, 5, "the demo")
        assert conn.endpoint == Endpoint(service.base_url, "bailian", "demo-key", DEMO_PROFILE)
        await conn.close()

    qloop.run(scenario())
    assert states[0] is ConnectionState.DEMO_STARTING
    assert states[-1] is ConnectionState.CONNECTED
    assert service.stopped.is_set()


def test_a_failed_demo_start_goes_back_to_not_connected_and_is_reported(qloop, pool):
    def starter(_latency: float) -> FakeService:
        raise OSError("no port")

    failures: list[BaseException] = []
    tasks = TaskRunner(pool, on_error=failures.append)
    conn = Connection(tasks, starter)

    async def scenario() -> None:
        conn.start_demo(0.0)
        await until(lambda: failures, 5, "the failure")

    qloop.run(scenario())
    assert conn.state is ConnectionState.NOT_CONNECTED
    assert isinstance(failures[0], OSError)


def test_closing_while_the_demo_starts_still_stops_it(qloop, pool):
    service = FakeService()
    gate = threading.Event()

    def starter(_latency: float) -> FakeService:
        gate.wait(5)
        return service

    tasks = TaskRunner(pool)
    conn = Connection(tasks, starter)

    async def scenario() -> None:
        conn.start_demo(0.0)
        await asyncio.sleep(0)  # the pool job is under way
        await until(lambda: conn.demo_starting, 5)
        closing = asyncio.ensure_future(tasks.close())
        gate.set()
        await closing
        await conn.close()

    qloop.run(scenario())
    assert service.stopped.is_set()
