"""The centre of the window: notices over the canvas, or the welcome panel until the
window is connected (qwen_studio.ui.connection_status switches them)."""

from __future__ import annotations

from PySide6.QtWidgets import QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from qwen_studio.ui.compare.results import make_compare_view
from qwen_studio.ui.dialogs.welcome_panel import WelcomePanel
from qwen_studio.ui.notices import Notices
from qwen_studio.ui.notices.banner import Banner


class CanvasArea(QWidget):
    def __init__(self, notices: Notices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvasArea")
        self.banner = Banner(notices)
        self.compare_view = make_compare_view()
        self.compare_view.setSizePolicy(QSizePolicy.Policy.Expanding,
                                        QSizePolicy.Policy.Expanding)
        self.welcome = WelcomePanel()
        self.stack = QStackedWidget()
        self.stack.setObjectName("canvasStack")
        self.stack.addWidget(self.compare_view)
        self.stack.addWidget(self.welcome)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(8)
        lay.addWidget(self.banner)
        lay.addWidget(self.stack, 1)
