"""EditorState: what the designer has set up for the next edit, without any widget.

Inputs, prompt, negative prompt and parameters live here; the widgets write into it as
the user types (ui/editor/binding.py) and read back what they must show. `build_request()`
turns it into the frozen EditRequest every edit runs on, so request building is testable
without a window, and nothing reads another widget's internals to run an edit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QImage

from qwen_studio.core.errors import INPUT_COUNT_PROBLEMS
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.core.request import DEFAULT_MODELS, DEFAULT_STYLE, EditRequest, max_inputs

if TYPE_CHECKING:
    from qwen_studio.qt.edit_session import EditSession
    from qwen_studio.qt.tasks import TaskRunner


@dataclass(frozen=True)
class InputItem:
    """One input photo of the editor: its file, its thumbnail, and the edit it came from."""

    path: Path
    thumbnail: QImage | None = None
    parent_edit_id: int | None = None  # set when the input is a previous result


@dataclass(frozen=True)
class Parameters:
    """The edit's parameters as the user set them in the parameters panel."""

    model: str = DEFAULT_MODELS[DEFAULT_STYLE]
    size: str | None = None  # "W*H", None for Auto
    size_problem: str = ""  # the reason the typed size is not one (a core Reason)
    n: int = 1
    seed: int | None = None  # None: random
    watermark: bool | None = False  # None: the model does not take it (not sent)
    prompt_extend: bool | None = True


@dataclass(frozen=True)
class DrawnMask:
    """The region drawn on the photo the edit changes: greyscale rows (white = change) at
    the mask's working size, and the feather (px) to grow outside it."""

    pixels: bytes
    width: int
    height: int
    feather: int


class MaskSource(Protocol):
    """Where the region is drawn (the compare view's mask tools, ui/compare/region_tools)."""

    def drawn_mask(self, photo: Path) -> DrawnMask | None: ...


def encode_mask(mask: DrawnMask) -> tuple[bytes, str]:
    """The mask PNG to store with the edit and its sha256 (in the pool)."""
    from PIL import Image

    from qwen_studio.core.region import mask_png

    return mask_png(Image.frombytes("L", (mask.width, mask.height), mask.pixels))


class EditorState(QObject):
    """Signals fire only on real changes: `inputsChanged` when the list of inputs changes,
    `modelChanged(str)` when the model does (the input limit may change with it)."""

    inputsChanged = Signal()
    modelChanged = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._inputs: tuple[InputItem, ...] = ()
        self.prompt = ""
        self.negative_prompt = ""
        self.parameters = Parameters()
        self.style = DEFAULT_STYLE  # the connected endpoint's request style
        self.mask: MaskSource | None = None  # the region to change, if one is drawn

    # -- inputs ----------------------------------------------------------------------------
    @property
    def inputs(self) -> list[InputItem]:
        return list(self._inputs)

    def set_inputs(self, items: list[InputItem]) -> None:
        self._inputs = tuple(items)
        self.inputsChanged.emit()

    def remove_input(self, index: int) -> bool:
        if not 0 <= index < len(self._inputs):
            return False
        self.set_inputs([i for n, i in enumerate(self._inputs) if n != index])
        return True

    def clear_inputs(self) -> None:
        self.set_inputs([])

    def input_limit(self) -> int:
        return max_inputs(self.parameters.model)

    def parent_edit_id(self) -> int | None:
        """The edit the inputs came from (lineage), if one of them is a previous result."""
        return next((i.parent_edit_id for i in self._inputs if i.parent_edit_id), None)

    # -- text and parameters ---------------------------------------------------------------
    def set_prompt(self, text: str) -> None:
        self.prompt = text

    def set_negative_prompt(self, text: str) -> None:
        self.negative_prompt = text

    def set_parameters(self, parameters: Parameters) -> None:
        old, self.parameters = self.parameters.model, parameters
        if parameters.model != old:
            self.modelChanged.emit(parameters.model)

    def set_model(self, model: str) -> None:
        self.set_parameters(replace(self.parameters, model=model))

    def set_style(self, style: str) -> None:
        self.style = style

    # -- the request -----------------------------------------------------------------------
    def build_request(self) -> tuple[EditRequest | None, list[str]]:
        """The request the Run button would send, and its problems (core Reasons; empty
        when it can be sent). None when it cannot even be built (a size that is none)."""
        p = self.parameters
        if p.size_problem:
            return None, [p.size_problem]
        request = EditRequest(
            inputs=tuple(str(i.path) for i in self._inputs),
            prompt=self.prompt.strip(),
            model=p.model,
            style=self.style,
            negative_prompt=self.negative_prompt.strip(),
            size=p.size,
            n=p.n,
            seed=p.seed,
            watermark=p.watermark,
            prompt_extend=p.prompt_extend,
        )
        problems: list[str] = list(request.problems())
        return request, problems


    def drawn_mask(self) -> DrawnMask | None:
        """The region drawn on input 1 (the photo the edit changes), or None: whole image."""
        if self.mask is None or not self._inputs:
            return None
        return self.mask.drawn_mask(self._inputs[0].path)

    async def submit(self, request: EditRequest, session: EditSession,
                     tasks: TaskRunner) -> int:
        """Run `request`: a region edit when a region is drawn on its photo (the mask is
        encoded in the pool and stored with the edit, named by its hash), else a whole
        image edit. Returns the edit id once it is recorded."""
        masks: list[bytes] = []
        drawn = self.drawn_mask()  # read now: the mask may change while this awaits
        parent = self.parent_edit_id()
        if drawn is not None:
            png, sha = await tasks.run(encode_mask, drawn)
            request = request.with_changes(
                region=RegionSpec(mask_sha256=sha, feather=drawn.feather))
            masks.append(png)
        return await session.submit_one(request, parent, masks=masks)


# EditRequest.problems() codes (core.errors.REQUEST_PROBLEMS) the editor acts on.
PROMPT_PROBLEMS = frozenset({"prompt_empty", "prompt_too_long", "prompt_control_char",
                             "prompt_direction_char", "prompt_undecodable"})
NEGATIVE_PROBLEMS = frozenset({"negative_too_long", "negative_control_char",
                               "negative_direction_char", "negative_undecodable"})
INPUT_PROBLEMS = INPUT_COUNT_PROBLEMS


def problem_codes(problems: list[str]) -> set[str]:
    """Stable codes of core Reasons (the texts may be in any language)."""
    return {getattr(p, "code", "") for p in problems}


def problem_hint(problems: list[str]) -> str:
    codes = problem_codes(problems)
    if "text_model_with_input" in codes:
        return QCoreApplication.translate("MainWindow",
            "Remove the input images, or choose a model that edits photos.")
    if codes & INPUT_PROBLEMS:
        return QCoreApplication.translate("MainWindow",
            "Drop a photo on the Inputs area, paste one (Ctrl+V) or press Ctrl+O.")
    if "prompt_empty" in codes:
        return QCoreApplication.translate("MainWindow",
            "Describe the change in the Prompt box, then press Ctrl+Enter.")
    return QCoreApplication.translate("MainWindow", "Adjust the highlighted setting and run again.")
