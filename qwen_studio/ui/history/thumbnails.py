"""Row thumbnails: decoded in the pool for the rows on screen, kept in a bounded cache.

Only the delegate asks, and only while painting a row, so nothing is decoded for rows the
user never sees. A request waits SETTLE_MS before its decode starts, and starts only if its
row is still on screen then (the view says which are: `showing`): flinging through
thousands of rows, each shown for a frame, decodes nothing until the list comes to rest;
scrolling slowly, each row's picture arrives while it is in view. At most MAX_WAITING wait
(newest first) and at most IN_FLIGHT decode at once, so the pool stays free for the edits.
The library's small stored thumbnails (a few KB of WebP) make a decode well under 1 ms, and
the worker crops and scales each to the row's square, so painting it is a plain copy.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from qwen_studio.core.library import Library
from qwen_studio.qt.pool_calls import PoolCalls

if TYPE_CHECKING:
    # Types only: concurrent.futures loads after the first paint (app.main).
    from concurrent.futures import Executor

CACHE_MAX = 400  # 56 px squares (~12 KB each decoded): a few MB at most
SIDE = 56  # the row's thumbnail square, in device-independent pixels
IN_FLIGHT = 2
MAX_WAITING = 96  # a few screenfuls; older requests are for rows scrolled away
READY_MS = 100  # a screenful of decodes is announced as one repaint
# A row must stay on screen this long for its picture to be decoded: less is a fling (a
# frame is 16 ms), where a decode would land after the row has gone.
SETTLE_MS = 50


def load_thumbnail(library: Library | None, path: Path, side: int = SIDE) -> QImage:
    """Worker thread: the small stored thumbnail when the file is the library's, else the
    file itself decoded; cropped to a centred square of `side` pixels."""
    img = QImage()
    if library is not None:
        data = library.small_thumbnail(path)
        if data is not None:
            img = QImage.fromData(data)
    if img.isNull():
        from qwen_studio.ui.image_loading import decode_image

        img = decode_image(path, 2 * side)
    return square(img, side)


def square(img: QImage, side: int) -> QImage:
    if img.isNull():
        return img
    scaled = img.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                        Qt.TransformationMode.SmoothTransformation)
    x, y = (scaled.width() - side) // 2, (scaled.height() - side) // 2
    return scaled.copy(x, y, side, side)


class ThumbnailCache(QObject):
    ready = Signal()  # some thumbnails arrived: repaint what is on screen

    def __init__(self, library: Library | None, pool: Executor, parent: QObject | None = None,
                 *, max_items: int = CACHE_MAX, side: int = SIDE) -> None:
        super().__init__(parent)
        self.library = library
        self.max_items = max_items
        self.side = side  # device pixels (the view may set it from its screen)
        self._calls = PoolCalls(pool, self)
        # Keyed by the path's text: hashing str is cheap, Path's is not (a fling asks
        # thousands of times a second).
        self._images: dict[str, QImage] = {}
        # When each path was last asked for: the cache keeps what was painted most recently
        # (decodes finish newest-request first, so arrival order says nothing about that).
        self._used: dict[str, int] = {}
        self._clock = 0
        # Asked for and not yet decoding, newest last: the path and when it was first asked.
        self._waiting: OrderedDict[str, tuple[Path, float]] = OrderedDict()
        # The paths (as text) of the rows on screen now; None: every row asked for counts.
        self.showing: Callable[[], Collection[str]] | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._settled)
        self._settling = False
        self._closed = False
        self._running: set[str] = set()
        self._failed: set[str] = set()
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.setInterval(READY_MS)
        self._announce.timeout.connect(self._announce_arrived)
        self._arrived: set[str] = set()  # decoded since the last announcement

    def get(self, path: Path | None) -> QImage | None:
        """The cached image, or None while it loads (asked for once)."""
        if path is None:
            return None
        key = str(path)
        self._clock = clock = self._clock + 1
        self._used[key] = clock
        img = self._images.get(key)
        if img is not None:
            return img
        if key in self._running or key in self._failed or self._closed:
            return None
        waiting = self._waiting
        if key in waiting:
            waiting.move_to_end(key)
        else:
            waiting[key] = (path, time.monotonic())
            if len(waiting) > MAX_WAITING:
                waiting.popitem(last=False)  # scrolled away long ago
        if not self._settling:  # a Python flag: isActive() is a call into Qt per row
            self._settling = True
            self._settle.start()
        return None

    def __len__(self) -> int:
        return len(self._images)

    @property
    def pending(self) -> int:
        return len(self._waiting) + len(self._running)

    def _ripe(self) -> list[tuple[str, Path]]:
        """The waiting requests to decode now, newest last: rows still on screen that have
        been there SETTLE_MS. Rows gone from the screen are forgotten (painted again, they
        ask again)."""
        if not self._waiting:
            return []
        try:
            showing = self.showing() if self.showing is not None else None
        except RuntimeError:  # the view is gone (window closing): nothing is on screen
            showing = ()
        settled = time.monotonic() - SETTLE_MS / 1000
        ripe: list[tuple[str, Path]] = []
        young = False
        for key, (path, since) in list(self._waiting.items()):
            if showing is not None and key not in showing:
                del self._waiting[key]
            elif since <= settled:
                ripe.append((key, path))
            else:
                young = True
        if young and not self._settling:
            self._settling = True
            self._settle.start()
        return ripe

    def _announce_arrived(self) -> None:
        """Repaint for what arrived, unless all of it is for rows scrolled away since
        (in a fling a repaint of the whole list would show none of it)."""
        arrived, self._arrived = self._arrived, set()
        try:
            showing = self.showing() if self.showing is not None else None
        except RuntimeError:  # the view is gone (window closing)
            return
        if showing is None or not arrived.isdisjoint(showing):
            self.ready.emit()

    def _settled(self) -> None:
        self._settling = False
        self._pump()

    def _pump(self) -> None:
        lib, side = self.library, self.side
        ripe = self._ripe() if len(self._running) < IN_FLIGHT else []
        while ripe and len(self._running) < IN_FLIGHT:
            key, path = ripe.pop()  # the row painted last first
            del self._waiting[key]
            self._running.add(key)

            def done(img: QImage, key: str = key) -> None:
                self._running.discard(key)
                self._images[key] = img
                if len(self._images) > self.max_items + self.max_items // 8:
                    self._evict()
                self._arrived.add(key)
                if not self._announce.isActive():
                    self._announce.start()
                self._pump()

            def failed(_exc: BaseException, key: str = key) -> None:
                self._running.discard(key)
                self._failed.add(key)
                self._pump()

            if not self._calls.submit(lambda p=path: load_thumbnail(lib, p, side), done,
                                      failed):
                self._running.discard(key)
                return

    def _evict(self) -> None:
        """Down to max_items, keeping the most recently painted (a batch at a time: the
        cache may run an eighth over its size, never more)."""
        used = self._used
        keep = sorted(self._images, key=lambda k: used.get(k, 0))[-self.max_items:]
        self._images = {k: self._images[k] for k in keep}
        if len(used) > 8 * self.max_items:  # forget rows long gone
            self._used = {k: used[k] for k in sorted(used, key=used.__getitem__)
                          [-2 * self.max_items:]}

    def close(self) -> None:
        self._closed = True
        self._announce.stop()
        self._settle.stop()
        self._calls.close()
        self._waiting.clear()
        self._images.clear()
