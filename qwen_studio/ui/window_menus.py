"""The window's actions and menus (File, Edit, Help). Help ▸ Keyboard shortcuts is
generated from these QActions (ui/dialogs/shortcuts.py), so keys are defined once, here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from qwen_studio.ui.main_window import MainWindow

translate = QCoreApplication.translate  # context "MainWindow": its strings moved here
Keys = Sequence[QKeySequence | QKeySequence.StandardKey | str]
Slot = Callable[[], object]
StdKey = QKeySequence.StandardKey


class WindowActions:
    """The window's own actions, each wired to what it does. (A plain class: a frozen
    dataclass of twelve fields costs ~1 ms to define, before the first paint.)"""

    def __init__(self, window: QMainWindow, *, browse: Slot, paste: Slot, settings: Slot,
                 quit: Slot, run: Slot, cancel: Slot, previous: Slot, next: Slot,
                 shortcuts: Slot, about: Slot, log_folder: Slot, demo: Slot) -> None:
        def a(text: str, keys: Keys, slot: Slot, name: str) -> QAction:
            return _action(window, text, keys, slot, name)

        self.open = a(translate("MainWindow", "&Open images…"), [StdKey.Open], browse,
                      "openAction")
        self.paste = a(translate("MainWindow", "&Paste image"), [StdKey.Paste], paste,
                       "pasteAction")
        self.settings = a(translate("MainWindow", "Se&ttings…"), ["Ctrl+,"], settings,
                          "settingsAction")
        self.quit = a(translate("MainWindow", "&Quit"), [StdKey.Quit], quit, "quitAction")
        self.run = a(translate("MainWindow", "&Run edit"), ["Ctrl+Return", "Ctrl+Enter"], run,
                     "runAction")
        self.cancel = a(translate("MainWindow", "&Cancel edits"), ["Esc"], cancel,
                        "cancelAction")
        self.previous = a(translate("MainWindow", "&Previous entry"), ["Alt+Up"], previous,
                          "previousEntryAction")
        self.next = a(translate("MainWindow", "&Next entry"), ["Alt+Down"], next,
                      "nextEntryAction")
        self.shortcuts = a(translate("MainWindow", "&Keyboard shortcuts"), ["F1"], shortcuts,
                           "shortcutsAction")
        self.about = a(translate("MainWindow", "&About Qwen Studio"), [], about, "aboutAction")
        self.log_folder = a(translate("MainWindow", "Open &log folder"), [], log_folder,
                            "openLogFolderAction")
        self.demo = a(translate("MainWindow", "Try the &demo sandbox"), [], demo, "demoAction")


def _action(window: QMainWindow, text: str, keys: Keys, slot: Slot, name: str) -> QAction:
    act = QAction(text, window)
    act.setObjectName(name)
    if keys:
        act.setShortcuts([QKeySequence(k) for k in keys])
    act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    act.triggered.connect(lambda _checked=False: slot())
    window.addAction(act)
    return act


def build_menus(window: QMainWindow, acts: WindowActions, *, results: Sequence[QAction],
                export: QAction, history_edit: Sequence[QAction]) -> None:
    """File, Edit and Help. `results` are the compare view's own actions (save, copy, show
    in folder, use as input): it owns their keys, defined twice neither would fire."""
    bar = window.menuBar()
    file_menu = bar.addMenu(translate("MainWindow", "&File"))
    for act in (acts.open, acts.paste, None, *results, None, export, None, acts.settings,
                acts.demo, None, acts.quit):
        file_menu.addSeparator() if act is None else file_menu.addAction(act)
    edit_menu = bar.addMenu(translate("MainWindow", "&Edit"))
    for act in (acts.run, acts.cancel, None, acts.previous, acts.next, None, *history_edit):
        edit_menu.addSeparator() if act is None else edit_menu.addAction(act)
    help_menu = bar.addMenu(translate("MainWindow", "&Help"))
    for act in (acts.shortcuts, acts.log_folder, acts.about):
        help_menu.addAction(act)


def window_actions(w: MainWindow) -> WindowActions:
    """The main window's actions wired to what it does, in its File, Edit, View and Help
    menus (View: the panels, the results grid, the Versions dock)."""
    acts = WindowActions(
        w, browse=w.inputs_ctl.browse, paste=w.inputs_ctl.paste_from_clipboard,
        settings=w.open_settings, quit=w.close, run=w.run_edit, cancel=w.cancel_edits,
        previous=lambda: w.history.step(-1), next=lambda: w.history.step(1),
        shortcuts=w.show_shortcuts, about=w.dialogs.show_about,
        log_folder=w.dialogs.open_log_folder, demo=w.start_demo)
    cv, hp = w.compare_view, w.history_panel
    build_menus(w, acts, export=hp.export_action,
                results=(cv.save_action, cv.copy_action, cv.reveal_action, cv.use_action),
                history_edit=(hp.find_action, hp.undo_action))
    w.layout_.add_view_menu().addActions([w.grid_mode.action, w.deferred.versions_action])
    return acts
