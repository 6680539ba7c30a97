"""The mask tools: a tool bar (brush, eraser, rectangle, lasso, size, hardness, invert,
clear, show/hide, undo/redo) and the controller that turns pointer input, already mapped
to image pixels by the canvas, into MaskLayer operations.

Keys (active while the canvas or the bar has focus): B brush, E eraser, M rectangle,
L lasso, [ / ] brush size down / up, Ctrl+I invert, Esc leaves the mask tools.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QLabel, QSlider, QToolBar, QWidget

from qwen_studio.ui.compare.mask_layer import MaskLayer, MaskOp
from qwen_studio.ui.icons import icon
from qwen_studio.ui.punctuation import colon

SIZE_RANGE = (1, 2000)  # brush diameter, image px
SIZE_STEP = 1.25  # [ and ] scale the size, as Photoshop's steps do
SLIDER_MIN_WIDTH = 56  # px: room to drag the brush's size and hardness


class MaskController(QObject):
    """Pointer input in image pixels -> mask operations, for the current tool."""

    toolChanged = Signal(object)  # str | None: None = the mask tools are off
    brushChanged = Signal()  # size or hardness
    previewChanged = Signal()  # the rectangle/lasso being dragged

    def __init__(self, layer: MaskLayer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self._tool: str | None = None
        self.size = 60.0
        self.hardness = 0.8
        self._drag: list[tuple[float, float]] = []

    def tool(self) -> str | None:
        return self._tool

    def set_tool(self, tool: str | None) -> None:
        if tool != self._tool:
            self._tool = tool
            self._drag = []
            self.toolChanged.emit(tool)

    def set_size(self, size: float) -> None:
        size = max(SIZE_RANGE[0], min(SIZE_RANGE[1], size))
        if size != self.size:
            self.size = size
            self.brushChanged.emit()

    def step_size(self, direction: int) -> None:
        self.set_size(round(self.size * SIZE_STEP ** direction))

    def set_hardness(self, hardness: float) -> None:
        hardness = max(0.0, min(1.0, hardness))
        if hardness != self.hardness:
            self.hardness = hardness
            self.brushChanged.emit()

    def cursor_diameter(self) -> float | None:
        """The brush's size in image px for the canvas's size cursor (None: no brush)."""
        return self.size if self._tool in ("brush", "eraser") else None

    def drag_points(self) -> list[tuple[float, float]]:
        """The rectangle's corners or the lasso's points while dragging (for a preview)."""
        return list(self._drag)

    # -- pointer ------------------------------------------------------------------------------
    def press(self, pos: QPointF) -> bool:
        """True when the press was the mask's (the canvas then does not pan or wipe)."""
        if self._tool in ("brush", "eraser"):
            self.layer.begin_stroke(pos, erase=self._tool == "eraser", size=self.size,
                                    hardness=self.hardness)
            return True
        if self._tool in ("rect", "lasso"):
            self._drag = [(pos.x(), pos.y())]
            self.previewChanged.emit()
            return True
        return False

    def move(self, pos: QPointF) -> None:
        if self.layer.stroking():
            self.layer.extend_stroke(pos)
        elif self._drag:
            if self._tool == "rect":
                self._drag = [self._drag[0], (pos.x(), pos.y())]
            else:
                self._drag.append((pos.x(), pos.y()))
            self.previewChanged.emit()

    def release(self, pos: QPointF) -> None:
        if self.layer.stroking():
            self.layer.extend_stroke(pos)
            self.layer.end_stroke()
            return
        if not self._drag:
            return
        points, self._drag = [*self._drag, (pos.x(), pos.y())], []
        self.previewChanged.emit()
        if self._tool == "rect":
            (x0, y0), (x1, y1) = points[0], points[-1]
            if abs(x1 - x0) >= 1 and abs(y1 - y0) >= 1:
                self.layer.apply(MaskOp("rect", (points[0], points[-1])))
        elif self._tool == "lasso" and len(points) >= 3:
            self.layer.apply(MaskOp("lasso", tuple(points)))

    def invert(self) -> None:
        self.layer.apply(MaskOp("invert"))

    def clear(self) -> None:
        if not self.layer.is_empty():
            self.layer.apply(MaskOp("clear"))


class MaskToolBar(QToolBar):
    """The mask tools' bar. Its actions carry the shortcuts; add it (or its actions) where
    the canvas's keys should reach them."""

    def __init__(self, controller: MaskController, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Mask"), parent)
        self.setObjectName("maskToolBar")
        self.setAccessibleName(self.tr("Mask tools"))
        self.setIconSize(QSize(16, 16))  # undo and redo: the size of the words beside them
        self.controller = controller
        layer = controller.layer
        self._group = QActionGroup(self)
        self._group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self.tool_actions: dict[str, QAction] = {}
        for tool, text, key, tip in (
            ("brush", self.tr("Brush"), "B", self.tr("Paint the region to change")),
            ("eraser", self.tr("Eraser"), "E", self.tr("Remove from the region")),
            ("rect", self.tr("Rectangle"), "M", self.tr("Drag a rectangle to add")),
            ("lasso", self.tr("Lasso"), "L", self.tr("Draw around an area to add")),
        ):
            action = QAction(text, self, checkable=True)
            action.setShortcut(QKeySequence(key))
            action.setToolTip(f"{tip} ({key})")
            action.setData(tool)
            action.toggled.connect(lambda on, t=tool: self._tool_toggled(t, on))
            self._group.addAction(action)
            self.addAction(action)
            self.tool_actions[tool] = action
        self.addSeparator()
        self.size_label = QLabel(self)
        self.size_slider = self._slider(self.tr("Brush size"), 1, 500, int(controller.size),
                                        self.tr("The brush's diameter in image pixels "
                                                "([ smaller, ] bigger)"))
        self.size_slider.valueChanged.connect(lambda v: controller.set_size(float(v)))
        self.hardness_slider = self._slider(self.tr("Brush hardness"), 0, 100,
                                            round(controller.hardness * 100),
                                            self.tr("0 paints a soft edge, 100 a hard one"))
        self.hardness_slider.valueChanged.connect(lambda v: controller.set_hardness(v / 100))
        # The size slider has its value beside it; this one said nothing of what it is.
        self.hardness_label = QLabel(self.tr("Hardness"), self)
        self.hardness_label.setBuddy(self.hardness_slider)
        self.addWidget(self.size_label)
        self.addWidget(self.size_slider)
        self.addWidget(self.hardness_label)
        self.addWidget(self.hardness_slider)
        self.addSeparator()
        self.invert_action = self._button(self.tr("Invert"), "Ctrl+I", controller.invert,
                                          self.tr("Swap the region and the rest"))
        self.clear_action = self._button(self.tr("Clear"), None, controller.clear,
                                         self.tr("Remove the whole region"))
        # An eye, open or shut (its words stay the accessible name and the tooltip): the
        # words took the room the undo and redo need at 1400 px.
        self.show_action = QAction(icon("show"), self.tr("Show mask"), self, checkable=True,
                                   checked=True)
        self.show_action.setToolTip(colon(self.tr("Show mask"),
                                          self.tr("Show or hide the mask overlay")))
        self.show_action.toggled.connect(layer.set_visible)
        self.show_action.toggled.connect(
            lambda on: self.show_action.setIcon(icon("show" if on else "hide")))
        self.addAction(self.show_action)
        # Icons (their text stays the accessible name, the tooltip and the overflow menu's
        # words): as words, "Undo stroke" fell into the overflow at 1400 px.
        self.undo_action = self._button(self.tr("Undo stroke"), None, layer.undo,
                                        self.tr("Undo the last mask operation"), "undo")
        self.redo_action = self._button(self.tr("Redo stroke"), None, layer.redo,
                                        self.tr("Redo the mask operation"), "redo")
        smaller = QAction(self.tr("Smaller brush"), self)
        smaller.setShortcut(QKeySequence("["))
        smaller.triggered.connect(lambda: controller.step_size(-1))
        bigger = QAction(self.tr("Bigger brush"), self)
        bigger.setShortcut(QKeySequence("]"))
        bigger.triggered.connect(lambda: controller.step_size(1))
        # Buttons too, for those who use no keyboard; last, so a narrow bar moves these (the
        # slider does the same) to its overflow before the undo and the mask's visibility.
        self.addActions([smaller, bigger])
        layer.historyChanged.connect(self._sync)
        controller.brushChanged.connect(self._sync)
        controller.toolChanged.connect(self._sync)
        self._sync()

    def _slider(self, name: str, lo: int, hi: int, value: int, description: str) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal, self)
        slider.setRange(lo, hi)
        slider.setValue(value)
        slider.setMaximumWidth(120)
        slider.setMinimumWidth(SLIDER_MIN_WIDTH)  # a bar short of room squeezed it to a nub
        slider.setAccessibleName(name)
        slider.setAccessibleDescription(description)
        slider.setToolTip(colon(name, description))
        return slider

    def _button(self, text: str, key: str | None, slot: object, tip: str,
                icon_name: str | None = None) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
            tip = colon(text, tip)
        if key:
            action.setShortcut(QKeySequence(key))
            tip = f"{tip} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.triggered.connect(slot)  # type: ignore[arg-type]
        self.addAction(action)
        return action

    def _tool_toggled(self, tool: str, on: bool) -> None:
        if on:
            self.controller.set_tool(tool)
        elif self.controller.tool() == tool:
            self.controller.set_tool(None)

    def _sync(self, *_args: object) -> None:
        c, layer = self.controller, self.controller.layer
        for tool, action in self.tool_actions.items():
            if action.isChecked() != (c.tool() == tool):
                action.setChecked(c.tool() == tool)
        self.size_label.setText(self.tr("{0} px").format(round(c.size)))
        for slider, value in ((self.size_slider, round(c.size)),
                              (self.hardness_slider, round(c.hardness * 100))):
            if slider.value() != value:
                slider.blockSignals(True)
                slider.setValue(min(slider.maximum(), value))
                slider.blockSignals(False)
        self.undo_action.setEnabled(layer.can_undo())
        self.redo_action.setEnabled(layer.can_redo())
        self.clear_action.setEnabled(not layer.is_empty())
