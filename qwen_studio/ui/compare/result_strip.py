"""A row of result thumbnails under the canvas, shown when an edit returned several images."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QWidget

THUMB = 64  # logical px


def small_copy(image: QImage, side: int) -> QImage:
    """`image` fitted in side × side px, in milliseconds even for 24 MP (GUI thread)."""
    # Start from the smallest display copy decoded with the image that is still at least
    # 4× the thumbnail (image_loading.DecodedImage.levels), so no step reads 24 MP here.
    for level in getattr(image, "levels", ()):
        if isinstance(level, QImage) and max(level.width(), level.height()) >= side * 4:
            image = level
    # Else two steps: a cheap nearest pass to ~4× the size, then a smooth pass, so even a
    # 24 MP result costs milliseconds (results arrive decoded; this is only a resize).
    if max(image.width(), image.height()) > side * 4:
        image = image.scaled(side * 4, side * 4, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.FastTransformation)
    return image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


class ResultStrip(QListWidget):
    """Keyboard-navigable thumbnails; `resultSelected(index)` when the user picks one."""

    resultSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultStrip")
        self.setAccessibleName(self.tr("Results"))
        self.setAccessibleDescription(
            self.tr("Thumbnails of the images this edit returned. Left and right arrow keys choose "
            "which result is compared with the before image."))
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 16, THUMB + 24))
        self.setUniformItemSizes(True)
        self.setFixedHeight(THUMB + 24 + 6)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Background, numbers and the picked item's colours come from the theme's style
        # sheet (#resultStrip rules): light in light, dark in dark, and live on a switch.
        self._silent = False
        self.currentRowChanged.connect(self._on_row)

    def set_images(self, images: list[QImage]) -> None:
        """Replace the thumbnails; selects the first without emitting resultSelected."""
        self._silent = True
        try:
            self.clear()
            dpr = self.devicePixelRatioF()
            n = len(images)
            for i, img in enumerate(images):
                thumb = small_copy(img, round(THUMB * dpr))
                pix = QPixmap.fromImage(thumb)
                pix.setDevicePixelRatio(dpr)
                icon = QIcon(pix)
                # Without an explicit Selected pixmap the style tints the picked thumbnail,
                # which misrepresents its colours.
                icon.addPixmap(pix, QIcon.Mode.Selected)
                item = QListWidgetItem(icon, str(i + 1))
                size = f"{img.width()}×{img.height()}"
                item.setData(Qt.ItemDataRole.AccessibleTextRole, self.tr(
                    "Result {i} of {n}, {size}").format(i=i + 1, n=n, size=size))
                item.setToolTip(self.tr("Result {i} of {n} · {size}").format(i=i + 1, n=n,
                                                                             size=size))
                item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
                self.addItem(item)
            if n:
                self.setCurrentRow(0)
        finally:
            self._silent = False

    def select(self, index: int) -> None:
        self.setCurrentRow(index)

    def _on_row(self, row: int) -> None:
        if not self._silent and row >= 0:
            self.resultSelected.emit(row)
