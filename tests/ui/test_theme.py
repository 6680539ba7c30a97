"""Light and dark themes: System follows the platform (Unknown → dark), a forced choice
wins, switching is live, and both palettes keep neutral greys."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette

from qwen_studio.ui import theme


def test_unknown_system_scheme_means_dark(monkeypatch):
    monkeypatch.setattr(theme, "system_scheme", lambda: "dark")
    assert theme.effective_scheme("system") == "dark"
    assert theme.effective_scheme("light") == "light"
    assert theme.effective_scheme("dark") == "dark"


def test_system_scheme_reads_style_hints(qapp):
    hints = qapp.styleHints()
    expected = "light" if hints.colorScheme() == Qt.ColorScheme.Light else "dark"
    assert theme.system_scheme() == expected


def test_saved_choice_and_env_override(tmp_path, monkeypatch):
    monkeypatch.delenv(theme.ENV_THEME, raising=False)
    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert theme.saved_choice(s) == "system"
    s.setValue(theme.SETTINGS_KEY, "light")
    assert theme.saved_choice(s) == "light"
    s.setValue(theme.SETTINGS_KEY, "purple")
    assert theme.saved_choice(s) == "system"
    monkeypatch.setenv(theme.ENV_THEME, "dark")
    assert theme.saved_choice(s) == "dark"


def test_palettes_are_neutral_and_readable():
    for scheme in ("dark", "light"):
        p = theme.palette(scheme)
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base,
                     QPalette.ColorRole.Button):
            c = p.color(role)
            assert max(c.red(), c.green(), c.blue()) - min(c.red(), c.green(), c.blue()) <= 4, \
                f"{scheme} {role} is tinted: {c.name()}"
        text, window = p.color(QPalette.ColorRole.Text), p.color(QPalette.ColorRole.Window)
        assert abs(text.lightness() - window.lightness()) > 150, scheme
    assert theme.palette("dark").color(QPalette.ColorRole.Window).lightness() < 80
    assert theme.palette("light").color(QPalette.ColorRole.Window).lightness() > 200
    for scheme in ("dark", "light"):
        assert "{" in theme.stylesheet(scheme) and "{{" not in theme.stylesheet(scheme)


def test_switching_is_live_and_restores(qapp):
    before = qapp.property("qwenStudioThemeChoice")
    try:
        assert theme.apply_theme(qapp, "light") == "light"
        assert qapp.palette().color(QPalette.ColorRole.Window) == QColor(theme.LIGHT["window"])
        assert theme.LIGHT["canvas_area"] in qapp.styleSheet()
        assert not theme.is_dark()
        assert theme.apply_theme(qapp, "dark") == "dark"
        assert qapp.palette().color(QPalette.ColorRole.Window) == QColor(theme.DARK["window"])
        assert theme.is_dark()
    finally:
        theme.apply_theme(qapp, before or "dark")


def test_settings_dialog_has_language_and_theme(qapp, qtbot, tmp_path):
    from qwen_studio.core.config import ConfigStore
    from qwen_studio.ui.dialogs.settings_dialog import SettingsDialog

    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(ConfigStore(), qsettings=s)
    qtbot.addWidget(dialog)
    assert [dialog.language_combo.itemData(i) for i in range(dialog.language_combo.count())] \
        == ["system", "en", "zh_CN"]
    assert dialog.language_combo.itemText(2) == "简体中文"
    try:
        dialog.language_combo.setCurrentIndex(2)
        assert s.value("ui/language") == "zh_CN"
        assert dialog.language_note.isVisibleTo(dialog)
        dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("light"))
        assert s.value("ui/theme") == "light"
        assert theme.current_scheme() == "light"
    finally:
        theme.apply_theme(qapp, "dark")
