"""Row thumbnails: decoded in the pool for the rows being painted, kept in a bounded cache.

Only the delegate asks, and only while painting a row on screen, so nothing is decoded for
rows the user never sees. While the user flings through thousands of rows, requests for
rows already scrolled away are dropped: at most MAX_WAITING wait (newest first) and at most
IN_FLIGHT decode at once, so the pool stays free for the edits and for what is on screen now.
The library's small stored thumbnails (a few KB of WebP) make a decode well under 1 ms.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from qwen_studio.core.library import Library
from qwen_studio.qt.pool_calls import PoolCalls

if TYPE_CHECKING:
    # Types only: concurrent.futures loads after the first paint (app.main).
    from concurrent.futures import Executor

CACHE_MAX = 400  # ~112 px images (~50 KB each decoded): about 20 MB at most
SIDE = 112
IN_FLIGHT = 2
MAX_WAITING = 96  # a few screenfuls; older requests are for rows scrolled away
READY_MS = 100  # a screenful of decodes is announced as one repaint


def load_thumbnail(library: Library | None, path: Path, side: int = SIDE) -> QImage:
    """Worker thread: the small stored thumbnail when the file is the library's, else the
    file itself decoded down to `side`."""
    if library is not None:
        data = library.small_thumbnail(path)
        if data is not None:
            img = QImage.fromData(data)
            if not img.isNull():
                return img
    from qwen_studio.ui.image_loading import decode_image

    return decode_image(path, side)


class ThumbnailCache(QObject):
    ready = Signal()  # some thumbnails arrived: repaint what is on screen

    def __init__(self, library: Library | None, pool: Executor, parent: QObject | None = None,
                 *, max_items: int = CACHE_MAX) -> None:
        super().__init__(parent)
        self.library = library
        self.max_items = max_items
        self._calls = PoolCalls(pool, self)
        self._images: dict[Path, QImage] = {}
        # When each path was last asked for: the cache keeps what was painted most recently
        # (decodes finish newest-request first, so arrival order says nothing about that).
        self._used: dict[Path, int] = {}
        self._clock = 0
        self._waiting: OrderedDict[Path, None] = OrderedDict()  # newest last
        self._running: set[Path] = set()
        self._failed: set[Path] = set()
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.setInterval(READY_MS)
        self._announce.timeout.connect(self.ready)

    def get(self, path: Path | None) -> QImage | None:
        """The cached image, or None while it loads (asked for once)."""
        if path is None:
            return None
        self._clock += 1
        self._used[path] = self._clock
        img = self._images.get(path)
        if img is not None:
            return img
        if path in self._running or path in self._failed or self._calls.closed:
            return None
        self._waiting[path] = None
        self._waiting.move_to_end(path)
        while len(self._waiting) > MAX_WAITING:
            self._waiting.popitem(last=False)  # scrolled away long ago
        self._pump()
        return None

    def __len__(self) -> int:
        return len(self._images)

    @property
    def pending(self) -> int:
        return len(self._waiting) + len(self._running)

    def _pump(self) -> None:
        lib = self.library
        while self._waiting and len(self._running) < IN_FLIGHT:
            path, _ = self._waiting.popitem(last=True)  # the row painted last: on screen
            self._running.add(path)

            def done(img: QImage, path: Path = path) -> None:
                self._running.discard(path)
                self._images[path] = img
                if len(self._images) > self.max_items:
                    self._evict()
                if not self._announce.isActive():
                    self._announce.start()
                self._pump()

            def failed(_exc: BaseException, path: Path = path) -> None:
                self._running.discard(path)
                self._failed.add(path)
                self._pump()

            if not self._calls.submit(lambda p=path: load_thumbnail(lib, p), done, failed):
                self._running.discard(path)
                return

    def _evict(self) -> None:
        used = self._used
        keep = sorted(self._images, key=lambda p: used.get(p, 0))[-self.max_items:]
        self._images = {p: self._images[p] for p in keep}
        if len(used) > 4 * self.max_items + MAX_WAITING:  # forget long-gone rows
            cutoff = sorted(used.values())[-2 * self.max_items]
            self._used = {p: n for p, n in used.items() if n >= cutoff}

    def close(self) -> None:
        self._announce.stop()
        self._calls.close()
        self._waiting.clear()
        with contextlib.suppress(RuntimeError):
            self._images.clear()
