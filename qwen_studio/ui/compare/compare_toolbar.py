"""The compare view's slim toolbar and its actions: the mode switch, Fit and 100 %, the zoom
and sizes notes, the result actions (save, copy, use as input, show in folder, drag out) and
the ⋯ menu for what does not fit (split from compare_view.py).

The actions belong to the view (added to it, so their window-wide shortcuts work wherever
focus is); the toolbar's buttons show them. Strings keep the "CompareView" context they
were translated in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QFontMetrics, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton

from qwen_studio.ui.compare.modes import MODE_HELP, MODE_TEXT, MODES
from qwen_studio.ui.compare.toolbar_parts import DragHandle, StagedLabel, ToolbarOverflow
from qwen_studio.ui.icons import icon

if TYPE_CHECKING:
    from qwen_studio.ui.compare.compare_view import CompareView

translate = QCoreApplication.translate  # context "CompareView": its strings moved here


class CompareToolbar(QFrame):
    """The toolbar over the canvas; builds the view's actions first (its buttons show them)."""

    def __init__(self, view: CompareView) -> None:
        super().__init__(view)
        self._view = view
        self._build_actions(view)
        self._build_toolbar(view)

    def show_result_state(self, has_result: bool, can_drag: bool) -> None:
        """Result actions work only with a result shown; dragging out needs its file."""
        for action in (self.save_action, self.copy_action, self.use_action,
                       self.reveal_action):
            action.setEnabled(has_result)
        self.drag_button.setEnabled(can_drag)

    def show_zoom_state(self, has_image: bool, fit: bool, actual: bool) -> None:
        self.fit_action.setChecked(fit)
        self.actual_action.setChecked(actual)
        for action in (self.fit_action, self.actual_action, self.zoom_in_action,
                       self.zoom_out_action):
            action.setEnabled(has_image)

    def context_menu(self, parent: CompareView) -> QMenu:
        """The canvas's right-click menu: result actions, modes, zoom."""
        menu = QMenu(parent)
        menu.setObjectName("compareContextMenu")
        menu.addActions([self.save_action, self.copy_action, self.use_action,
                         self.reveal_action])
        menu.addSeparator()
        menu.addActions(list(self.mode_actions.values()))
        menu.addSeparator()
        menu.addActions([self.fit_action, self.actual_action, self.zoom_in_action,
                         self.zoom_out_action])
        return menu

    def _action(self, text: str, tip: str, slot: Callable[[], object],
                keys: QKeySequence | QKeySequence.StandardKey | str | None = None,
                context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut) -> QAction:
        action = QAction(text, self._view)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(context)
        action.triggered.connect(lambda _checked=False: slot())
        self._view.addAction(action)
        return action

    def _build_actions(self, view: CompareView) -> None:
        local = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.mode_group = QActionGroup(view)
        self.mode_group.setExclusive(True)
        self.mode_actions: dict[str, QAction] = {}
        for i, mode in enumerate(MODES, start=1):
            action = self._action(translate("CompareView", MODE_TEXT[mode]),
                                  translate("CompareView", MODE_HELP[mode]),
                                  lambda _=False, m=mode: view.set_mode(m), str(i), local)
            action.setCheckable(True)
            self.mode_group.addAction(action)
            self.mode_actions[mode] = action
        self.mode_actions[view.mode()].setChecked(True)

        self.fit_action = self._action(
            translate("CompareView", "Fit"),
            translate("CompareView", "Fit the whole image in view (Ctrl+0)"), view.fit, "Ctrl+0")
        self.fit_action.setCheckable(True)
        # "1:1", the action, beside the zoom reading ("68 %"): a "100 %" button there read
        # as a second zoom value. Its tooltip says the percent.
        self.actual_action = self._action(
            "1:1",
            translate("CompareView",
                      "Actual size (100 %): one image pixel per screen pixel (Ctrl+1)"),
            view.actual_size, "Ctrl+1")
        self.actual_action.setCheckable(True)
        self.zoom_in_action = self._action(
            translate("CompareView", "Zoom in"), translate("CompareView", "Zoom in (Ctrl++)"),
            lambda: view.canvas.zoom_step(1), QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_action = self._action(
            translate("CompareView", "Zoom out"), translate("CompareView", "Zoom out (Ctrl+-)"),
            lambda: view.canvas.zoom_step(-1), QKeySequence.StandardKey.ZoomOut)

        self.save_action = self._action(
            translate("CompareView", "Save"),
            translate("CompareView", "Save the result as a file… (Ctrl+S)"),
            view.saveRequested.emit, "Ctrl+S")
        self.copy_action = self._action(
            translate("CompareView", "Copy"),
            translate("CompareView", "Copy the result image (Ctrl+Shift+C)"),
            view.copyRequested.emit, "Ctrl+Shift+C")
        self.use_action = self._action(
            translate("CompareView", "Use as input"),
            translate("CompareView", "Continue editing from this result"),
            view.useAsInputRequested.emit)
        self.reveal_action = self._action(
            translate("CompareView", "Show in folder"),
            translate("CompareView", "Show the result file in the file manager"),
            view.revealRequested.emit)

    def _tool_button(self, name: str, action: QAction | None, accessible: str,
                     description: str) -> QToolButton:
        button = QToolButton(self)
        if action is not None:
            button.setDefaultAction(action)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setAccessibleDescription(description)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # clicks leave focus on the canvas
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def _build_toolbar(self, view: CompareView) -> None:
        bar = self
        bar.setObjectName("compareToolbar")
        bar.setAccessibleName(translate("CompareView", "Compare toolbar"))
        # Its look (mode switch, checked buttons, the zoom and size notes) is in the theme's
        # style sheet (#compareToolbar rules), so it follows a live light/dark switch.
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        row.setSpacing(4)

        switch = QFrame(bar)
        switch.setObjectName("modeSwitch")
        switch.setAccessibleName(translate("CompareView", "Compare mode"))
        switch_row = QHBoxLayout(switch)
        switch_row.setContentsMargins(2, 2, 2, 2)
        switch_row.setSpacing(2)
        self.mode_buttons: dict[str, QToolButton] = {}
        for i, mode in enumerate(MODES, start=1):
            text = translate("CompareView", MODE_TEXT[mode])
            button = self._tool_button(f"mode{mode.capitalize()}Button", self.mode_actions[mode],
                                       translate("CompareView", "{mode} mode").format(mode=text),
                                       translate("CompareView", MODE_HELP[mode]))
            button.setToolTip(f"{text} ({i})")
            switch_row.addWidget(button)
            self.mode_buttons[mode] = button
        row.addWidget(switch)
        row.addSpacing(10)

        self.fit_button = self._tool_button(
            "fitButton", self.fit_action, translate("CompareView", "Fit to view"),
            translate("CompareView", "Show the whole image (Ctrl+0)"))
        self.actual_button = self._tool_button(
            "actualSizeButton", self.actual_action,
            translate("CompareView", "Actual size, 100 percent"),
            translate("CompareView", "One image pixel per screen pixel (Ctrl+1)"))
        row.addWidget(self.fit_button)
        row.addWidget(self.actual_button)
        self.zoom_label = QLabel(bar)
        self.zoom_label.setObjectName("zoomLabel")
        self.zoom_label.setAccessibleName(translate("CompareView", "Zoom level"))
        current = translate("CompareView", "Current zoom in percent of actual pixels")
        self.zoom_label.setAccessibleDescription(current)
        self.zoom_label.setToolTip(current)  # a reading, not a button
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.zoom_label.setMinimumWidth(QFontMetrics(self.font()).horizontalAdvance("3200 %") + 6)
        self.zoom_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        row.addWidget(self.zoom_label)
        row.addSpacing(12)

        self.sizes_label = StagedLabel(bar)
        self.sizes_label.setObjectName("imageSizes")
        self.sizes_label.setAccessibleName(translate("CompareView", "Image sizes"))
        self.sizes_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.sizes_label, 1)
        row.addSpacing(12)

        self.save_button = self._tool_button(
            "saveResultButton", self.save_action, translate("CompareView", "Save result"),
            translate("CompareView", "Save the result as a file (Ctrl+S)"))
        self.copy_button = self._tool_button(
            "copyResultButton", self.copy_action, translate("CompareView", "Copy result"),
            translate("CompareView", "Copy the result image to the clipboard (Ctrl+Shift+C)"))
        self.use_button = self._tool_button(
            "useAsInputButton", self.use_action, translate("CompareView", "Use result as input"),
            translate("CompareView", "Make this result the input of the next edit"))
        self.reveal_button = self._tool_button(
            "revealResultButton", self.reveal_action,
            translate("CompareView", "Show result in folder"),
            translate("CompareView", "Open the file manager at the saved result"))
        self.drag_button = DragHandle(self, view.start_drag)
        self.drag_button.setObjectName("dragResultButton")
        self.drag_button.setText(translate("CompareView", "Drag"))
        self.drag_button.setIcon(icon("drag"))
        # Icon only: small enough never to leave the toolbar (a drag cannot start from a menu).
        self.drag_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.drag_button.setToolTip(translate(
            "CompareView", "Drag the result file into another app or folder "
            "(or Ctrl+drag the image)"))
        self.drag_button.setAccessibleName(translate("CompareView", "Drag result out"))
        self.drag_button.setAccessibleDescription(translate(
            "CompareView", "Drag from here to drop the result file into another application or "
            "a folder"))
        self.drag_button.setAutoRaise(True)
        self.drag_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.drag_button.setCursor(Qt.CursorShape.OpenHandCursor)
        for button, name in ((self.save_button, "save"), (self.copy_button, "copy"), (
                self.use_button, "use-as-input"), (self.reveal_button, "show-in-folder")):
            button.defaultAction().setIcon(icon(name))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more_button = self._tool_button(
            "toolbarOverflowButton", None, translate("CompareView", "More"),
            translate("CompareView", "Result actions that do not fit"))
        self.more_button.setToolTip(translate("CompareView", "More actions"))
        for button in (self.save_button, self.copy_button, self.use_button,
                       self.reveal_button, self.more_button, self.drag_button):
            row.addWidget(button)
        # The view often sits between two docks: allow it to get narrower than every button
        # side by side; ToolbarOverflow moves what does not fit into the ⋯ menu.
        bar.setMinimumWidth(320)
        self.overflow = ToolbarOverflow(
            bar, (self.reveal_button, self.use_button, self.copy_button, self.save_button),
            self.more_button, self.sizes_label, over_keep=(self.save_button,))
