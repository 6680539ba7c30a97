"""The collapsible "Parameters" group: model, size, count, seed, watermark, prompt extend."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.request import (
    DEFAULT_MODELS,
    DEFAULT_STYLE,
    SEED_MAX,
    known_models,
    max_n,
    model_family,
    normalize_size,
)

AUTO = "Auto"
EDIT_SIZES = (
    "1024*1024", "1328*1328", "1536*1024", "1024*1536", "1536*1536",
    "2048*2048", "1664*928", "928*1664", "1472*1104", "1104*1472",
)
RANDOM_SEED = -1  # the spin box's special value: no seed sent


class ParametersPanel(QWidget):
    modelChanged = Signal(str)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton()
        self.toggle.setObjectName("parametersToggle")
        self.toggle.setText(self.tr("Parameters"))
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName(self.tr("Parameters"))
        self.toggle.setAccessibleDescription(self.tr("Show or hide the generation parameters"))
        self.toggle.toggled.connect(self.set_expanded)

        self.model_combo = QComboBox()
        self.model_combo.setObjectName("modelCombo")
        self.model_combo.setEditable(True)
        self.model_combo.addItems(known_models())
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._a11y(self.model_combo, self.tr("Model"),
                   self.tr("Which Qwen image model runs the edit"))

        self.size_combo = QComboBox()
        self.size_combo.setObjectName("sizeCombo")
        self.size_combo.setEditable(True)
        self.size_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._a11y(self.size_combo, self.tr("Size"),
                   self.tr("Output size as width*height, or Auto to keep the input's proportions"))

        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("countSpin")
        self.count_spin.setRange(1, 1)
        self._a11y(self.count_spin, self.tr("Count"), self.tr("How many variations to make"))

        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seedSpin")
        self.seed_spin.setRange(RANDOM_SEED, SEED_MAX)
        self.seed_spin.setSpecialValueText(self.tr("Random"))
        self.seed_spin.setValue(RANDOM_SEED)
        self._a11y(self.seed_spin, self.tr("Seed"),
                   self.tr("Random, or a fixed number to repeat a result; step below 0 for Random"))

        self.watermark_check = QCheckBox(self.tr("Watermark"))
        self.watermark_check.setObjectName("watermarkCheck")
        self._a11y(self.watermark_check, self.tr("Watermark"),
                   self.tr("Ask the service to add its watermark"))

        self.prompt_extend_check = QCheckBox(self.tr("Prompt extend"))
        self.prompt_extend_check.setObjectName("promptExtendCheck")
        self.prompt_extend_check.setChecked(True)
        self._a11y(self.prompt_extend_check, self.tr("Prompt extend"),
                   self.tr("Let the service rewrite the prompt in more detail"))

        for combo in (self.model_combo, self.size_combo):
            # Long model names must not widen the whole left panel.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        self.body = QWidget()
        form = QFormLayout(self.body)
        form.setContentsMargins(4, 2, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Model"), self.model_combo)
        form.addRow(self.tr("Size"), self.size_combo)
        form.addRow(self.tr("Count"), self.count_spin)
        form.addRow(self.tr("Seed"), self.seed_spin)
        form.addRow("", self.watermark_check)
        form.addRow("", self.prompt_extend_check)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.toggle)
        lay.addWidget(self.body)

        self.model_combo.currentTextChanged.connect(self._on_model)
        for sig in (self.size_combo.currentTextChanged, self.count_spin.valueChanged,
                    self.seed_spin.valueChanged, self.watermark_check.toggled,
                    self.prompt_extend_check.toggled):
            sig.connect(self.changed)
        self.set_model(DEFAULT_MODELS[DEFAULT_STYLE])
        self._on_model(self.model())

    @staticmethod
    def _a11y(w: QWidget, name: str, description: str) -> None:
        w.setAccessibleName(name)
        w.setAccessibleDescription(description)
        w.setToolTip(description)

    def set_expanded(self, on: bool) -> None:
        self.body.setVisible(on)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        if self.toggle.isChecked() != on:
            self.toggle.setChecked(on)

    def is_expanded(self) -> bool:
        return self.toggle.isChecked()

    # -- model-dependent ranges ----------------------------------------------------------------
    def _on_model(self, model: str) -> None:
        model = model.strip()
        current = self.size_combo.currentText()
        family = model_family(model)
        sizes = family.size.suggested() if family else EDIT_SIZES
        self.size_combo.blockSignals(True)
        self.size_combo.clear()
        self.size_combo.addItem(self._auto_text())
        self.size_combo.addItems(list(sizes))
        self.size_combo.blockSignals(False)
        self.set_size(current if current else None)
        self.count_spin.setRange(1, max(1, max_n(model)))
        self.modelChanged.emit(model)
        self.changed.emit()

    def model(self) -> str:
        return self.model_combo.currentText().strip()

    def set_model(self, model: str) -> None:
        if not model:
            return
        i = self.model_combo.findText(model)
        if i < 0:
            self.model_combo.addItem(model)
            i = self.model_combo.findText(model)
        self.model_combo.setCurrentIndex(i)

    def _auto_text(self) -> str:
        return self.tr("Auto")

    def _is_auto(self, text: str | None) -> bool:
        # The shown word is translated; the stored value stays AUTO in every language.
        t = (text or "").strip()
        return not t or t.lower() == AUTO.lower() or t == self._auto_text()

    def size(self) -> str | None:
        """'W*H' or None for Auto. Raises ValueError for text that is not a size."""
        text = self.size_combo.currentText()
        return None if self._is_auto(text) else normalize_size(text)

    def set_size(self, size: str | None) -> None:
        text = self._auto_text() if self._is_auto(size) else str(size)
        i = self.size_combo.findText(text)
        if i >= 0:
            self.size_combo.setCurrentIndex(i)
        else:
            self.size_combo.setEditText(text)

    def seed(self) -> int | None:
        v = self.seed_spin.value()
        return None if v == RANDOM_SEED else v

    # -- persistence ---------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {
            "model": self.model(),
            "size": AUTO if self._is_auto(self.size_combo.currentText())
            else self.size_combo.currentText().strip(),
            "n": self.count_spin.value(),
            "seed": self.seed_spin.value(),
            "watermark": self.watermark_check.isChecked(),
            "prompt_extend": self.prompt_extend_check.isChecked(),
            "expanded": self.is_expanded(),
        }

    def set_values(self, v: dict[str, Any]) -> None:
        def as_bool(x: Any, default: bool) -> bool:
            if isinstance(x, str):
                return x.lower() in ("1", "true", "yes")
            return default if x is None else bool(x)

        def as_int(x: Any, default: int) -> int:
            try:
                return int(x)
            except (TypeError, ValueError):
                return default

        if v.get("model"):
            self.set_model(str(v["model"]))
        if v.get("size"):
            self.set_size(str(v["size"]))
        self.count_spin.setValue(as_int(v.get("n"), 1))
        self.seed_spin.setValue(as_int(v.get("seed"), RANDOM_SEED))
        self.watermark_check.setChecked(as_bool(v.get("watermark"), False))
        self.prompt_extend_check.setChecked(as_bool(v.get("prompt_extend"), True))
        self.set_expanded(as_bool(v.get("expanded"), True))
