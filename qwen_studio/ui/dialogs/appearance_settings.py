"""Settings ▸ Appearance: the window's language and theme, app-wide (QSettings, not the
connection profile). A theme applies at once; a language the next time the app starts.

Its words keep the settings dialog's translation context ("SettingsDialog"), where the
zh_CN catalogue has them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QWidget

from qwen_studio.ui import theme
from qwen_studio.ui.dialogs.widget_names import named

translate = QCoreApplication.translate


class AppearanceSettings(QGroupBox):
    def __init__(self, qsettings: QSettings | None, parent: QWidget | None = None) -> None:
        from qwen_studio import i18n

        super().__init__(translate("SettingsDialog", "Appearance"), parent)
        self.setObjectName("appearanceBox")
        self.qsettings = qsettings
        self.language_combo = named(
            QComboBox(), "languageCombo", translate("SettingsDialog", "Language"),
            translate("SettingsDialog", "The language of the window; applies the next time "
                                        "Qwen Studio starts"))
        self.language_combo.addItem(translate("SettingsDialog", "System"), "system")
        for code, name in i18n.LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.theme_combo = named(
            QComboBox(), "themeCombo", translate("SettingsDialog", "Theme"),
            translate("SettingsDialog", "Light or dark; System follows the desktop"))
        for code, name in (("system", translate("SettingsDialog", "System")),
                           ("dark", translate("SettingsDialog", "Dark")),
                           ("light", translate("SettingsDialog", "Light"))):
            self.theme_combo.addItem(name, code)
        self.language_note = QLabel(translate(
            "SettingsDialog", "A new language applies the next time Qwen Studio starts."))
        self.language_note.setObjectName("languageNote")
        self.language_note.setWordWrap(True)
        self.language_note.setVisible(False)
        self.language_combo.setCurrentIndex(
            max(0, self.language_combo.findData(i18n.saved_choice(qsettings))))
        self.theme_combo.setCurrentIndex(
            max(0, self.theme_combo.findData(theme.saved_choice(qsettings)
                                             if qsettings is not None else "system")))
        self.language_combo.currentIndexChanged.connect(self._language_chosen)
        self.theme_combo.currentIndexChanged.connect(self._theme_chosen)
        form = QFormLayout(self)
        form.addRow(translate("SettingsDialog", "Language"), self.language_combo)
        form.addRow("", self.language_note)
        form.addRow(translate("SettingsDialog", "Theme"), self.theme_combo)

    def _language_chosen(self, *_: Any) -> None:
        if self.qsettings is not None:
            from qwen_studio import i18n

            self.qsettings.setValue(i18n.SETTINGS_KEY, self.language_combo.currentData())
            self.qsettings.sync()
        self.language_note.setVisible(True)

    def _theme_chosen(self, *_: Any) -> None:
        from PySide6.QtWidgets import QApplication

        choice = self.theme_combo.currentData() or "system"
        if self.qsettings is not None:
            self.qsettings.setValue(theme.SETTINGS_KEY, choice)
            self.qsettings.sync()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_theme(app, choice)  # live: palette and style sheet switch at once
