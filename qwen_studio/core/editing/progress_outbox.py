"""ProgressOutbox: the edit queue's listeners, and its changes delivered to them in order.

A listener that acts on the queue (cancel, retry) publishes from inside a delivery: its
change is delivered after the current one reached every listener, so no listener sees an
edit finished and then still running. `held()` delays delivery to the end of a block, so
listeners see the queue as the whole block left it (an edit's end and the next one's
start).
"""

from __future__ import annotations

import collections
import contextlib
import logging
from collections.abc import Callable, Iterator

from qwen_studio.core.editing.progress import EditProgress

Listener = Callable[[EditProgress], None]


class ProgressOutbox:
    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._listeners: list[Listener] = []
        self._outbox: collections.deque[EditProgress] = collections.deque()
        self._delivering = False

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def publish(self, progress: EditProgress) -> None:
        self._outbox.append(progress)
        if not self._delivering:
            self._deliver()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Changes published in the block are delivered after it, in order."""
        if self._delivering:
            yield
            return
        self._delivering = True
        try:
            yield
        finally:
            self._delivering = False
            self._deliver()

    def _deliver(self) -> None:
        self._delivering = True
        try:
            while self._outbox:
                current = self._outbox.popleft()
                for listener in list(self._listeners):
                    try:
                        listener(current)
                    except Exception:  # a listener's bug must not stop the queue
                        self._log.exception("edit queue listener failed")
        finally:
            self._delivering = False
