"""The centre of the window: the canvas (or the welcome panel until the window is
connected; qwen_studio.ui.connection_status switches them), with notices laid over its top
edge instead of pushing the image down."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from qwen_studio.ui.compare.results import make_compare_view
from qwen_studio.ui.dialogs.welcome_panel import WelcomePanel
from qwen_studio.ui.notices import Notices
from qwen_studio.ui.notices.banner import Banner

BANNER_MARGIN = 12  # the notice floats this far inside the canvas' edges
BANNER_TOP = 44  # below the compare toolbar until the canvas is laid out


class CanvasArea(QWidget):
    def __init__(self, notices: Notices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvasArea")
        self.compare_view = make_compare_view()
        self.compare_view.setSizePolicy(QSizePolicy.Policy.Expanding,
                                        QSizePolicy.Policy.Expanding)
        self.welcome = WelcomePanel()
        self.stack = QStackedWidget()
        self.stack.setObjectName("canvasStack")
        self.stack.addWidget(self.compare_view)
        self.stack.addWidget(self.welcome)
        # The results grid's page is added when first wanted (ui/compare/grid_mode).
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.stack, 1)
        # Not in the layout: an overlay, placed by _place_banner whenever it or we resize.
        self.banner = Banner(notices, self)
        self.banner.installEventFilter(self)
        self.banner.raise_()

    def _place_banner(self) -> None:
        width = max(200, self.width() - 2 * BANNER_MARGIN)
        height = self.banner.heightForWidth(width)
        if height <= 0:
            height = self.banner.sizeHint().height()
        if self.stack.currentWidget() is self.welcome:
            top = BANNER_MARGIN
        else:  # under the toolbar and the mask bar's row: their buttons stay usable
            canvas_top = self.compare_view.canvas.mapTo(self, QPoint(0, 0)).y()
            top = canvas_top + BANNER_MARGIN // 2 if canvas_top > 0 else BANNER_TOP
        self.banner.setGeometry(BANNER_MARGIN, top, width, height)
        self.banner.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_banner()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.banner and event.type() in (QEvent.Type.Show,
                                                       QEvent.Type.LayoutRequest):
            self._place_banner()
        return False
