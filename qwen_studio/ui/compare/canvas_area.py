"""The centre of the window: the canvas (or the welcome panel until the window is
connected; qwen_studio.ui.connection_status switches them), with notices laid over its top
edge instead of pushing the image down (the banner is built with the first notice).

Once something is on the canvas (a photo added, a history entry shown) before the window is
connected, the canvas takes over and the welcome becomes a compact bar above it: the photo a
designer dropped is in view, and "Set up your API" / "Try the demo" stay one click away."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from qwen_studio.ui.compare.results import make_compare_view
from qwen_studio.ui.notices import Notices

if TYPE_CHECKING:
    from qwen_studio.ui.dialogs.welcome_panel import WelcomePanel
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
        self.stack = QStackedWidget()
        self.stack.setObjectName("canvasStack")
        self.stack.addWidget(self.compare_view)
        # The welcome panel (no profile yet) is built when first shown or asked for: a
        # configured or demo start never shows it. The window wires each one built.
        self._welcome: WelcomePanel | None = None
        self._welcome_bar: WelcomePanel | None = None  # the compact form, over the canvas
        self.welcome_built: Callable[[WelcomePanel], None] | None = None
        self._welcome_pending = False
        self._welcome_wanted = False  # not connected: the panel, or the bar once in use
        # The results grid's page is added when first wanted (ui/compare/grid_mode).
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.stack, 1)
        self.compare_view.canvas.viewChanged.connect(self._canvas_changed)
        # The banner: built when the first notice shows (or it is asked for), as most
        # starts show none.
        self.notices = notices
        self._banner: Banner | None = None
        notices.changed.connect(self._notice_changed)

    @property
    def banner(self) -> Banner:
        if self._banner is None:
            from qwen_studio.ui.notices.banner import Banner

            # Not in the layout: an overlay, placed by _place_banner whenever it or we
            # resize. It shows the current notice, if any, at once.
            self._banner = Banner(self.notices, self)
            self._banner.installEventFilter(self)
            self._banner.raise_()
            self._place_banner()
        return self._banner

    def _notice_changed(self) -> None:
        if self._banner is None and self.notices.current() is not None:
            _ = self.banner

    @property
    def welcome(self) -> WelcomePanel:
        if self._welcome is None:
            from qwen_studio.ui.dialogs.welcome_panel import WelcomePanel

            self._welcome = WelcomePanel()
            self.stack.addWidget(self._welcome)
            if self.welcome_built is not None:
                self.welcome_built(self._welcome)
        return self._welcome

    @property
    def welcome_bar(self) -> WelcomePanel:
        """The welcome's compact form: a bar above the canvas (built when first wanted)."""
        if self._welcome_bar is None:
            from qwen_studio.ui.dialogs.welcome_panel import WelcomePanel

            self._welcome_bar = WelcomePanel(compact=True)
            self._welcome_bar.hide()
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(0, self._welcome_bar)
            self.stack.installEventFilter(self)  # the bar moves it: the banner follows
            if self.welcome_built is not None:
                self.welcome_built(self._welcome_bar)
        return self._welcome_bar

    @property
    def built_welcome(self) -> WelcomePanel | None:
        """The welcome panel if it was built (without building it)."""
        return self._welcome

    @property
    def built_welcomes(self) -> list[WelcomePanel]:
        """The welcome panel and bar that were built (without building them)."""
        return [p for p in (self._welcome, self._welcome_bar) if p is not None]

    def show_welcome(self, on: bool) -> None:
        """The welcome panel (on) or the editor. Before the window first shows, the panel
        is only noted: create_main_window connects a profile or the demo before that, and
        the panel is built at the show only if it is still wanted. With something on the
        canvas, "on" is the canvas under the compact bar."""
        self._welcome_wanted = on
        in_use = on and bool(self.compare_view.canvas.panes())
        self._welcome_pending = on and not in_use and not self.isVisible()
        if on and not in_use and not self._welcome_pending:
            self.stack.setCurrentWidget(self.welcome)
        elif not on or in_use:
            self.stack.setCurrentWidget(self.compare_view)
        if in_use:
            self.welcome_bar.show()
        elif self._welcome_bar is not None:
            self._welcome_bar.hide()

    def _canvas_changed(self) -> None:
        # A photo or result arrived while the full welcome shows: the canvas takes over.
        if self._welcome_wanted and self.compare_view.canvas.panes() and (
                self._welcome_bar is None or not self._welcome_bar.isVisibleTo(self)):
            self.show_welcome(True)

    def showEvent(self, event: QShowEvent) -> None:
        if self._welcome_pending:
            self._welcome_pending = False
            self.stack.setCurrentWidget(self.welcome)
        super().showEvent(event)

    def _place_banner(self) -> None:
        banner = self._banner
        if banner is None:
            return
        width = max(200, self.width() - 2 * BANNER_MARGIN)
        height = banner.heightForWidth(width)
        if height <= 0:
            height = banner.sizeHint().height()
        if self._welcome is not None and self.stack.currentWidget() is self._welcome:
            top = BANNER_MARGIN
        else:  # under the toolbar and the mask bar's row: their buttons stay usable
            canvas_top = self.compare_view.canvas.mapTo(self, QPoint(0, 0)).y()
            top = canvas_top + BANNER_MARGIN // 2 if canvas_top > 0 else BANNER_TOP
        banner.setGeometry(BANNER_MARGIN, top, width, height)
        banner.raise_()
        self._labels_below_banner()

    def _labels_below_banner(self) -> None:
        """The canvas' corner labels ("Before", "After") move below a shown banner."""
        banner, canvas = self._banner, self.compare_view.canvas
        shown = banner is not None and banner.isVisibleTo(self)
        bottom = canvas.mapFrom(self, QPoint(0, banner.geometry().bottom() + 1)).y() if (
            banner is not None and shown) else 0
        canvas.set_label_top(max(0, bottom))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_banner()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        shown = kind in (QEvent.Type.Show, QEvent.Type.LayoutRequest)
        if (watched is self._banner and shown) or (
                watched is self.stack and kind == QEvent.Type.Move):
            self._place_banner()
        elif watched is self._banner and kind == QEvent.Type.Hide:
            self._labels_below_banner()
        return False
