"""Run a function in the thread pool and get its result back on the GUI thread.

A pool future's done-callback runs in the worker; a queued signal carries it to the thread
that owns the PoolCalls object, where `then` (or `failed`) runs. After close() results still
in flight are dropped (the owner is being torn down).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    # Types only: concurrent.futures loads after the first paint (app.main).
    from concurrent.futures import Executor, Future

log = logging.getLogger(__name__)
T = TypeVar("T")


class PoolCalls(QObject):
    _done = Signal(object, object)  # callback, Future

    def __init__(self, pool: Executor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.closed = False
        self._done.connect(self._deliver)

    def submit(self, fn: Callable[[], T], then: Callable[[T], None],
               failed: Callable[[BaseException], None] | None = None) -> bool:
        """False when the pool is shut down (the window is closing): nothing will come."""

        def finish(fut: Future[Any]) -> None:
            if self.closed or fut.cancelled():
                return
            exc = fut.exception()
            if exc is not None:
                log.warning("pool call %s failed: %r", getattr(fn, "__qualname__", fn), exc)
                if failed is not None:
                    failed(exc)
                return
            then(fut.result())

        try:
            fut = self.pool.submit(fn)
        except RuntimeError:  # pool shut down at exit
            return False
        fut.add_done_callback(lambda f: self._emit(finish, f))
        return True

    def _emit(self, callback: Callable[[Future[Any]], None], fut: Future[Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the receiver is already deleted at exit
            self._done.emit(callback, fut)

    @staticmethod
    def _deliver(callback: Callable[[Future[Any]], None], fut: Future[Any]) -> None:
        callback(fut)

    def close(self) -> None:
        self.closed = True
