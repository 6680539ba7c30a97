"""Light and dark looks: Fusion + a neutral-grey palette + one style sheet per scheme.

Colour judgement is biased by coloured chrome, so both schemes are neutral greys with one
restrained blue accent; the image canvas paints its own neutral grey in both.

The user's choice ("system", "dark" or "light") lives in QSettings under `ui/theme`
(QWEN_STUDIO_THEME overrides it). "system" follows QStyleHints.colorScheme() and reacts to
colorSchemeChanged; when the platform reports Unknown (most X11 desktops, offscreen) it
means dark, which is what image work usually wants.

Every colour lives in the token dicts below, including the details some widgets draw
themselves: the banner, drop zone, history chips, welcome panel, prompt counters, result
strip, compare toolbar and Settings' notes are styled by the one style sheet (dynamic
properties select the state, e.g. countOver, outcome), and painted rows read `colour()` at
paint time, so a live switch reaches them all. Prefer a rule here to a widget's own style
sheet: each per-widget sheet costs start-up time, and literal colours in it miss the switch.
Text tokens keep >= 4.5:1 against their background.
"""

from __future__ import annotations

import os
from typing import Any, TypeVar

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget

SETTINGS_KEY = "ui/theme"
ENV_THEME = "QWEN_STUDIO_THEME"
CHOICES = ("system", "dark", "light")

# Tokens shared by the palette and the style sheet, one set per scheme.
DARK: dict[str, str] = {
    "window": "#262626", "base": "#1c1c1c", "alt": "#2a2a2a", "text": "#e6e6e6",
    "muted": "#bdbdbd", "faint": "#8e8e8e", "button": "#3a3a3a", "button_hover": "#444444",
    "button_border": "#4a4a4a", "button_disabled": "#2e2e2e", "disabled_text": "#777777",
    "border": "#444444", "frame": "#333333", "canvas_area": "#1e1e1e", "splitter": "#1a1a1a",
    "status": "#1b1b1b", "list": "#1f1f1f", "tooltip": "#333333", "accent": "#6fa8dc",
    "highlight": "#3d6a99", "run": "#2f6db3", "run_border": "#3b7fcc", "run_hover": "#387bc7",
    "run_focus": "#bcd8f5", "placeholder": "#7d7d7d", "link": "#6fa8dc", "bright": "#ff6b6b",
    "mid": "#4a4a4a", "dark": "#151515", "light": "#505050",
    # Painted and per-widget details (banner, drop zone, history rows). "*_fg" are readable
    # as text on base/window (>= 4.5:1); banner text sits on "*_bg" (>= 4.5:1 too).
    "subtle": "#9a9a9a", "rule": "#3a3a3a", "thumb_bg": "#1b1b1b", "drop_border": "#555555",
    "drop_hover": "rgba(111, 168, 220, 0.16)",
    "error_fg": "#f08c8c", "warning_fg": "#e8c170", "info_fg": "#8fbde8",
    "error_bg": "#4a2325", "warning_bg": "#4a3d1f", "info_bg": "#1f3447",
    "banner_text": "#f0f0f0", "banner_hint": "#cfcfcf",
    "row_selected": "#34495e", "row_selected_text": "#ffffff", "chip_checked": "#3d6a99",
    "star_on": "#f2c94c", "star_off": "#4d4d4d", "star_off_hover": "#8a8a8a",
    "undo_bg": "#333a44", "undo_border": "#4a5666",
    # Prompt counter over the limit, Settings' test result, the compare toolbar's notes (on
    # window / canvas_area) and the result strip under the canvas.
    "over_fg": "#f0a860", "ok_fg": "#7cc48a", "toolbar_note": "#9a9a9a",
    "strip_bg": "#303030", "strip_rule": "#262626", "strip_text": "#c8c8c8",
    "strip_hover": "#3e3e3e", "strip_selected": "#515151", "strip_selected_text": "#ffffff",
}
LIGHT: dict[str, str] = {
    "window": "#ececec", "base": "#fbfbfb", "alt": "#f2f2f2", "text": "#1f1f1f",
    "muted": "#555555", "faint": "#666666", "button": "#f7f7f7", "button_hover": "#ffffff",
    "button_border": "#bdbdbd", "button_disabled": "#e6e6e6", "disabled_text": "#a0a0a0",
    "border": "#c4c4c4", "frame": "#d0d0d0", "canvas_area": "#d6d6d6", "splitter": "#cfcfcf",
    "status": "#e2e2e2", "list": "#fbfbfb", "tooltip": "#ffffff", "accent": "#2f6db3",
    "highlight": "#3d7cc9", "run": "#2f6db3", "run_border": "#285e9c", "run_hover": "#387bc7",
    "run_focus": "#0f3a66", "placeholder": "#8c8c8c", "link": "#1f5fa8", "bright": "#c62828",
    "mid": "#b8b8b8", "dark": "#9a9a9a", "light": "#ffffff",
    "subtle": "#5e5e5e", "rule": "#cccccc", "thumb_bg": "#e4e4e4", "drop_border": "#8c8c8c",
    "drop_hover": "rgba(47, 109, 179, 0.10)",
    "error_fg": "#b3261e", "warning_fg": "#7a5200", "info_fg": "#1f5fa8",
    "error_bg": "#fbe7e6", "warning_bg": "#fbf0d5", "info_bg": "#e3eefa",
    "banner_text": "#1f1f1f", "banner_hint": "#454545",
    "row_selected": "#cfe0f4", "row_selected_text": "#1f1f1f", "chip_checked": "#2f6db3",
    "star_on": "#b07800", "star_off": "#b5b5b5", "star_off_hover": "#6e6e6e",
    "undo_bg": "#e3e9f1", "undo_border": "#a9b8cc",
    "over_fg": "#9a4a00", "ok_fg": "#276b2b", "toolbar_note": "#555555",
    "strip_bg": "#e2e2e2", "strip_rule": "#c4c4c4", "strip_text": "#3a3a3a",
    "strip_hover": "#d6d6d6", "strip_selected": "#c3d6ee", "strip_selected_text": "#1f1f1f",
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
#runButton, #setupApiButton {{ background: {run}; border: 1px solid {run_border};
              font-weight: 600; color: white; }}
#runButton:hover, #setupApiButton:hover {{ background: {run_hover}; }}
#runButton:focus, #setupApiButton:focus {{ border: 2px solid {run_focus}; }}
QListView, QTableView#historyList {{ background: {list}; border: 1px solid {frame};
    border-radius: 4px; }}
QListView#resultsGrid {{ background: #3a3a3a; color: #e6e6e6; }}
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

#errorBanner {{ background: {info_bg}; border: 1px solid {info_fg}; border-radius: 6px; }}
#errorBanner[bannerKind="error"] {{ background: {error_bg}; border-color: {error_fg}; }}
#errorBanner[bannerKind="warning"] {{ background: {warning_bg}; border-color: {warning_fg}; }}
#errorBanner QLabel {{ color: {banner_text}; background: transparent; }}
#errorBanner QLabel#bannerHint {{ color: {banner_hint}; }}
#errorBanner QToolButton#bannerDismiss {{ color: {banner_text}; }}

#dropZone {{ border: 2px dashed {drop_border}; border-radius: 8px; background: {base}; }}
#dropZone[dropHover="true"] {{ border-color: {accent}; background: {drop_hover}; }}
#dropZone:focus {{ border: 2px solid {accent}; }}
#dropZoneEmpty {{ color: {muted}; font-size: 10.5pt; }}
#dropZoneCaption {{ color: {subtle}; font-size: 9pt; }}
#dropZoneMessage {{ color: {info_fg}; }}
#dropZoneMessage[noteKind="error"] {{ color: {error_fg}; }}
#dropZoneMessage[noteKind="warning"] {{ color: {warning_fg}; }}
QFrame[inputThumb="true"] {{ background: {thumb_bg}; border: 1px solid {border};
                            border-radius: 4px; }}
QFrame[inputThumb="true"] QLabel {{ border: none; background: transparent; color: {subtle}; }}
QFrame[inputThumb="true"] QToolButton {{ background: rgba(0,0,0,170); color: white;
                                        border: none; border-radius: 11px; }}
QFrame[inputThumb="true"] QToolButton:hover {{ background: #b33; }}
QFrame[inputThumb="true"] QToolButton:focus {{ border: 2px solid {accent}; }}

#historyUndoBar {{ background: {undo_bg}; border: 1px solid {undo_border};
                   border-radius: 5px; }}
#historyUndoBar QLabel {{ color: {text}; }}
QToolButton[filterChip="true"] {{ border: 1px solid {button_border}; border-radius: 10px;
                                 padding: 2px 10px; color: {text}; }}
QToolButton[filterChip="true"]:checked {{ background: {chip_checked}; color: white;
                                         border-color: {accent}; }}
QToolButton[filterChip="true"]:focus {{ border: 2px solid {accent}; }}

#welcomeTitle {{ font-size: 18pt; font-weight: 600; color: {text}; }}
#welcomeBody {{ color: {muted}; font-size: 10.5pt; }}
#welcomeBar {{ background: {info_bg}; border-bottom: 1px solid {info_fg}; }}
#welcomeBar QLabel {{ color: {banner_text}; background: transparent; }}

#promptCount, #negativePromptCount {{ color: {faint}; }}
#promptCount[countOver="true"], #negativePromptCount[countOver="true"] {{
    color: {over_fg}; font-weight: bold; }}

#keyNote {{ color: {subtle}; }}
#testResult[outcome="busy"] {{ color: {muted}; }}
#testResult[outcome="ok"] {{ color: {ok_fg}; }}
#inFlightIcon {{ border: none; padding: 0; background: transparent; }}
#testResult[outcome="failed"] {{ color: {error_fg}; }}

#resultStrip {{ background: {strip_bg}; border: none; border-top: 1px solid {strip_rule};
               color: {strip_text}; padding: 2px 8px; }}
#resultStrip:focus {{ border-top: 2px solid {accent}; }}
#resultStrip::item {{ border-radius: 4px; padding: 3px; color: {strip_text}; }}
#resultStrip::item:hover {{ background: {strip_hover}; }}
#resultStrip::item:selected {{ background: {strip_selected}; color: {strip_selected_text}; }}
/* The version list selects like the history rows above it: status icons on it are drawn
   in row_selected_text (ui/icons.py), readable on this background in both themes. */
#historyLineage::item:selected {{ background: {row_selected}; color: {row_selected_text}; }}

#compareToolbar {{ border-bottom: 1px solid rgba(128,128,128,0.25); }}
#compareToolbar QToolButton {{
    border: 1px solid transparent; border-radius: 4px; padding: 2px 8px; min-height: 20px; }}
#compareToolbar QToolButton:hover {{ background: rgba(128,128,128,0.20); }}
#compareToolbar QToolButton:pressed {{ background: rgba(128,128,128,0.32); }}
#compareToolbar QToolButton:checked {{ background: {highlight}; color: #ffffff; }}
#compareToolbar QToolButton:focus {{ border: 2px solid {highlight}; padding: 1px 7px; }}
#compareToolbar QToolButton:checked:focus {{ border: 2px solid #ffffff; }}
#modeSwitch {{ border: 1px solid rgba(128,128,128,0.45); border-radius: 6px;
              background: rgba(128,128,128,0.10); }}
#modeSwitch QToolButton {{ border-radius: 4px; }}
#compareToolbar QToolButton#fitButton:checked,
#compareToolbar QToolButton#actualSizeButton:checked {{
    background: rgba(128,128,128,0.28); color: {text}; }}
#zoomLabel, #imageSizes {{ color: {toolbar_note}; }}
"""


def tokens(scheme: str) -> dict[str, str]:
    return DARK if scheme == "dark" else LIGHT


def colour(name: str, scheme: str | None = None) -> QColor:
    """A token of the running scheme as a QColor: for widgets that paint with QPainter and
    read it at paint time, so a live theme switch shows on the next repaint."""
    return QColor(tokens(scheme or current_scheme())[name])


def inset_spin_text(spin: _Spin) -> _Spin:
    """The number starts where a combo's text does. A spin box's edit field ignores the
    style sheet's left padding (it starts on the frame), so its text sat on the border."""
    edit = spin.findChild(QLineEdit)
    if edit is not None:
        edit.setTextMargins(SPIN_TEXT_INSET, 0, 0, 0)
    return spin


def set_state(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property the style sheet selects on (e.g. countOver, outcome) and
    re-polish the widget, as property selectors are matched at polish time only. An
    unchanged value (or a falsy one on a widget that never had it) costs nothing."""
    current = widget.property(name)
    if current == value or (current is None and not value):
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


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


_Spin = TypeVar("_Spin", bound=QAbstractSpinBox)
SPIN_TEXT_INSET = 4  # px, what a combo's padding gives its text
ARROW_STROKE = 3.0  # in the icons' 24-unit grid (theirs: 2)
_ARROWS = """
QComboBox {{ padding-right: 22px; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right;
    width: 20px; border: none; }}
QComboBox::down-arrow {{ image: url({down}); width: 12px; height: 12px; }}
QComboBox::down-arrow:disabled {{ image: url({down_disabled}); }}
QAbstractSpinBox {{ background: {base}; border: 1px solid {border}; border-radius: 4px;
    padding: 2px 20px 2px 4px; min-height: 17px; selection-background-color: {highlight}; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ width: 18px; border: none;
    subcontrol-origin: border; }}
QAbstractSpinBox::up-button {{ subcontrol-position: top right; }}
QAbstractSpinBox::down-button {{ subcontrol-position: bottom right; }}
QAbstractSpinBox::up-arrow {{ image: url({up}); width: 9px; height: 9px; }}
QAbstractSpinBox::down-arrow {{ image: url({down}); width: 9px; height: 9px; }}
QAbstractSpinBox::up-arrow:disabled, QAbstractSpinBox::up-arrow:off {{ image: url({up_disabled}); }}
QAbstractSpinBox::down-arrow:disabled, QAbstractSpinBox::down-arrow:off {{
    image: url({down_disabled}); }}
QToolBarExtension {{ qproperty-icon: url({more}); }}
QDockWidget {{ titlebar-close-icon: url({close}); titlebar-normal-icon: url({float}); }}
QToolButton#toolbarOverflowButton::menu-indicator {{ image: none; width: 0px; }}
QCheckBox::indicator {{ width: 13px; height: 13px; border: 1px solid {box}; border-radius: 3px;
    background: {base}; }}
QCheckBox::indicator:hover {{ border-color: {highlight}; }}
QCheckBox::indicator:checked {{ image: url({check}); }}
QCheckBox::indicator:disabled {{ border-color: {border}; }}
QCheckBox::indicator:checked:disabled {{ image: url({check_disabled}); }}
"""


def stylesheet(scheme: str) -> str:
    t = tokens(scheme)
    # Combo and spin box arrows and overflow buttons in the theme's colours (the style's
    # own vanish on the light theme once the boxes are styled), from the one icon set.
    from qwen_studio.ui.icons import svg_file

    arrows = _ARROWS.format(
        base=t["base"], border=t["border"], highlight=t["highlight"],
        # Drawn bolder than the 24 px originals: at 9-12 px a 2-unit stroke is a faint
        # sub-pixel line (the light theme's arrows all but vanished).
        down=svg_file("step-down", t["muted"], ARROW_STROKE),
        up=svg_file("step-up", t["muted"], ARROW_STROKE),
        down_disabled=svg_file("step-down", t["disabled_text"], ARROW_STROKE),
        up_disabled=svg_file("step-up", t["disabled_text"], ARROW_STROKE),
        # A tool bar's overflow button: the icon set's "more", not the style's stock ».
        more=svg_file("more", t["text"]),
        # A dock's title bar buttons: the icon set's, not the style's stock pixmaps.
        close=svg_file("close", t["muted"]), float=svg_file("float", t["muted"]),
        # A check box's own box: Fusion's outline is the window colour darkened, which on
        # the dark theme left an unticked box all but invisible (~1.1:1).
        box=t["faint"], check=svg_file("check", t["text"], ARROW_STROKE),
        check_disabled=svg_file("check", t["disabled_text"], ARROW_STROKE))
    return _STYLESHEET.format(**t) + arrows


def saved_choice(settings: QSettings) -> str:
    """The user's choice: QWEN_STUDIO_THEME, else Settings ▸ Theme, else "system"."""
    env = os.environ.get(ENV_THEME, "").strip().lower()
    if env in CHOICES:
        return env
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


FUSION = "Fusion"  # the one widget style; the palette and style sheet give the look


def is_dark() -> bool:
    return current_scheme() == "dark"


def apply_palette(app: QApplication, choice: str | None = None) -> str:
    """Fusion and the palette (cheap before widgets exist). Returns the scheme applied."""
    choice = choice or str(app.property("qwenStudioThemeChoice") or "system")
    scheme = effective_scheme(choice)
    if app.property("qwenStudioScheme") != scheme or not app.property("qwenStudioPalette"):
        # The scheme is recorded first: widgets repainting on the palette change read
        # their painted colours from it (current_scheme()).
        app.setProperty("qwenStudioScheme", scheme)
        if app.property("qwenStudioStyle") != FUSION:
            # app.main passes `-style Fusion` to QApplication instead: this call wraps the
            # returned QStyle, which builds its 11 Python enums (~5 ms) before the first frame.
            app.setStyle(FUSION)
            app.setProperty("qwenStudioStyle", FUSION)
        app.setPalette(palette(scheme))
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


# The contrast maths live with the status look, which uses them most (theme.readable and
# theme.contrast_ratio stay the names); imported last, as that module imports this one.
from qwen_studio.ui.theme.status import contrast_ratio as contrast_ratio  # noqa: E402
from qwen_studio.ui.theme.status import readable as readable  # noqa: E402
