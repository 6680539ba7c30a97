"""ConnectionStatus: what the window shows about the Connection, and the profile reload.

Observes qt.connection.Connection: the status bar's profile label, the welcome panel versus
the editor, the demo button, the request style the editor builds for, and the notices a
connection ends (NOT_CONNECTED, CONFIG): the demo coming up clears "not connected".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QLabel

from qwen_studio.core.config import ConfigStore
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.core.errors import ConfigError
from qwen_studio.qt.connection import DEMO_PROFILE, Connection, ConnectionState
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui.editor.state import EditorState
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel, Notices

if TYPE_CHECKING:
    from qwen_studio.ui.compare.canvas_area import CanvasArea

translate = QCoreApplication.translate  # context "MainWindow": its strings moved here
SetEndpoint = Callable[[Endpoint | None, str], None]


def profile_display(ep: Endpoint) -> str:
    # The demo's profile name is an identifier (history stores it); show it translated.
    if ep.profile_name == DEMO_PROFILE:
        return translate("MainWindow", "Demo sandbox")
    return ep.profile_name or ep.base_url


class ConnectionStatus(QObject):
    def __init__(self, connection: Connection, *, label: QLabel, canvas: CanvasArea,
                 editor: EditorState,
                 notices: Notices, status: Callable[[str], None],
                 open_settings: Callable[[], None]) -> None:
        super().__init__(label)
        self.connection, self.label = connection, label
        # The editor or the welcome panel (built the first time it is shown).
        self.canvas, self.editor = canvas, editor
        self.notices, self._status, self._open_settings = notices, status, open_settings
        connection.changed.connect(self.update)

    def update(self) -> None:
        conn = self.connection
        ep = conn.endpoint
        if ep is not None:
            # Connected: the situations that said otherwise are over.
            self.notices.clear(NoticeKind.NOT_CONNECTED, NoticeKind.CONFIG)
            if ep.profile_name == DEMO_PROFILE:
                self._status(translate("MainWindow", "Demo sandbox running on this computer: "
                                       "results are generated locally."))
        self.editor.set_style(ep.style if ep else "bailian")
        for welcome in self.canvas.built_welcomes:  # the panel, the bar over the canvas
            welcome.demo_button.setEnabled(not conn.demo_starting)
        label = self.label
        if conn.state is ConnectionState.DEMO_STARTING:
            # The editor, not the welcome panel: the demo is a moment from ready.
            label.setText(translate("MainWindow", "◌ Starting the demo sandbox…"))
            label.setToolTip("")
            self.canvas.show_welcome(False)
        elif ep is None:
            label.setText(translate("MainWindow", "○ Not connected"))
            label.setToolTip(translate("MainWindow", "Set up your API in Settings (Ctrl+,)"))
            self.canvas.show_welcome(True)
        else:
            label.setText(f"● {profile_display(ep)}")
            label.setToolTip(f"{ep.base_url} ({ep.style})")
            self.canvas.show_welcome(False)
        label.setAccessibleDescription(label.text())

    def show_profile(self, name: str, base_url: str, style: str) -> None:
        """A saved profile whose key is still being read (the window's load_config): the
        editor under the profile's name, as when connected; `update` follows the result."""
        self.editor.set_style(style)
        self.label.setText(f"● {name or base_url}")
        self.label.setToolTip(f"{base_url} ({style})")
        self.label.setAccessibleDescription(self.label.text())
        self.canvas.show_welcome(False)

    # -- the configured profile --------------------------------------------------------------
    def load_config(self, store: ConfigStore, set_endpoint: SetEndpoint) -> None:
        """Resolve the configured endpoint now (start-up; keyring lookups are quick there)."""
        try:
            resolved = store.resolve()
        except ConfigError:
            set_endpoint(None, "")
            return
        set_endpoint(resolved.endpoint, resolved.model)

    async def reload_config(self, store: ConfigStore, tasks: TaskRunner,
                            set_endpoint: SetEndpoint) -> None:
        """Settings saved a profile: use it, or say why it cannot be used."""
        try:
            resolved = await tasks.run(store.resolve)
        except ConfigError as exc:
            if self.connection.sandbox is None:
                set_endpoint(None, "")
                self.notices.show(Notice(NoticeKind.CONFIG, NoticeLevel.WARNING,
                                         exc.user_message, exc.hint,
                                         translate("MainWindow", "Open settings"),
                                         self._open_settings))
            return
        set_endpoint(resolved.endpoint, resolved.model)
        self._status(translate("MainWindow", "Connected to {name}").format(
            name=profile_display(resolved.endpoint)))
