"""Dialogs: opens the window's dialogs, one instance each, and closes them with it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMainWindow

from qwen_studio.core.config import ConfigStore
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.qt.tasks import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog  # each Qt class named here is built at import

    from qwen_studio.ui.dialogs.settings_dialog import SettingsDialog


class Dialogs:
    def __init__(self, window: QMainWindow, config_store: ConfigStore,
                 tester: Callable[[Endpoint], Awaitable[str]], tasks: TaskRunner,
                 settings: QSettings, profile_saved: Callable[[], object]) -> None:
        self.window, self.config_store, self.tester = window, config_store, tester
        self.tasks, self.settings, self._profile_saved = tasks, settings, profile_saved
        self.settings_dialog: SettingsDialog | None = None
        self.prices_saved: Callable[[], object] | None = None  # the window's price table
        self.shortcuts_dialog: QDialog | None = None

    def open_settings(self) -> None:
        if self.settings_dialog is None:
            from qwen_studio.ui.dialogs.settings_dialog import SettingsDialog

            self.settings_dialog = SettingsDialog(self.config_store, self.tester, self.tasks,
                                                  self.window, qsettings=self.settings)
            self.settings_dialog.profileSaved.connect(lambda _name: self._profile_saved())
            self.settings_dialog.prices_box.pricesSaved.connect(self._prices_saved)
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        self.settings_dialog.activateWindow()

    def _prices_saved(self) -> None:
        if self.prices_saved is not None:
            self.prices_saved()

    def show_shortcuts(self) -> None:
        from qwen_studio.ui.dialogs.shortcuts import ShortcutsDialog

        if self.shortcuts_dialog is None:
            # Built from the live QActions, so the list always matches the real keys.
            self.shortcuts_dialog = ShortcutsDialog(self.window)
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()

    def show_about(self) -> None:
        from qwen_studio.ui.dialogs.about_dialog import AboutDialog

        dlg = AboutDialog(self.window)
        dlg.setModal(False)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()

    @staticmethod
    def open_log_folder() -> None:
        """The rotating log (secrets scrubbed) is what to attach to a bug report."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from qwen_studio.core.logs import log_file

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file().parent)))

    def close_all(self) -> None:
        for d in (self.settings_dialog, self.shortcuts_dialog):
            if d is not None:
                d.close()
