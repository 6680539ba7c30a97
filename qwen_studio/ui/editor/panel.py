"""The left column: inputs, prompt, parameters and Run, bound to an EditorState.

Inputs, prompt and parameters scroll; Run and Cancel sit in a fixed footer below them, so
they never scroll out of view (a batch queue open under the window takes height from the
panel, and the hint still says "press Run")."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from qwen_studio.core.request import EditRequest
from qwen_studio.ui.editor.drop_zone import DropZone
from qwen_studio.ui.editor.parameters_panel import RANDOM_SEED, ParametersPanel
from qwen_studio.ui.editor.prompt_panel import PromptPanel
from qwen_studio.ui.editor.state import EditorState, Parameters
from qwen_studio.ui.icons import icon

translate = QCoreApplication.translate  # context "MainWindow": its strings moved here


def read_parameters(params: ParametersPanel) -> Parameters:
    try:
        size, problem = params.size(), ""
    except ValueError as exc:
        size, problem = None, (exc.args[0] if exc.args else str(exc))  # a Reason, when core's
    return Parameters(
        model=params.model(), size=size, size_problem=problem, n=params.count_spin.value(),
        seed=params.seed(), watermark=params.watermark(),  # None: the model does not take it
        prompt_extend=params.prompt_extend())


SHORTCUT = "   Ctrl+↵"  # shown after the Run button's words where there is room


class RunButton(QPushButton):
    """Run: its words and, where there is room, the shortcut ("Run batch (8)   Ctrl+↵").
    The left panel is narrow (narrower still when the batch dock gives it a scroll bar): a
    text that does not fit is clipped at both ends ("> Run batch (8)   Ctrl"). The shortcut
    goes first, then the longer words for the short ones ("Run (120)"); the accessible
    name and description keep the whole meaning."""

    def __init__(self, words: str, parent: QWidget | None = None) -> None:
        super().__init__(words + SHORTCUT, parent)
        self._texts = [words + SHORTCUT, words]

    def words(self) -> str:
        return self._texts[1]

    def set_words(self, words: str, short: str = "") -> None:
        """`words` (with the shortcut where it fits), else `short` where even they do not."""
        self._texts = [words + SHORTCUT, words] + ([short] if short else [])
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        # What the style adds around the text (icon, padding), from the text shown now.
        around = self.sizeHint().width() - metrics.horizontalAdvance(self.text())
        room = self.width() - around
        text = next((t for t in self._texts if metrics.horizontalAdvance(t) <= room),
                    self._texts[-1])
        if text != self.text():
            self.setText(text)


class EditorPanel(QWidget):
    """Widgets write what the user sets into `state` as it changes; the panel's inputs
    strip shows `state.inputs`."""

    def __init__(self, state: EditorState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.drop_zone = DropZone()
        self.prompt_panel = PromptPanel()
        self.params = ParametersPanel()
        self.run_button = RunButton(translate("MainWindow", "Run"))
        self.run_button.setObjectName("runButton")
        self.run_button.setAccessibleName(translate("MainWindow", "Run"))
        self.run_button.setAccessibleDescription(
            translate("MainWindow", "Start the edit (Ctrl+Enter)"))
        self.run_button.setDefault(True)
        self.run_button.setMinimumHeight(36)
        self.cancel_button = QPushButton(translate("MainWindow", "Cancel"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName(translate("MainWindow", "Cancel"))
        self.cancel_button.setAccessibleDescription(
            translate("MainWindow", "Stop the edits in flight (Esc)"))
        self.cancel_button.setMinimumHeight(36)
        self.cancel_button.setEnabled(False)

        inputs_title = QLabel(translate("MainWindow", "Inputs"))
        inputs_title.setObjectName("sectionTitle")
        left = QWidget()
        left.setObjectName("leftPanel")
        lv = QVBoxLayout(left)
        lv.setContentsMargins(12, 12, 12, 12)
        lv.setSpacing(8)
        lv.addWidget(inputs_title)
        lv.addWidget(self.drop_zone)
        lv.addSpacing(4)
        lv.addWidget(self.prompt_panel)
        lv.addWidget(self.params)
        lv.addStretch(1)
        self.run_button.setIcon(icon("run"))
        self.cancel_button.setIcon(icon("cancel"))
        self.footer = QWidget()
        self.footer.setObjectName("runFooter")
        run_row = QHBoxLayout(self.footer)
        run_row.setContentsMargins(12, 8, 12, 12)
        run_row.addWidget(self.run_button, 1)
        run_row.addWidget(self.cancel_button)

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("leftScroll")
        self.scroll_area.setAccessibleName(translate("MainWindow", "Inputs and prompt"))
        self.scroll_area.setAccessibleDescription(
            translate("MainWindow", "Input photos, prompt and parameters"))
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(left)
        # The panel reflows to its width; a sideways scroll bar would hide the counts.
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setObjectName("editorPanel")
        self.setAccessibleName(translate("MainWindow", "Inputs and prompt"))
        self.setAccessibleDescription(
            translate("MainWindow", "Input photos, prompt, parameters and the Run button"))
        self.setMinimumWidth(260)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.scroll_area, 1)
        outer.addWidget(self.footer)

        pp, params = self.prompt_panel, self.params
        pp.prompt_edit.textChanged.connect(lambda: state.set_prompt(pp.prompt()))
        # The negative prompt's box is built when first opened or given text.
        pp.negativeBuilt.connect(self._wire_negative)
        params.changed.connect(lambda: state.set_parameters(read_parameters(params)))
        state.set_parameters(read_parameters(params))
        state.inputsChanged.connect(self._show_inputs)

    def _wire_negative(self, edit: QWidget) -> None:
        pp = self.prompt_panel
        pp.negative_edit.textChanged.connect(
            lambda: self.state.set_negative_prompt(pp.negative_prompt()))
        # Reading order: the prompt, then the negative prompt, then the parameters.
        QWidget.setTabOrder(pp.prompt_edit, edit)
        QWidget.setTabOrder(edit, self.params.toggle)

    def _show_inputs(self) -> None:
        self.drop_zone.set_inputs([(i.path.name, i.thumbnail) for i in self.state.inputs])

    def recall(self, request: EditRequest) -> None:
        """Prompt, negative prompt and every parameter of `request` (not its inputs): the
        widgets write them into the state as for a user's change."""
        pp, p = self.prompt_panel, self.params
        pp.set_prompt(request.prompt)
        pp.set_negative_prompt(request.negative_prompt)
        p.set_model(request.model)
        p.set_size(request.size)
        p.count_spin.setValue(request.n)
        p.seed_spin.setValue(RANDOM_SEED if request.seed is None else request.seed)
        if request.watermark is not None:
            p.watermark_check.setChecked(request.watermark)
        if request.prompt_extend is not None:
            p.prompt_extend_check.setChecked(request.prompt_extend)
        pp.prompt_edit.setFocus()

    def set_tab_order(self, after: QWidget) -> None:
        """Reading order: inputs → prompt → parameters → run → cancel → `after`."""
        pp, p = self.prompt_panel, self.params
        negative = [] if pp.negative_built is None else [pp.negative_built]  # (_wire_negative)
        chain = [self.drop_zone, pp.prompt_edit, *negative, p.toggle, p.model_combo,
                 p.size_combo, p.count_spin, p.seed_spin, p.watermark_check,
                 p.prompt_extend_check, self.run_button, self.cancel_button, after]
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)
