"""The collapsible "Parameters" group: model, size, count, seed, watermark, prompt extend."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QLocale, QSize, Qt, Signal
from PySide6.QtGui import (
    QFontMetricsF,
    QKeyEvent,
    QStandardItemModel,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.errors import Reason
from qwen_studio.core.request import (
    DEFAULT_MODELS,
    DEFAULT_STYLE,
    SEED_MAX,
    max_n,
    model_family,
    normalize_size,
)
from qwen_studio.ui import theme
from qwen_studio.ui.error_text import request_note
from qwen_studio.ui.icons import icon

AUTO = "Auto"
EDIT_SIZES = (
    "1024*1024", "1328*1328", "1536*1024", "1024*1536", "1536*1536",
    "2048*2048", "1664*928", "928*1664", "1472*1104", "1104*1472",
)
RANDOM_SEED = -1  # the spin box's special value: no seed sent
HEADER_ROLE = Qt.ItemDataRole.UserRole + 1  # True on the group headers of the model list


class _ModelCombo(QComboBox):
    """The model list; asks for the endpoint's models the first time it opens. Its list is
    filled after the first frame (ParametersPanel.fill_model_list), or before a key, the
    wheel or the popup first uses it (`wanted`), whichever comes first."""

    popupWanted = Signal()
    wanted = Signal()
    list_filled = False

    def sizeHint(self) -> QSize:
        return self._as_filled(super().sizeHint())

    def _as_filled(self, size: QSize) -> QSize:
        """The size it has once filled: the rows come with AdjustToMinimumContentsLength-
        WithIcon, which makes room for an icon (Qt's recomputeSizeHint), so the first frame
        lays the panel out as every later one."""
        if self.list_filled:
            return size
        text_height = max(math.ceil(QFontMetricsF(self.font()).height()), 14) + 2
        icon = self.iconSize()
        return QSize(size.width() + icon.width() + 4,
                     size.height() + max(0, icon.height() + 2 - text_height))

    def showPopup(self) -> None:
        self.wanted.emit()
        self.popupWanted.emit()
        super().showPopup()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.wanted.emit()  # Up/Down step through the list, typing completes from it
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.wanted.emit()
        super().wheelEvent(event)


class ParametersPanel(QWidget):
    modelChanged = Signal(str)
    changed = Signal()
    # The model list is about to open: the window may fetch the endpoint's listing.
    modelListWanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton()
        self.toggle.setObjectName("parametersToggle")
        self.toggle.setText(self.tr("Parameters"))
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setIcon(icon("collapse", "muted"))  # chevrons, as the negative prompt has
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName(self.tr("Parameters"))
        self.toggle.setAccessibleDescription(self.tr("Show or hide the generation parameters"))
        self.toggle.toggled.connect(self.set_expanded)

        self.model_combo = _ModelCombo()
        self.model_combo.setObjectName("modelCombo")
        self._models = QStandardItemModel(self.model_combo)
        self.model_combo.setModel(self._models)
        # Editable through its own line edit: setEditable(True) would build the popup's list
        # view, frame and scroll bars now, and filling the list sets its current row, which
        # builds them too (~1-2 ms with the ~15 rows, their tips and the header's star);
        # until the list is filled the line edit shows the model (fill_model_list).
        self.model_combo.setLineEdit(QLineEdit(self.model_combo))
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._listed: tuple[str, ...] | None = None  # what the endpoint lists (None: catalog)
        self._list_filled = False
        self.model_combo.wanted.connect(self.fill_model_list)
        self.model_combo.popupWanted.connect(self.modelListWanted)
        self._a11y(self.model_combo, self.tr("Model"),
                   self.tr("Which Qwen image model runs the edit"))
        # What the chosen model is, or that the catalog does not know it (then it is sent
        # all the same, and the service judges the request).
        self.model_note = QLabel()
        self.model_note.setObjectName("modelNote")
        self.model_note.setWordWrap(True)
        self.model_note.setProperty("muted", True)

        self.size_combo = QComboBox()
        self.size_combo.setObjectName("sizeCombo")
        self.size_combo.setEditable(True)
        self.size_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._a11y(self.size_combo, self.tr("Size"),
                   self.tr("Output size as width*height, or Auto to keep the input's proportions"))

        self.count_spin = theme.inset_spin_text(QSpinBox())
        self.count_spin.setObjectName("countSpin")
        self.count_spin.setRange(1, 1)
        self._a11y(self.count_spin, self.tr("Count"), self.tr("How many variations to make"))

        self.seed_spin = theme.inset_spin_text(QSpinBox())
        self.seed_spin.setObjectName("seedSpin")
        self.seed_spin.setRange(RANDOM_SEED, SEED_MAX)
        self.seed_spin.setSpecialValueText(self.tr("Random"))
        self.seed_spin.setValue(RANDOM_SEED)
        self._a11y(self.seed_spin, self.tr("Seed"),
                   self.tr("Random, or a fixed number to repeat a result; step below 0 for Random"))
        # Honest about seeds (core.seeds.NOT_PROMISED, translated).
        self.seed_spin.setToolTip(self.tr(
            "Random, or a fixed number to repeat a result.\nThe service does not promise "
            "identical images for the same seed: it makes a repeat likelier, not certain."))

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
            # Long model names must not widen the whole left panel (the model combo's
            # policy is set with its rows: setting it builds the popup, see above).
            if combo is self.size_combo:
                _fit_to_minimum(combo)
            combo.setMinimumContentsLength(10)
        self.body = QWidget()
        form = QFormLayout(self.body)
        form.setContentsMargins(4, 2, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Model"), self.model_combo)
        form.addRow("", self.model_note)
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
        self.toggle.setIcon(icon("collapse" if on else "expand", "muted"))
        if self.toggle.isChecked() != on:
            self.toggle.setChecked(on)

    def is_expanded(self) -> bool:
        return self.toggle.isChecked()

    # -- the model list ----------------------------------------------------------------------
    @property
    def models(self) -> QStandardItemModel:
        """The model list's rows (filled now if they were not yet)."""
        self.fill_model_list()
        return self._models

    def fill_model_list(self) -> None:
        """Fill the model list (idempotent): after the first frame, or when first used."""
        if not self._list_filled:
            self._list_filled = self.model_combo.list_filled = True
            _fit_to_minimum(self.model_combo)
            self._fill_models()

    def set_listed_models(self, listed: tuple[str, ...] | list[str] | None) -> None:
        """Offer the catalog's models merged with what the endpoint lists (None: the catalog
        alone), grouped: recommended, editing, text to image, the endpoint's others."""
        self._listed = tuple(listed) if listed is not None else None
        if self._list_filled:
            self._fill_models()

    def _fill_models(self) -> None:
        from qwen_studio.ui.editor.model_rows import model_rows  # after the first frame

        current = self.model_combo.currentText().strip()
        self.model_combo.blockSignals(True)
        self._models.clear()
        for row in model_rows(self._listed, _lang()):
            self._models.appendRow(row)
        self.model_combo.blockSignals(False)
        if current:
            self.set_model(current)

    def model_ids(self) -> list[str]:
        """The model names offered, in order (group headers left out)."""
        return [self.models.item(i).text() for i in range(self.models.rowCount())
                if not self.models.item(i).data(HEADER_ROLE)]

    # -- model-dependent ranges ----------------------------------------------------------------
    def _on_model(self, model: str) -> None:
        model = model.strip()
        current = self.size_combo.currentText()
        family = model_family(model)
        lang = _lang()
        if family is None:
            self.model_note.setText(request_note(Reason("unknown_model", model=model))
                                    if model else "")
        else:
            self.model_note.setText(family.describe(lang))
        self.size_combo.setEnabled(family is None or family.size.customizable)
        for name, box in (("prompt_extend", self.prompt_extend_check),
                          ("watermark", self.watermark_check), ("seed", self.seed_spin)):
            box.setEnabled(family is None or name in family.options)
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
        if not self._list_filled:  # the line edit shows it; the list finds it when filled
            self.model_combo.setEditText(model)
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

    # Not QWidget.size(): the panel's API predates the check; nothing calls the Qt one on it.
    def size(self) -> str | None:  # pyright: ignore[reportIncompatibleMethodOverride]
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
        return None if v == RANDOM_SEED or not self.seed_spin.isEnabled() else v

    def watermark(self) -> bool | None:
        """None when the model does not take the option: then it is not sent."""
        box = self.watermark_check
        return box.isChecked() if box.isEnabled() else None

    def prompt_extend(self) -> bool | None:
        box = self.prompt_extend_check
        return box.isChecked() if box.isEnabled() else None

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


def _fit_to_minimum(combo: QComboBox) -> None:
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)


def _lang() -> str:
    """The catalog's text language for the UI language (QLocale's default follows it)."""
    return "zh_CN" if QLocale().name().startswith("zh") else "en"
