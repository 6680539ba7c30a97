"""The window runs its edits' work (inputs, checks, saves) in a pool of its own
(qt/edit_session.py, issue 18).

The app's pool has two workers that decode and prepare images; a save (hash, write,
fsync, transaction) waiting on the disk there held up the next edits' inputs and checks.
What a user notices is a batch that keeps pace with the network; what this test pins is
where the save runs, that the result is stored and DONE, and that closing the session
leaves no save thread behind.
"""

from __future__ import annotations

import concurrent.futures
import threading
from pathlib import Path
from typing import Any

import pytest
from window_helpers import make_jpeg

from qwen_studio.core import client as client_module
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.endpoint import ClientSettings, Endpoint
from qwen_studio.core.http_session import LazyHttpClient
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.connection import Connection
from qwen_studio.qt.edit_session import EditSession
from qwen_studio.qt.tasks import TaskRunner

FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=2, read_timeout=20)


def test_edits_are_checked_and_saved_outside_the_app_pool(
        qloop, sandbox, studio_home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved_on: list[str] = []
    checked_on: list[str] = []
    real_complete = EditRecorder.complete
    real_check = client_module._decode_problem

    def complete(self: EditRecorder, *args: Any, **kwargs: Any) -> Any:
        saved_on.append(threading.current_thread().name)
        return real_complete(self, *args, **kwargs)

    def check(data: bytes) -> str | None:
        checked_on.append(threading.current_thread().name)
        return real_check(data)

    monkeypatch.setattr(EditRecorder, "complete", complete)
    monkeypatch.setattr(client_module, "_decode_problem", check)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="app-pool")
    library = Library()
    http = LazyHttpClient()
    tasks = TaskRunner(pool)
    connection = Connection(tasks)
    session = EditSession(library, http, connection, tasks)
    session.set_client_settings(FAST)
    connection.set_endpoint(Endpoint(sandbox.base_url, "bailian", "test-key", "Sandbox"))
    photos = [make_jpeg(tmp_path / f"photo{i}.jpg", (256, 256)) for i in range(3)]

    async def scenario() -> list[int]:
        ids = [await session.submit_one(EditRequest(prompt="make it blue",
                                                    inputs=(str(p),))) for p in photos]
        await session.service.wait_idle()
        return ids

    try:
        ids = qloop.run(scenario())
        for edit_id in ids:
            record = library.get(edit_id)
            assert record is not None and record.status is EditStatus.DONE
            assert record.result_files and all(Path(f).is_file() for f in record.result_files)
        assert len(saved_on) == 3
        assert all(name.startswith("qs-edit") for name in saved_on), saved_on
        assert len(checked_on) == 3  # each result decoded before it counts
        assert all(name.startswith("qs-edit") for name in checked_on), checked_on
    finally:
        qloop.run(session.close())
        qloop.run(tasks.close())
        qloop.run(http.aclose())
        library.close()
        pool.shutdown()

    def save_threads() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith("qs-edit")]

    for t in threading.enumerate():  # shut down by close(): they finish at once
        if t.name.startswith("qs-edit"):
            t.join(timeout=5)
    assert save_threads() == []
