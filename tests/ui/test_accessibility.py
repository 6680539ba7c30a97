"""Every focusable control of the main window has an accessible name and description, the
tab order runs left panel → canvas → history, and Help ▸ Keyboard shortcuts lists every
action that has a key."""

from __future__ import annotations

from _window_walk import demo_window, is_internal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def test_every_focusable_control_is_named_and_described(qapp, qloop):
    window = qloop.run(demo_window())
    try:
        missing = []
        for w in window.findChildren(QWidget):
            if w.focusPolicy() == Qt.FocusPolicy.NoFocus or is_internal(w):
                continue
            if not (w.accessibleName().strip() and w.accessibleDescription().strip()):
                missing.append(f"{type(w).__name__}#{w.objectName()} "
                               f"name={w.accessibleName()!r} "
                               f"description={w.accessibleDescription()!r}")
        assert not missing, "controls without an accessible name and description:\n" + \
            "\n".join(sorted(missing))
    finally:
        window.close()
        qloop.run(window.shutdown())


def test_tab_order_left_panel_then_canvas_then_history(qapp, qloop):
    window = qloop.run(demo_window())
    try:
        order = []
        w = window.drop_zone
        for _ in range(400):
            order.append(w)
            w = w.nextInFocusChain()
            if w is window.drop_zone:
                break

        def pos(widget):
            return order.index(widget)

        assert pos(window.drop_zone) < pos(window.prompt_panel.prompt_edit) \
            < pos(window.run_button) < pos(window.compare_view.canvas) \
            < pos(window.history_panel.search) < pos(window.history_list)
    finally:
        window.close()
        qloop.run(window.shutdown())


def test_shortcuts_dialog_lists_every_action_with_a_key(qapp, qloop):
    from PySide6.QtGui import QAction, QKeySequence

    window = qloop.run(demo_window())
    try:
        window.show_shortcuts()
        rows = window.shortcuts_dialog.rows()
        listed = " | ".join(keys for keys, _ in rows)
        for a in window.findChildren(QAction):
            for seq in a.shortcuts():
                text = seq.toString(QKeySequence.SequenceFormat.NativeText)
                assert text in listed, f"{a.objectName()} ({text}) is not in the list"
        # ux.md's list
        for keys in ("Ctrl+Return", "Esc", "Ctrl+V", "Ctrl+O", "Ctrl+S", "Ctrl+Shift+C",
                     "Space", "1", "2", "3", "Ctrl+0", "Ctrl+1", "Ctrl+F", "Del",
                     "Alt+Up", "Alt+Down", "Tab"):
            assert any(keys in k.split(" / ") for k, _ in rows), keys
        assert all(what for _, what in rows)
    finally:
        window.close()
        qloop.run(window.shutdown())
