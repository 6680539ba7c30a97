"""EditSession (qt/edit_session): the window's one EditService, without a window.

What a user notices: after switching the connection (Settings, or the demo), the next edit
goes to the new service and the history names the new profile; the edit before it stays
on the old one. Closing the session leaves nothing running and can be repeated.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import pytest
from window_helpers import make_jpeg

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.endpoint import ClientSettings, Endpoint
from qwen_studio.core.http_session import LazyHttpClient
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.connection import Connection
from qwen_studio.qt.edit_session import EditSession
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.sandbox import SandboxServer

FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=2, read_timeout=20)


@pytest.fixture
def second_sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key="other-key").start()
    try:
        yield server
    finally:
        server.stop()


def test_a_new_connection_takes_the_next_edit(qloop, sandbox, second_sandbox, studio_home,
                                              tmp_path: Path) -> None:
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    library = Library()
    http = LazyHttpClient()
    tasks = TaskRunner(pool)
    connection = Connection(tasks)
    session = EditSession(library, http, connection, tasks)
    session.set_client_settings(FAST)
    photo = make_jpeg(tmp_path / "photo.jpg", (256, 256))
    request = EditRequest(prompt="make it blue", inputs=(str(photo),))

    async def scenario() -> tuple[int, int]:
        assert session.built is None  # nothing is built until an edit needs it
        connection.set_endpoint(Endpoint(sandbox.base_url, "bailian", "test-key", "First"))
        first = await session.submit_one(request)
        await session.service.wait_idle()
        connection.set_endpoint(Endpoint(second_sandbox.base_url, "bailian", "other-key",
                                         "Second"))
        second = await session.submit_one(request)
        await session.service.wait_idle()
        return first, second

    try:
        first, second = qloop.run(scenario())
        assert sandbox.request_count == 1
        assert second_sandbox.request_count == 1  # the new connection, with its own key
        assert library.get(first).status is EditStatus.DONE
        assert library.get(second).status is EditStatus.DONE
        assert library.get(first).profile_name == "First"
        assert library.get(second).profile_name == "Second"
        assert session.singles_in_flight() == []
    finally:
        qloop.run(session.close())
        qloop.run(session.close())  # idempotent
        qloop.run(tasks.close())
        qloop.run(http.aclose())
        library.close()
        pool.shutdown()
