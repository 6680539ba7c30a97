"""Driving the real window in tests: make photos, drop files, wait inside the qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QSettings,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QImage,
    QPainter,
    QStaticText,
)
from PySide6.QtWidgets import QApplication

from qwen_studio.core.client import ClientSettings, Endpoint


def make_jpeg(path: Path, size: tuple[int, int] = (640, 480), color=(200, 120, 40)) -> Path:
    Image.new("RGB", size, color).save(path, "JPEG", quality=90)
    return path


def drop_files(widget, paths: list[Path]) -> None:
    """A real drag-and-drop of files onto `widget` (no QTest helper exists for it)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(widget.rect().center())
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    # PySide6 6.11 offers the drag events only with a QPoint.
    QApplication.sendEvent(widget, QDragEnterEvent(pos.toPoint(), *args))
    QApplication.sendEvent(widget, QDragMoveEvent(pos.toPoint(), *args))
    QApplication.sendEvent(widget, QDropEvent(pos, *args))


async def until(cond: Callable[[], object], timeout: float = 15.0, what: str = "") -> None:
    """Poll inside a coroutine (qtbot.wait cannot run inside the qasync loop)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what or cond}")
        await asyncio.sleep(0.01)


class Windows:
    """Real main windows over the test's home: `windows(endpoint)` opens one (1400×900,
    shown, with `settings` for its client when given); `close(w)` quits one early, as a
    restart does; `close_all()` (the fixture's teardown) the rest. Each is shut down
    (library, edits) and deleted."""

    def __init__(self, qloop, settings: ClientSettings | None = None) -> None:
        self.qloop, self.settings = qloop, settings
        self.open: list = []

    def __call__(self, endpoint: Endpoint | None = None, **kwargs):
        from qwen_studio.app import create_main_window

        w = create_main_window(**kwargs)
        if endpoint is not None:
            w.set_endpoint(endpoint)
        if self.settings is not None:
            w.set_client_settings(self.settings)
        w.resize(1400, 900)
        w.show()
        self.open.append(w)
        return w

    def close(self, w) -> None:
        if w in self.open:
            self.open.remove(w)
            w.close()
            self.qloop.run(w.shutdown())
            w.deleteLater()

    def close_all(self) -> None:
        for w in list(self.open):
            self.close(w)


def sandbox_endpoint(sandbox, key: str = "test-key") -> Endpoint:
    return Endpoint(sandbox.base_url, "bailian", key, "Test sandbox")


def icon_ink(icon: QIcon | None, side: int = 32) -> QColor | None:
    """The colour `icon` draws in (its most opaque pixel, alpha dropped); None if it draws
    nothing. Asserts what a user sees of a themed icon: drawn, and in which colour."""
    if icon is None or icon.isNull():
        return None
    image = icon.pixmap(side, side).toImage()
    best, ink = 0, None
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if c.alpha() > best:
                best, ink = c.alpha(), QColor(c.red(), c.green(), c.blue())
    return ink if best >= 250 else None


class RecordingPainter(QPainter):
    """A QPainter that keeps every text drawn, with the pen's colour it was drawn in: what a
    painted row (the history delegate's) really shows, and how it reads on its background.
    `drawn`: [(text, colour)] in order; `texts`: the texts alone."""

    def __init__(self, device: QImage) -> None:
        super().__init__(device)
        self.drawn: list[tuple[str, QColor]] = []

    @property
    def texts(self) -> list[str]:
        return [text for text, _ in self.drawn]

    def drawText(self, *args: object) -> None:  # type: ignore[override]
        self.drawn.append((str(args[-1]), self.pen().color()))
        super().drawText(*args)  # type: ignore[call-overload]

    def drawStaticText(self, *args: object) -> None:  # type: ignore[override]
        text = args[-1]  # the delegate draws its repeated short texts prepared
        self.drawn.append((text.text() if isinstance(text, QStaticText) else str(text),
                           self.pen().color()))
        super().drawStaticText(*args)  # type: ignore[call-overload]


class OneRowModel(QAbstractListModel):
    """One history row (an entry or a batch group) under a day header, for painting a row
    alone with the history delegate; no thumbnails (the delegate asks the model)."""

    def __init__(self, row: object, header: str = "") -> None:
        super().__init__()
        self.entry, self.header = row, header

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        from qwen_studio.ui.history.model import EntryRole, HeaderRole

        return {EntryRole: self.entry, HeaderRole: self.header}.get(role)

    def thumbnail(self, path: object) -> None:
        return None


def saved_negative(tmp_path: Path, text: str) -> QSettings:
    """Settings as a quit left them with `text` as the negative prompt, its box closed:
    what the next start reads (pass as make_window(settings=…))."""
    ini = str(tmp_path / "s.ini")
    s = QSettings(ini, QSettings.Format.IniFormat)
    s.setValue("prompt/negative", text)
    s.setValue("prompt/negativeExpanded", "false")
    s.sync()
    return QSettings(ini, QSettings.Format.IniFormat)

