"""Connection profiles: endpoint, request style, default model and API key (never shown back)."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.config import (
    ENV_ENDPOINT,
    ENV_KEY,
    ENV_MODEL,
    ENV_STYLE,
    PRESET_PROFILES,
    ConfigStore,
    Profile,
)
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.request import DEFAULT_MODELS, STYLES, known_models
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui import image_loading
from qwen_studio.ui.dialogs.appearance_settings import AppearanceSettings
from qwen_studio.ui.dialogs.connection_test import ConnectionTest, Tester
from qwen_studio.ui.dialogs.price_settings import PriceSettings
from qwen_studio.ui.dialogs.widget_names import named
from qwen_studio.ui.error_text import error_message, status_note
from qwen_studio.ui.icon_label import IconLabel
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

NEW_PROFILE = "New profile…"  # the profile combo's last item (its data; shown translated)
# Translated where shown (self.tr); QT_TRANSLATE_NOOP marks them for lupdate.
STYLE_LABELS = {
    "bailian": QT_TRANSLATE_NOOP("SettingsDialog", "Bailian / OpenAI-compatible (bailian)"),
    "dashscope": QT_TRANSLATE_NOOP("SettingsDialog", "DashScope native (dashscope)"),
    "flat": QT_TRANSLATE_NOOP("SettingsDialog", "Flat OpenAI images (flat)"),
}
# The status notes' icons (meaning, colour token); the words say it too.
_SAVED = ("done", "ok_fg")
_NOT_SAVED = ("warning", "warning_fg")


class SettingsDialog(QDialog):
    profileSaved = Signal(str)

    def __init__(
        self,
        store: ConfigStore,
        tester: Tester | None = None,
        tasks: TaskRunner | None = None,
        parent: QWidget | None = None,
        qsettings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings — Connection"))
        self.setAccessibleName(self.tr("Settings"))
        self.setAccessibleDescription(self.tr("Connection profiles, API keys and request style"))
        self.setMinimumWidth(560)
        self.store = store
        self.tester = tester
        self.qsettings = qsettings
        # The window's runner; a dialog on its own uses the shared pool.
        self.tasks = tasks if tasks is not None else TaskRunner(image_loading.executor())

        self.profile_combo = named(QComboBox(), "profileCombo", self.tr("Profile"),
                                   self.tr("Choose a saved profile or make a new one"))
        self.beijing_button = named(
            QPushButton(self.tr("DashScope Beijing")), "presetBeijing", self.tr("Beijing preset"),
            self.tr("Fill in the DashScope Beijing endpoint"))
        self.singapore_button = named(
            QPushButton(self.tr("DashScope "
                                "Singapore")), "presetSingapore", self.tr("Singapore preset"),
            self.tr("Fill in the DashScope Singapore (international) endpoint"))
        self.name_edit = named(QLineEdit(), "profileNameEdit", self.tr("Profile name"),
                               self.tr("A name for this connection"))
        self.url_edit = named(QLineEdit(), "baseUrlEdit", self.tr("Base URL"),
                              self.tr("The service address, e.g. https://dashscope.aliyuncs.com"))
        self.url_edit.setPlaceholderText("https://…")
        self.style_combo = named(QComboBox(), "styleCombo", self.tr("Request style"),
                                 self.tr("The wire format the endpoint speaks"))
        for s in STYLES:
            self.style_combo.addItem(self.tr(STYLE_LABELS[s]) if s in STYLE_LABELS else s, s)
        self.model_combo = named(QComboBox(), "defaultModelCombo", self.tr("Default model"),
                                 self.tr("The model new edits start with"))
        self.model_combo.setEditable(True)
        self.model_combo.addItem("")
        self.model_combo.addItems(known_models())
        self.key_edit = named(QLineEdit(), "apiKeyEdit", self.tr("API key"),
                              self.tr("The key for this endpoint; it is stored securely, "
                                      "never in settings files"))
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("sk-…")
        self.show_key = named(QPushButton(self.tr("Show")), "showKeyButton",
                              self.tr("Show key"), self.tr("Show or hide the typed key"))
        self.show_key.setCheckable(True)
        self.show_key.toggled.connect(self._toggle_key)
        self.key_note = QLabel(status_note(store.key_backend_note()))
        self.key_note.setObjectName("keyNote")
        self.key_note.setWordWrap(True)  # its colour: the theme's #keyNote rule
        self.connection_test = ConnectionTest(store, tester, self.tasks)
        self.test_button = self.connection_test.button
        self.test_result = self.connection_test.result
        self.env_note = IconLabel()
        self.env_note.setObjectName("envNote")
        self.env_note.setWordWrap(True)
        self.delete_button = named(QPushButton(self.tr("Delete profile")), "deleteProfileButton",
                                   self.tr("Delete profile"),
                                   self.tr("Remove this profile and its key"))
        self.status_label = IconLabel()
        self.status_label.setObjectName("settingsStatus")
        self.status_label.setWordWrap(True)

        presets = QHBoxLayout()
        presets.addWidget(QLabel(self.tr("Presets:")))
        presets.addWidget(self.beijing_button)
        presets.addWidget(self.singapore_button)
        presets.addStretch(1)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)

        form = QFormLayout()
        form.addRow(self.tr("Profile"), self.profile_combo)
        form.addRow("", _wrap(presets))
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Base URL"), self.url_edit)
        form.addRow(self.tr("Request style"), self.style_combo)
        form.addRow(self.tr("Default model"), self.model_combo)
        form.addRow(self.tr("API key"), _wrap(key_row))
        form.addRow("", self.key_note)
        form.addRow("", self.connection_test)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setAccessibleName(self.tr("Save"))
        self.save_button.setAccessibleDescription(self.tr("Save this profile and make it active"))
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        close.setAccessibleDescription(self.tr("Close settings"))
        self.buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.save)

        bottom = QHBoxLayout()
        bottom.addWidget(self.delete_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        self.appearance = AppearanceSettings(qsettings)  # language and theme, app-wide
        self.language_combo = self.appearance.language_combo
        self.theme_combo = self.appearance.theme_combo
        self.language_note = self.appearance.language_note
        lay.addWidget(self.appearance)
        self.prices_box = PriceSettings(store, self.tasks)  # Settings ▸ Prices per image
        lay.addWidget(self.prices_box)
        lay.addWidget(self.env_note)
        lay.addWidget(self.status_label)
        lay.addLayout(bottom)

        self.beijing_button.clicked.connect(lambda: self.apply_preset(PRESET_PROFILES[0]))
        self.singapore_button.clicked.connect(lambda: self.apply_preset(PRESET_PROFILES[1]))
        self.profile_combo.currentIndexChanged.connect(self._on_profile_chosen)
        self.test_button.clicked.connect(self.test_connection)
        self.delete_button.clicked.connect(self._delete)
        self.style_combo.currentIndexChanged.connect(self._update_model_placeholder)

        self._update_env_note()
        active = store.active()
        self._reload(select=active.name if active else "")

    def event(self, event: QEvent) -> bool:
        done = super().event(event)
        if event.type() in (QEvent.Type.Show, QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            # A window is not made taller for its word-wrapped notes (Qt sizes it by its
            # layout's minimum): the key note's second line lay under "Test connection".
            lay = self.layout()
            need = lay.totalHeightForWidth(self.width()) if lay is not None else -1
            if need > 0 and need != self.minimumHeight():
                self.setMinimumHeight(need)
        return done

    def _toggle_key(self, on: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        self.show_key.setText(self.tr("Hide") if on else self.tr("Show"))

    def _update_env_note(self) -> None:
        active = [v for v in (ENV_ENDPOINT, ENV_KEY, ENV_STYLE, ENV_MODEL) if os.environ.get(v)]
        if active:
            self.env_note.set_note(self.tr("Environment overrides are active: {names} take "
                                           "precedence over the saved profile.").format(
                                               names=", ".join(active)), "info", "info_fg")
            self.env_note.show()
        else:
            self.env_note.hide()

    def _update_model_placeholder(self) -> None:
        style = self.style_combo.currentData() or "bailian"
        edit = self.model_combo.lineEdit()  # the combo is editable: it has one
        if edit is not None:
            edit.setPlaceholderText(
                self.tr("default ({model})").format(model=DEFAULT_MODELS[style]))

    def _reload(self, select: str = "") -> None:
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for p in self.store.profiles():
            self.profile_combo.addItem(p.name)
        self.profile_combo.addItem(self.tr("New profile…"), NEW_PROFILE)
        i = self.profile_combo.findText(select) if select else -1
        self.profile_combo.setCurrentIndex(i if i >= 0 else 0)
        self.profile_combo.blockSignals(False)
        self._on_profile_chosen()

    def _new_chosen(self) -> bool:
        return self.profile_combo.currentData() == NEW_PROFILE

    def _on_profile_chosen(self, *_: Any) -> None:
        name = self.profile_combo.currentText()
        profile = None if self._new_chosen() else self.store.profile(name)
        self.key_edit.clear()
        self.connection_test.show_outcome("", "")
        if profile is None:
            self.name_edit.clear()
            self.url_edit.clear()
            self.style_combo.setCurrentIndex(max(0, self.style_combo.findData("bailian")))
            self.model_combo.setCurrentText("")
            self.key_edit.setPlaceholderText("sk-…")
            self.delete_button.setEnabled(False)
        else:
            self._fill(profile)
            self.delete_button.setEnabled(True)
            self.tasks.spawn(self._show_key_state(profile.name))
        self._update_model_placeholder()

    async def _show_key_state(self, name: str) -> None:
        try:
            # Only a bool crosses back: a future holding the key would show it in reprs
            # (asyncio prints pending tasks with their awaited result at shutdown).
            has = await self.tasks.run(lambda: bool(self.store.get_key(name)))
        except Exception:
            has = False
        if self.name_edit.text() == name and not self.key_edit.text():
            self.key_edit.setPlaceholderText(
                self.tr("A key is saved — leave empty to keep it, or type a new one") if has
                else self.tr("No key saved yet — paste your API key")
            )

    def _fill(self, profile: Profile) -> None:
        self.name_edit.setText(profile.name)
        self.url_edit.setText(profile.base_url)
        i = self.style_combo.findData(profile.style)
        self.style_combo.setCurrentIndex(max(0, i))
        self.model_combo.setCurrentText(profile.model)

    def apply_preset(self, preset: Profile) -> None:
        """Fill the fields from a preset; the key stays (Beijing and Singapore keys differ)."""
        if not self._new_chosen() and self.name_edit.text() != preset.name:
            self.profile_combo.blockSignals(True)
            self.profile_combo.setCurrentIndex(self.profile_combo.count() - 1)
            self.profile_combo.blockSignals(False)
            self.delete_button.setEnabled(False)
        self._fill(preset)
        self.key_edit.setFocus()
        self.status_label.set_note(self.tr("Preset filled in: paste the API key for this region, "
                                   "then Test connection and Save."))

    def current_profile(self) -> Profile:
        return Profile(
            name=self.name_edit.text().strip(),
            base_url=self.url_edit.text().strip(),
            style=self.style_combo.currentData() or "bailian",
            model=self.model_combo.currentText().strip(),
        )

    def _problem(self, p: Profile) -> str:
        if not p.name:
            return self.tr("Give the profile a name.")
        if not p.base_url.startswith(("http://", "https://")):
            return self.tr("The base URL must start with http:// or https://.")
        return ""

    # -- actions -------------------------------------------------------------------------------
    def save(self) -> None:
        profile = self.current_profile()
        problem = self._problem(profile)
        if problem:
            self.status_label.set_note(self.tr("Not saved: {problem}").format(problem=problem),
                                       *_NOT_SAVED)
            return
        key = self.key_edit.text().strip() or None
        self.save_button.setEnabled(False)
        self.status_label.set_note(self.tr("Saving…"), "running", "muted")
        self.tasks.spawn(self._save(profile, key))

    async def _save(self, profile: Profile, key: str | None) -> None:
        def write() -> None:
            self.store.save_profile(profile, key)
            self.store.set_active(profile.name)

        try:
            await self.tasks.run(write)
        except QwenStudioError as exc:
            self.status_label.set_note(self.tr("Not saved: {problem}").format(
                problem=error_message(exc)), *_NOT_SAVED)
            return
        except OSError as exc:
            self.status_label.set_note(self.tr("Not saved: could not write the settings "
                                               "({error})").format(error=exc), *_NOT_SAVED)
            return
        finally:
            self.save_button.setEnabled(True)
        self.key_edit.clear()
        self.status_label.set_note(self.tr("Saved “{name}” and made it active.").format(
            name=profile.name) + " " + status_note(self.store.key_backend_note()), *_SAVED)
        self._reload(select=profile.name)
        self.profileSaved.emit(profile.name)

    def _delete(self) -> None:
        if self._new_chosen():
            return
        self.tasks.spawn(self._delete_async(self.profile_combo.currentText()))

    async def _delete_async(self, name: str) -> None:
        await self.tasks.run(self.store.delete_profile, name)
        self.status_label.set_note(self.tr("Deleted “{name}”.").format(name=name))
        self._reload()

    def test_connection(self) -> None:
        self.connection_test.start(self.current_profile(), self.key_edit.text().strip())


def _wrap(layout: QLayout) -> QWidget:
    w = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w
