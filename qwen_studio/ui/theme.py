"""Light and dark looks: Fusion + a neutral-grey palette + one style sheet per scheme.

Colour judgement is biased by coloured chrome, so both schemes are neutral greys with one
restrained blue accent; the image canvas paints its own neutral grey in both.

The user's choice ("system", "dark" or "light") lives in QSettings under `ui/theme`
(QWEN_STUDIO_THEME overrides it). "system" follows QStyleHints.colorScheme() and reacts to
colorSchemeChanged; when the platform reports Unknown (most X11 desktops, offscreen) it
means dark, which is what image work usually wants.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

SETTINGS_KEY = "ui/theme"
ENV_THEME = "QWEN_STUDIO_THEME"
CHOICES = ("system", "dark", "light")

# Tokens shared by the palette and the style sheet, one set per scheme.
DARK: dict[str, str] = {
    "window": "#262626", "base": "#1c1c1c", "alt": "#2a2a2a", "text": "#e6e6e6",
    "muted": "#bdbdbd", "faint": "#7a7a7a", "button": "#3a3a3a", "button_hover": "#444444",
    "button_border": "#4a4a4a", "button_disabled": "#2e2e2e", "disabled_text": "#777777",
    "border": "#444444", "frame": "#333333", "canvas_area": "#1e1e1e", "splitter": "#1a1a1a",
    "status": "#1b1b1b", "list": "#1f1f1f", "tooltip": "#333333", "accent": "#6fa8dc",
    "highlight": "#3d6a99", "run": "#2f6db3", "run_border": "#3b7fcc", "run_hover": "#387bc7",
    "run_focus": "#bcd8f5", "placeholder": "#7d7d7d", "link": "#6fa8dc", "bright": "#ff6b6b",
    "mid": "#4a4a4a", "dark": "#151515", "light": "#505050",
}
LIGHT: dict[str, str] = {
    "window": "#ececec", "base": "#fbfbfb", "alt": "#f2f2f2", "text": "#1f1f1f",
    "muted": "#555555", "faint": "#8a8a8a", "button": "#f7f7f7", "button_hover": "#ffffff",
    "button_border": "#bdbdbd", "button_disabled": "#e6e6e6", "disabled_text": "#a0a0a0",
    "border": "#c4c4c4", "frame": "#d0d0d0", "canvas_area": "#d6d6d6", "splitter": "#cfcfcf",
    "status": "#e2e2e2", "list": "#fbfbfb", "tooltip": "#ffffff", "accent": "#2f6db3",
    "highlight": "#3d7cc9", "run": "#2f6db3", "run_border": "#285e9c", "run_hover": "#387bc7",
    "run_focus": "#0f3a66", "placeholder": "#8c8c8c", "link": "#1f5fa8", "bright": "#c62828",
    "mid": "#b8b8b8", "dark": "#9a9a9a", "light": "#ffffff",
}

_STYLESHEET = """
QMainWindow, #leftPanel, #historyPanel {{ background: {window}; }}
#canvasArea {{ background: {canvas_area}; }}
#sectionTitle {{ color: {muted}; font-weight: 600; letter-spacing: 0.5px;
                text-transform: uppercase; font-size: 8.5pt; }}
#historyEmpty {{ color: {faint}; }}
QPlainTextEdit, QLineEdit, QComboBox {{
    background: {base}; border: 1px solid {border}; border-radius: 4px; padding: 3px;
    selection-background-color: {highlight}; }}
QPlainTextEdit:focus, QLineEdit:focus, QComboBox:focus, QAbstractSpinBox:focus,
QListView:focus, QTreeView:focus, QTableView:focus {{ border: 1px solid {accent}; }}
QPushButton {{ background: {button}; border: 1px solid {button_border}; border-radius: 5px;
              padding: 5px 14px; color: {text}; }}
QPushButton:hover {{ background: {button_hover}; }}
QPushButton:focus {{ border: 2px solid {accent}; }}
QPushButton:disabled {{ color: {disabled_text}; background: {button_disabled}; }}
#runButton {{ background: {run}; border: 1px solid {run_border}; font-weight: 600;
              color: white; }}
#runButton:hover {{ background: {run_hover}; }}
#runButton:focus {{ border: 2px solid {run_focus}; }}
QListView {{ background: {list}; border: 1px solid {frame}; border-radius: 4px; }}
QSplitter::handle {{ background: {splitter}; }}
QSplitter::handle:horizontal {{ width: 3px; }}
QStatusBar {{ background: {status}; color: {muted}; }}
QStatusBar QLabel {{ color: {muted}; padding: 0 8px; }}
QToolButton#parametersToggle {{ color: {muted}; font-weight: 600; border: none; }}
QToolButton:focus {{ border: 1px solid {accent}; }}
QCheckBox:focus {{ color: {accent}; }}
QScrollArea {{ background: {window}; }}
QMenuBar {{ background: {window}; }}
QToolTip {{ background: {tooltip}; color: {text}; border: 1px solid {border}; }}
"""


def tokens(scheme: str) -> dict[str, str]:
    return DARK if scheme == "dark" else LIGHT


def palette(scheme: str) -> QPalette:
    t = tokens(scheme)
    p = QPalette()
    R = QPalette.ColorRole
    roles = {
        R.Window: t["window"], R.WindowText: t["text"], R.Base: t["base"],
        R.AlternateBase: t["alt"], R.ToolTipBase: t["tooltip"], R.ToolTipText: t["text"],
        R.Text: t["text"], R.Button: t["button"], R.ButtonText: t["text"],
        R.BrightText: t["bright"], R.Link: t["link"], R.Highlight: t["highlight"],
        R.HighlightedText: "#ffffff", R.PlaceholderText: t["placeholder"],
        R.Mid: t["mid"], R.Dark: t["dark"], R.Light: t["light"], R.Midlight: t["mid"],
        R.Shadow: "#000000" if scheme == "dark" else "#7a7a7a",
    }
    for role, color in roles.items():
        p.setColor(role, QColor(color))
    for role in (R.Text, R.ButtonText, R.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(t["disabled_text"]))
    return p


def stylesheet(scheme: str) -> str:
    return _STYLESHEET.format(**tokens(scheme))


def saved_choice(settings: QSettings | None = None) -> str:
    """The user's choice: QWEN_STUDIO_THEME, else Settings ▸ Theme, else "system"."""
    env = os.environ.get(ENV_THEME, "").strip().lower()
    if env in CHOICES:
        return env
    if settings is None:
        from qwen_studio.app import settings_store  # lazy: app imports this module

        settings = settings_store()
    value = str(settings.value(SETTINGS_KEY, "system") or "system").lower()
    return value if value in CHOICES else "system"


def system_scheme() -> str:
    """"light" or "dark" as the platform reports it; Unknown means dark (image work)."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    return "light" if scheme == Qt.ColorScheme.Light else "dark"


def effective_scheme(choice: str) -> str:
    return choice if choice in ("dark", "light") else system_scheme()


def current_scheme() -> str:
    """The scheme applied to the running app ("dark" before any theme was applied)."""
    app = QApplication.instance()
    value = app.property("qwenStudioScheme") if app is not None else None
    return value if value in ("dark", "light") else "dark"


def is_dark() -> bool:
    return current_scheme() == "dark"


def apply_palette(app: QApplication, choice: str | None = None) -> str:
    """Fusion and the palette (cheap before widgets exist). Returns the scheme applied."""
    choice = choice or str(app.property("qwenStudioThemeChoice") or "system")
    scheme = effective_scheme(choice)
    if app.property("qwenStudioScheme") != scheme or not app.property("qwenStudioPalette"):
        app.setStyle("Fusion")
        app.setPalette(palette(scheme))
        app.setProperty("qwenStudioScheme", scheme)
        app.setProperty("qwenStudioPalette", True)
    app.setProperty("qwenStudioThemeChoice", choice)
    _follow_system(app)
    return scheme


def apply_theme(app: QApplication, choice: str | None = None) -> str:
    """Palette and style sheet for `choice`; call again to switch live."""
    scheme = apply_palette(app, choice)
    if app.property("qwenStudioThemed") != scheme:
        app.setStyleSheet(stylesheet(scheme))
        app.setProperty("qwenStudioThemed", scheme)
    return scheme


_followers: dict[int, Any] = {}


def _follow_system(app: QApplication) -> None:
    """Re-apply when the desktop switches light/dark, if the user chose "system"."""
    hints = QGuiApplication.styleHints()
    if hints is None or id(app) in _followers:
        return

    def changed(_scheme: Any = None) -> None:
        if str(app.property("qwenStudioThemeChoice") or "system") == "system":
            themed = bool(app.property("qwenStudioThemed"))
            (apply_theme if themed else apply_palette)(app, "system")

    hints.colorSchemeChanged.connect(changed)
    _followers[id(app)] = changed
