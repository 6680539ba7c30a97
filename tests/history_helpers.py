"""What the history tests share: a library (`lib` fixture) and a pool (`pool` fixture) for
the history model, and real edits seeded into a library with tiny input and result files.

Importable from every test folder, like window_helpers.py. Use the fixtures by importing
`library_fixture` / `pool_fixture` (they register as `lib` / `pool`)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest


def png_bytes(color: tuple[int, int, int], size: tuple[int, int] = (48, 32)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def seed(lib: Library, prompts: list[str], *, status: str = "done", start: int = 0,
         batch_id: str | None = None, **request_kwargs: Any) -> list[int]:
    """Real edits with real (tiny) input and result files, oldest first; `status` other
    than "done" is set as it is ("queued" leaves them as recorded)."""
    ids = []
    for i, prompt in enumerate(prompts, start=start):
        sha, path = lib.store_bytes(png_bytes((i % 256, 40, 90)), "png")
        req = EditRequest(inputs=(str(path),), prompt=prompt, **request_kwargs)
        eid = lib.create_edit(req, input_hashes=(sha,), batch_id=batch_id)
        if status == "done":
            lib.complete_edit(eid, [png_bytes((200, i % 256, 30))])
        elif status != "queued":
            lib.set_status(eid, EditStatus(status), error="boom" if status == "failed" else "")
        ids.append(eid)
    return ids


@pytest.fixture(name="pool")
def pool_fixture() -> Iterator[ThreadPoolExecutor]:
    ex = ThreadPoolExecutor(max_workers=2)
    yield ex
    ex.shutdown(wait=True)


@pytest.fixture(name="lib")
def library_fixture(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "lib") as library:
        yield library


@pytest.fixture(name="bare_panel")
def bare_panel_fixture(qloop: Any, qtbot: Any) -> Iterator[Callable[[Any], Any]]:
    """`bare_panel(model)`: a HistoryPanel over `model` without a window. The panel then has
    a TaskRunner of its own (the window passes its own and closes it); after the test it is
    closed on the test's loop, so no task it spawned (a version tree being read) is left
    pending when the loop closes ("Task was destroyed but it is pending!")."""
    from qwen_studio.ui.history.panel import HistoryPanel

    panels: list[HistoryPanel] = []

    def make(model: Any) -> HistoryPanel:
        panel = HistoryPanel(model)
        qtbot.addWidget(panel)
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        qloop.run(panel.tasks.close())
