"""Runs edits as asyncio tasks on the qasync loop and reports through Qt signals.

Each edit: store inputs and create the library record (thread pool) → EditRunner.run (HTTP on
the loop, image work in the pool) → library.complete_edit (thread pool, files on disk) → done.
Several edits may run at once; cancelling the task aborts the HTTP request.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.request import EditRequest

if TYPE_CHECKING:
    # asyncio and concurrent.futures load after the window's first paint (app.main).
    import asyncio
    from concurrent.futures import Executor

    # The engine pulls in the decode stack (Pillow, ~50 ms); import it at the first edit,
    # not while the window is starting.
    from qwen_studio.core.engine import EditEvent, EditRunner

log = logging.getLogger(__name__)

WARM_UP_MS = 1000
# Imported by the first edit: the engine (Pillow) and httpx's async backend (anyio, ~50 ms,
# loaded lazily by the first request). Loaded in the pool they cost the GUI thread nothing.
WARM_MODULES = ("qwen_studio.core.engine", "qwen_studio.core.client", "anyio._backends._asyncio")


@dataclass(frozen=True)
class JobResult:
    edit_id: int | None
    paths: list[Path]
    revised_prompt: str = ""
    usage: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))


class EditController(QObject):
    jobStarted = Signal(int, object)  # job id, EditRequest
    jobEditId = Signal(int, int)  # job id, library edit id
    jobProgress = Signal(int, str, str)  # job id, stage, human detail
    jobFinished = Signal(int, object)  # job id, JobResult
    jobFailed = Signal(int, object)  # job id, QwenStudioError
    jobCancelled = Signal(int)
    inFlightChanged = Signal(int)

    def __init__(self, library: Any, executor: Executor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.executor = executor
        self._client: Any = None
        self._client_factory: Callable[[], Any] | None = None
        self._profile_name = ""
        self._ids = itertools.count(1)
        self._tasks: dict[int, asyncio.Task[None]] = {}
        # Load WARM_MODULES in the pool once the window is up, so neither start-up nor the
        # first Run pays ~50-100 ms of imports on the GUI thread.
        QTimer.singleShot(WARM_UP_MS, self, self._warm_up)

    def _warm_up(self) -> None:
        if getattr(self, "_shut_down", False):
            return

        def load() -> None:
            for name in WARM_MODULES:
                with contextlib.suppress(ImportError):
                    importlib.import_module(name)

        with contextlib.suppress(RuntimeError):  # executor already shut down
            self.executor.submit(load)

    def set_client(self, client: Any, profile_name: str = "") -> None:
        """The ImageClient new edits use; edits in flight keep the one they started with."""
        self._client = client
        self._client_factory = None
        self._profile_name = profile_name

    def set_client_factory(self, factory: Callable[[], Any], profile_name: str = "") -> None:
        """Like set_client, but the client is made by `factory()` at the first edit: the
        window can start with a configured endpoint without loading the HTTP stack."""
        self._client = None
        self._client_factory = factory
        self._profile_name = profile_name

    @property
    def has_client(self) -> bool:
        return self._client is not None or self._client_factory is not None

    def in_flight(self) -> int:
        return len(self._tasks)

    def job_ids(self) -> list[int]:
        return list(self._tasks)

    # -- public --------------------------------------------------------------------------------
    def submit(self, request: EditRequest, parent_edit_id: int | None = None) -> int:
        if self._client is None and self._client_factory is not None:
            self._client = self._client_factory()
            self._client_factory = None
        if self._client is None:
            raise QwenStudioError(
                self.tr("No service is connected."),
                hint="Set up your API in Settings or try the demo.",
            )
        import asyncio

        from qwen_studio.core.engine import EditRunner

        job = next(self._ids)
        runner = EditRunner(self._client, self.executor)
        task = asyncio.ensure_future(self._run(job, runner, request, parent_edit_id))
        self._tasks[job] = task
        task.add_done_callback(lambda _t, job=job: self._forget(job))
        self.jobStarted.emit(job, request)
        self.inFlightChanged.emit(len(self._tasks))
        return job

    def cancel(self, job: int | None = None) -> int:
        """Cancel one edit, or all when `job` is None. Returns how many were cancelled."""
        targets = [job] if job is not None else list(self._tasks)
        n = 0
        for j in targets:
            task = self._tasks.get(j)
            if task is not None and not task.done():
                task.cancel()
                n += 1
        return n

    async def shutdown(self) -> None:
        import asyncio

        self._shut_down = True
        tasks = list(self._tasks.values())
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- internals -----------------------------------------------------------------------------
    def _forget(self, job: int) -> None:
        self._tasks.pop(job, None)
        self.inFlightChanged.emit(len(self._tasks))

    async def _pool(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))

    def _create_record(self, request: EditRequest, parent_edit_id: int | None) -> int:
        hashes: list[str] = []
        for src in request.inputs:
            if _is_url(src):
                hashes.append(hashlib.sha256(src.encode()).hexdigest())
            else:
                sha, _stored = self.library.store_input(Path(src))
                hashes.append(sha)
        return int(
            self.library.create_edit(
                request,
                input_hashes=tuple(hashes),
                profile_name=self._profile_name,
                parent_id=parent_edit_id,
            )
        )

    def _set_status(self, edit_id: int | None, status_name: str, error: str = "") -> None:
        """Fire-and-forget status write in the pool (also used while being cancelled)."""
        if edit_id is None:
            return
        from qwen_studio.core.library import EditStatus

        status = getattr(EditStatus, status_name)

        def write() -> None:
            try:
                self.library.set_status(edit_id, status, error=error)
            except Exception as exc:  # history bookkeeping must never break the UI
                log.warning("could not record status %s for edit %s: %s", status_name, edit_id,
                            type(exc).__name__)

        with contextlib.suppress(RuntimeError):  # executor already shut down at exit
            self.executor.submit(write)

    async def _run(
        self, job: int, runner: EditRunner, request: EditRequest, parent_edit_id: int | None
    ) -> None:
        import asyncio

        edit_id: int | None = None
        try:
            self.jobProgress.emit(job, "queued", "")
            edit_id = await self._pool(self._create_record, request, parent_edit_id)
            self.jobEditId.emit(job, edit_id)
            self._set_status(edit_id, "RUNNING")

            def on_event(ev: EditEvent) -> None:
                self.jobProgress.emit(job, ev.stage, ev.detail)

            outcome = await runner.run(request, on_event=on_event)
            self.jobProgress.emit(job, "saving", "")
            result = outcome.result
            paths = await self._pool(
                self.library.complete_edit,
                edit_id,
                list(outcome.images),
                revised_prompt=result.revised_prompt,
                usage=dict(result.usage),
                timings=dict(outcome.timings),
            )
            self.jobFinished.emit(
                job,
                JobResult(edit_id, [Path(p) for p in paths], result.revised_prompt,
                          dict(result.usage), dict(outcome.timings)),
            )
        except asyncio.CancelledError:
            self._set_status(edit_id, "CANCELLED")
            self.jobCancelled.emit(job)
            # Swallow: the task ends normally so nothing logs "Task was destroyed/cancelled".
        except QwenStudioError as exc:
            self._set_status(edit_id, "FAILED", exc.user_message)
            self.jobFailed.emit(job, exc)
        except Exception as exc:  # a bug: explain calmly, keep the details in the log
            log.exception("edit %s failed unexpectedly", job)
            err = QwenStudioError(
                f"Something went wrong inside Qwen Studio ({type(exc).__name__}).",
                hint="The details are in the log; please report it.",
            )
            self._set_status(edit_id, "FAILED", err.user_message)
            self.jobFailed.emit(job, err)
