"""The inputs area: drop, paste or browse; 1–3 thumbnails with remove buttons."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.ui.icons import icon
from qwen_studio.ui.image_loading import PASTE_SUFFIXES, encoded_image
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

EMPTY_TEXT = QT_TRANSLATE_NOOP("DropZone", "Drop photos, paste (Ctrl+V) or click to browse")
THUMB = 84


def mime_has_media(mime: QMimeData) -> bool:
    return (mime.hasImage() or any(u.isLocalFile() for u in mime.urls())
            or any(kind.lower() in PASTE_SUFFIXES for kind in mime.formats()))


class _Thumb(QFrame):
    removeClicked = Signal()

    def __init__(self, index: int, name: str, image: QImage | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(f"inputThumb{index}")
        self.setFixedSize(THUMB, THUMB)
        self.setToolTip(name)
        self.setAccessibleName(self.tr("Input {i}: {name}").format(i=index + 1, name=name))
        self.setAccessibleDescription(self.tr("Input image thumbnail"))
        # Colours come from the theme's style sheet (QFrame[inputThumb="true"] and its label
        # and button), so they follow a live light/dark switch.
        self.setProperty("inputThumb", True)
        label = QLabel(self)
        label.setGeometry(1, 1, THUMB - 2, THUMB - 2)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if image is not None and not image.isNull():
            dpr = self.devicePixelRatioF()
            pm = QPixmap.fromImage(image).scaled(
                QSize(int((THUMB - 4) * dpr), int((THUMB - 4) * dpr)),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            pm.setDevicePixelRatio(dpr)
            label.setPixmap(pm)
        else:
            label.setText("…")
        remove = QToolButton(self)
        remove.setObjectName(f"removeInput{index}")
        remove.setIcon(icon("close", "#ffffff"))  # white on the thumbnail's dark disc
        remove.setToolTip(self.tr("Remove {name}").format(name=name))
        remove.setAccessibleName(self.tr("Remove input {i}").format(i=index + 1))
        remove.setAccessibleDescription(self.tr("Remove {name} from the inputs").format(name=name))
        remove.setFixedSize(22, 22)
        remove.move(THUMB - 24, 2)
        remove.clicked.connect(self.removeClicked)
        self.remove_button = remove


class DropZone(QFrame):
    """Emits what the user asked for; the window decides (limits, decoding in the pool)."""

    filesDropped = Signal(list)  # list[str] local paths, in drop order
    imageDropped = Signal(QImage)  # a bitmap dropped from this app (nothing to decode)
    encodedDropped = Signal(QByteArray, str)  # an encoded image from another app, suffix
    browseRequested = Signal()
    removeRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAccessibleName(self.tr("Input images"))
        self.setAccessibleDescription(
            self.tr("Drop up to three photos here, paste with Ctrl+V, or press Enter to browse")
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumHeight(120)
        self._hover = False
        self._names: list[str] = []

        self._empty = QLabel(self.tr(EMPTY_TEXT))
        self._empty.setObjectName("dropZoneEmpty")
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._thumbs_row = QHBoxLayout()
        self._thumbs_row.setSpacing(8)
        self._thumbs_row.setContentsMargins(0, 0, 0, 0)
        self._thumbs = QWidget()
        self._thumbs.setLayout(self._thumbs_row)
        self._thumbs.hide()
        self._caption = QLabel()
        self._caption.setObjectName("dropZoneCaption")
        self._caption.setWordWrap(True)
        self._caption.hide()
        self.message_label = QLabel()
        self.message_label.setObjectName("dropZoneMessage")
        self.message_label.setAccessibleName(self.tr("Input note"))
        self.message_label.setAccessibleDescription(
            self.tr("Why a file was not added, or a note about the inputs"))
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self._message_icon = QLabel()
        self._message_icon.setObjectName("dropZoneMessageIcon")
        self._message_icon.setFixedSize(16, 16)
        self._message_icon.hide()
        message_row = QHBoxLayout()
        message_row.setContentsMargins(0, 0, 0, 0)
        message_row.setSpacing(6)
        message_row.addWidget(self._message_icon, 0, Qt.AlignmentFlag.AlignTop)
        message_row.addWidget(self.message_label, 1)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.addWidget(self._empty, 1)
        lay.addWidget(self._thumbs, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self._caption)
        lay.addLayout(message_row)
        self._restyle()

    # -- state ---------------------------------------------------------------------------------
    def set_inputs(self, items: list[tuple[str, QImage | None]]) -> None:
        """Show thumbnails for (display name, image or None while still loading)."""
        while self._thumbs_row.count():
            item = self._thumbs_row.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self._names = [name for name, _ in items]
        for i, (name, image) in enumerate(items):
            thumb = _Thumb(i, name, image, self._thumbs)
            thumb.removeClicked.connect(lambda i=i: self.removeRequested.emit(i))
            self._thumbs_row.addWidget(thumb)
        has = bool(items)
        self._empty.setVisible(not has)
        self._thumbs.setVisible(has)
        self._caption.setVisible(has)
        if has:
            self._caption.setText(self.tr("Drop, paste or click to add or replace"))
        self.setAccessibleDescription(
            (self.tr("{n} input image(s): {names}. ").format(n=len(items),
                                                             names=", ".join(self._names))
             if has else "")
            + self.tr("Drop photos, paste with Ctrl+V, or press Enter to browse")
        )

    def input_names(self) -> list[str]:
        return list(self._names)

    def set_message(self, text: str, kind: str = "error") -> None:
        """An inline note under the thumbnails (icon + word, not colour alone)."""
        if not text:
            self.message_label.clear()
            self.message_label.hide()
            self._message_icon.hide()
            return
        word = {"error": self.tr("Not added"), "warning": self.tr("Note")}.get(kind, "")
        self._set_state(self.message_label, "noteKind", kind)  # theme colour of the kind
        meaning = {"error": "warning", "warning": "warning"}.get(kind, "info")
        self._message_icon.setPixmap(icon(meaning, f"{kind}_fg" if kind in (
            "error", "warning") else "info_fg").pixmap(16, 16))
        self._message_icon.show()
        # Chinese puts a full-width colon after the word, as after the file's name.
        shown = self.tr("{word}: {text}").format(word=word, text=text) if word else text
        self.message_label.setText(shown)
        self.message_label.setAccessibleName(shown)
        self.message_label.show()

    def message(self) -> str:
        return self.message_label.text() if not self.message_label.isHidden() else ""

    def _restyle(self) -> None:
        # The theme's style sheet has every colour (#dropZone[dropHover="true"] and so on):
        # the zone only says which state it is in, and a live theme switch restyles it.
        self._set_state(self, "dropHover", self._hover)

    @staticmethod
    def _set_state(widget: QWidget, name: str, value: object) -> None:
        current = widget.property(name)
        if current == value or (current is None and not value):
            return  # unchanged (or still the default): no re-polish
        widget.setProperty(name, value)
        widget.style().unpolish(widget)  # property selectors are matched at polish time
        widget.style().polish(widget)

    # -- input ---------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if mime_has_media(event.mimeData()):
            event.acceptProposedAction()
            self._hover = True
            self._restyle()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if mime_has_media(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._hover = False
        self._restyle()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._hover = False
        self._restyle()
        mime = event.mimeData()
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        encoded = None if paths else encoded_image(mime)
        if paths:
            event.acceptProposedAction()
            self.filesDropped.emit(paths)
        elif encoded is not None:
            # Its bytes, written as a file in the pool: imageData() would decode them here.
            event.acceptProposedAction()
            self.encodedDropped.emit(*encoded)
        elif mime.hasImage():  # in-process image data: a QImage already, no decode
            event.acceptProposedAction()
            self.imageDropped.emit(QImage(mime.imageData()))
        else:
            event.ignore()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.browseRequested.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.browseRequested.emit()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._names:
            self.removeRequested.emit(len(self._names) - 1)
            return
        super().keyPressEvent(event)
