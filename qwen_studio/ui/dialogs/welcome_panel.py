"""First run, nothing configured: set up the API, or try the built-in demo.

Two forms: the full panel in place of the empty canvas, and a compact bar over the canvas
once the user has put something on it (a photo added before connecting stays in view; the
same two next steps stay one click away)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePanel(QFrame):
    setupRequested = Signal()
    demoRequested = Signal()

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.compact = compact
        self.setObjectName("welcomeBar" if compact else "welcomePanel")
        self.setAccessibleName(self.tr("Welcome"))
        self.setAccessibleDescription(self.tr("Connect Qwen Studio to the service, or try the "
                                              "demo"))

        self.title = title = QLabel(self.tr("Welcome to Qwen Studio"))
        title.setObjectName("welcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = body = QLabel(self.tr(
            "Not connected yet: set up your API key to run edits — or try the demo, which "
            "needs no key.") if compact else self.tr(
            "Edit photos by describing the change. To start, connect your Alibaba Cloud "
            "Model Studio (DashScope) API key — or try the demo, which runs a local stand-in "
            "service on this computer and needs no key."))
        body.setObjectName("welcomeBarText" if compact else "welcomeBody")
        body.setWordWrap(True)

        self.setup_button = QPushButton(self.tr("Set up your API"))
        self.setup_button.setObjectName("setupApiButton")
        self.setup_button.setAccessibleName(self.tr("Set up your API"))
        self.setup_button.setAccessibleDescription(self.tr("Open Settings to add an endpoint and "
                                                           "API key"))
        self.setup_button.setDefault(not compact)
        self.demo_button = QPushButton(self.tr("Try the demo"))
        self.demo_button.setObjectName("tryDemoButton")
        self.demo_button.setAccessibleName(self.tr("Try the demo"))
        self.demo_button.setAccessibleDescription(
            self.tr("Start a local sandbox service and use it instead of the real API")
        )
        self.setup_button.clicked.connect(self.setupRequested)
        self.demo_button.clicked.connect(self.demoRequested)
        if compact:
            self._lay_out_bar()
        else:
            self._lay_out_panel()
        # Colours and sizes come from the theme's style sheet (#welcomeTitle, #welcomeBody,
        # #welcomeBar): readable in light and dark, and they follow a live switch.

    def _lay_out_bar(self) -> None:
        self.title.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.addWidget(self.body, 1)
        row.addWidget(self.setup_button)
        row.addWidget(self.demo_button)

    def _lay_out_panel(self) -> None:
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setMaximumWidth(520)
        for b in (self.setup_button, self.demo_button):
            b.setMinimumHeight(36)
            b.setMinimumWidth(160)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.setup_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)

        lay = QVBoxLayout(self)
        lay.addStretch(2)
        lay.addWidget(self.title)
        lay.addSpacing(8)
        # Centred by stretches, not by an alignment flag: an aligned word-wrapped label gets
        # its size hint's height and cut off after two lines; in a row it wraps to its width.
        body_row = QHBoxLayout()
        body_row.addStretch(1)
        body_row.addWidget(self.body, 4)
        body_row.addStretch(1)
        lay.addLayout(body_row)
        lay.addSpacing(20)
        lay.addLayout(buttons)
        lay.addStretch(3)
