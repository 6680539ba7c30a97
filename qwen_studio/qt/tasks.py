"""TaskRunner: the one way the window runs coroutines and pool work.

Replaces the window's, the history panel's and the settings dialog's own `spawn`/`_pool`
helpers. Start-up laziness lives here: `app.main` paints the window before asyncio and
qasync are imported, so a runner created `held` queues coroutines until `release()` (the
loop runs), and asyncio is imported only when the first task really starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Executor

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
A = TypeVar("A")
ErrorHandler = Callable[[BaseException], None]


class TaskRunner:
    """Spawns coroutines on the running loop (keeping a reference so none is collected
    mid-flight), queues them while held, runs blocking calls in the shared pool, and cancels
    everything still running on `close()`.

    A task that fails (not cancelled) is logged and handed to the error handler: the
    window turns it into a notice, so a bug is seen, never silently swallowed."""

    def __init__(self, pool: Executor, *, held: bool = False,
                 on_error: ErrorHandler | None = None) -> None:
        self.pool = pool
        self._tasks: set[asyncio.Future[Any]] = set()
        self._held: list[Coroutine[Any, Any, Any]] | None = [] if held else None
        self._on_error = on_error
        self._closed = False

    # -- state ---------------------------------------------------------------------------
    @property
    def held(self) -> bool:
        return self._held is not None

    @property
    def closed(self) -> bool:
        return self._closed

    def pending(self) -> int:
        """Tasks running plus coroutines waiting for release()."""
        return len(self._tasks) + len(self._held or ())

    def set_error_handler(self, handler: ErrorHandler | None) -> None:
        self._on_error = handler

    # -- start-up staging ----------------------------------------------------------------
    def hold(self) -> None:
        """Queue spawned coroutines until release() (the asyncio loop does not run yet)."""
        if self._held is None and not self._closed:
            self._held = []

    def release(self) -> None:
        """The loop runs: start what waited for it. Idempotent."""
        held, self._held = self._held, None
        for coro in held or ():
            self.spawn(coro)

    # -- running -------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Future[T] | None:
        """Run `coro` on the loop. Returns its task, or None when it was queued (held) or
        the runner is closed (the coroutine is then closed unstarted)."""
        if self._closed:
            coro.close()
            return None
        if self._held is not None:
            self._held.append(coro)
            return None
        import asyncio

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        log.error("background task failed: %r", exc, exc_info=exc)
        if self._on_error is not None and not self._closed:
            self._on_error(exc)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` in the pool, awaited on the loop."""
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, lambda: fn(*args, **kwargs))

    async def run_each(self, fn: Callable[[A], T], items: Iterable[A]
                       ) -> list[T | Exception]:
        """`fn(item)` in the pool for every item, side by side; each result, or the
        exception that item raised (one bad file never stops the others)."""
        import asyncio

        loop = asyncio.get_running_loop()
        futures = [loop.run_in_executor(self.pool, fn, item) for item in items]
        results = await asyncio.gather(*futures, return_exceptions=True)
        out: list[T | Exception] = []
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, Exception):
                raise r  # cancellation and exits are not a file's failure
            out.append(r)
        return out

    async def close(self) -> None:
        """Close queued coroutines unstarted, cancel running tasks and wait for them.
        Idempotent; spawn() after close() closes the coroutine at once."""
        self._closed = True
        for coro in self._held or ():
            coro.close()  # never started: closed quietly, no "never awaited" warning
        self._held = None
        if not self._tasks:
            return
        import asyncio

        tasks = list(self._tasks)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
