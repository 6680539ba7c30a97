"""Settings ▸ Test connection: the button and its inline result. The test runs the tester
the window hands in (a models list or a tiny request) with the typed key, or the saved one;
the result is words, an icon and the theme's colour of its outcome, never a traceback.

Its words keep the settings dialog's translation context ("SettingsDialog").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from qwen_studio.core.config import ConfigStore, Profile
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui import theme
from qwen_studio.ui.dialogs.widget_names import named
from qwen_studio.ui.error_text import error_hint, error_message, status_note
from qwen_studio.ui.icon_label import IconLabel

translate = QCoreApplication.translate
Tester = Callable[[Endpoint], Awaitable[str]]
# The outcomes' icons (meaning, colour token); the words say it too.
_TEST_ICONS = {"busy": ("running", "muted"), "ok": ("done", "ok_fg"),
               "failed": ("failed", "error_fg")}


class ConnectionTest(QWidget):
    """`button` and `result` in one row; `start(profile, typed_key)` runs a test."""

    def __init__(self, store: ConfigStore, tester: Tester | None, tasks: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.tester, self.tasks = store, tester, tasks
        self.button = named(QPushButton(translate("SettingsDialog", "Test connection")),
                            "testButton", translate("SettingsDialog", "Test connection"),
                            translate("SettingsDialog", "Check that the URL and key work, "
                                                        "without running an edit"))
        self.result = IconLabel()
        self.result.setObjectName("testResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Coloured by the theme's #testResult[outcome=…] rules (busy/ok/failed); the icon
        # and the words say it too, never the colour alone.
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addWidget(self.result, 1)

    def start(self, profile: Profile, typed_key: str) -> None:
        if self.tester is None:
            self.show_outcome("", translate("SettingsDialog", "Testing is not available here."))
            return
        if not profile.base_url.startswith(("http://", "https://")):
            self.show_outcome("failed", translate(
                "SettingsDialog", "Failed: the base URL must start with http:// or https://"))
            return
        self.button.setEnabled(False)
        self.show_outcome("busy", translate("SettingsDialog", "Testing…"))
        self.tasks.spawn(self._test(self.tester, profile, typed_key))

    async def _test(self, tester: Tester, profile: Profile, typed_key: str) -> None:
        try:
            key = typed_key
            if not key and profile.name:
                key = await self.tasks.run(self.store.get_key, profile.name) or ""
            if not key:
                raise QwenStudioError(translate("SettingsDialog", "there is no API key to test"),
                                      hint=translate("SettingsDialog", "Paste the key first."))
            endpoint = Endpoint(profile.base_url, profile.style, key, profile.name)
            text = await tester(endpoint)
            # The tester says what it proved ("Connected to HOST; the key was accepted").
            self.show_outcome("ok", status_note(text))
        except QwenStudioError as exc:
            hint = error_hint(exc)
            self.show_outcome("failed", translate("SettingsDialog", "Failed: {error}").format(
                error=error_message(exc) + (f" — {hint}" if hint else "")))
        except Exception as exc:  # unexpected: still inline, never a traceback
            self.show_outcome("failed", translate("SettingsDialog", "Failed: {error}").format(
                error=type(exc).__name__))
        finally:
            self.button.setEnabled(True)

    def show_outcome(self, outcome: str, text: str) -> None:
        """The result's words and its state ("busy", "ok", "failed" or "" for a plain
        note), which picks its colour from the theme."""
        theme.set_state(self.result, "outcome", outcome)
        name, role = _TEST_ICONS.get(outcome, ("info", "info_fg"))
        self.result.set_note(text, name if text else "", role)
