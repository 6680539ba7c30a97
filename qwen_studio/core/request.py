"""The one description of an edit: what history, sidecars and embedded metadata store."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from qwen_studio.core.errors import Reason
from qwen_studio.core.region_spec import RegionSpec

# Limits from ../shared/api-contract.md.
PROMPT_LIMIT = 800
NEGATIVE_PROMPT_LIMIT = 500
SEED_MAX = 2_147_483_647
MAX_INPUTS = 3
EDIT_PLUS_SIDE = (512, 2048)
TEXT_TO_IMAGE_SIZES = ("1664*928", "1472*1140", "1472*1104", "1328*1328", "1140*1472", "928*1664")

STYLES = ("bailian", "flat", "dashscope")
DEFAULT_STYLE = "bailian"
DEFAULT_MODELS = {
    "bailian": "qwen-image-edit-plus",
    "dashscope": "qwen-image-edit-plus",
    "flat": "qwen-image-edit-2509",
}
KNOWN_MODELS = (
    "qwen-image-edit-plus",
    "qwen-image-edit-plus-2025-10-30",
    "qwen-image-edit-2509",
    "qwen-image-edit",
    "qwen-image-plus",
    "qwen-image",
)

_SIZE_RE = re.compile(r"^\s*(\d{2,5})\s*[x*×X]\s*(\d{2,5})\s*$")


def parse_size(text: str | None) -> tuple[int, int] | None:
    """'1024x768', '1024*768' or '1024×768' -> (1024, 768); '', 'auto' or None -> None."""
    if text is None or text.strip().lower() in ("", "auto"):
        return None
    m = _SIZE_RE.match(text)
    if not m:
        # str(exc) is the English as before; exc.args[0] keeps the code for the window.
        raise ValueError(Reason("size_format", text=repr(text)))
    return int(m.group(1)), int(m.group(2))


def normalize_size(text: str | None) -> str | None:
    """Canonical stored form is 'W*H' (the Bailian form); None means 'auto'."""
    wh = parse_size(text)
    return None if wh is None else f"{wh[0]}*{wh[1]}"


def is_text_to_image(model: str) -> bool:
    return model in ("qwen-image", "qwen-image-plus") or (
        model.startswith("qwen-image") and "edit" not in model
    )


def is_edit_plus(model: str) -> bool:
    return "edit-plus" in model or model.endswith("edit-2509")


def max_inputs(model: str) -> int:
    """How many input images a model takes: text-to-image none, old edit one, plus three."""
    if is_text_to_image(model):
        return 0
    if model == "qwen-image-edit":
        return 1
    return MAX_INPUTS


def max_n(model: str) -> int:
    return 6 if is_edit_plus(model) else 1


@dataclass(frozen=True)
class EditRequest:
    """Everything that determines an edit. Frozen; JSON round-trips losslessly.

    `inputs` are local paths or http(s) URLs as the user gave them. Optional service
    parameters are None when the user left them unset, and are then not sent.
    """

    inputs: tuple[str, ...]
    prompt: str
    model: str = DEFAULT_MODELS[DEFAULT_STYLE]
    style: str = DEFAULT_STYLE
    negative_prompt: str = ""
    size: str | None = None
    n: int = 1
    seed: int | None = None
    watermark: bool | None = None
    prompt_extend: bool | None = None
    extra: tuple[tuple[str, Any], ...] = field(default=())
    # A region edit: only this part of inputs[0] changes (core/region.py). Left out of
    # to_dict() when None, so the identity of every other edit stays what it was.
    region: RegionSpec | None = None

    def __post_init__(self) -> None:
        # Accept lists and either size spelling, but store one canonical form.
        object.__setattr__(self, "inputs", tuple(str(p) for p in self.inputs))
        object.__setattr__(self, "size", normalize_size(self.size))
        object.__setattr__(self, "extra", tuple((str(k), v) for k, v in self.extra))

    # -- validation -------------------------------------------------------------------------
    def problems(self) -> list[Reason]:
        """Why this request would be refused; empty when it is fine. Each is English text
        (what the CLI prints) carrying a code from REQUEST_PROBLEMS, which the window
        translates and acts on (focus the prompt, the inputs)."""
        out: list[Reason] = []
        if not self.prompt.strip():
            out.append(Reason("prompt_empty"))
        if len(self.prompt) > PROMPT_LIMIT:
            out.append(Reason("prompt_too_long", n=len(self.prompt), limit=PROMPT_LIMIT))
        if len(self.negative_prompt) > NEGATIVE_PROMPT_LIMIT:
            out.append(Reason("negative_too_long", n=len(self.negative_prompt),
                              limit=NEGATIVE_PROMPT_LIMIT))
        if self.style not in STYLES:
            out.append(Reason("unknown_style", style=repr(self.style), styles=", ".join(STYLES)))
        limit = max_inputs(self.model)
        if limit == 0 and self.inputs:
            out.append(Reason("text_model_with_input", model=self.model))
        elif limit and not self.inputs:
            out.append(Reason("no_input"))
        elif len(self.inputs) > max(limit, 0):
            out.append(Reason("too_many_inputs", model=self.model, limit=limit,
                              n=len(self.inputs)))
        if not 1 <= self.n <= max_n(self.model):
            out.append(Reason("count_range", n=self.n, max=max_n(self.model), model=self.model))
        if self.seed is not None and not 0 <= self.seed <= SEED_MAX:
            out.append(Reason("seed_range", seed=self.seed, max=SEED_MAX))
        wh = self.size_wh
        if wh is not None:
            if is_text_to_image(self.model):
                if self.size not in TEXT_TO_IMAGE_SIZES:
                    out.append(Reason("size_not_offered", size=self.size,
                                      sizes=", ".join(TEXT_TO_IMAGE_SIZES), model=self.model))
            elif not all(EDIT_PLUS_SIDE[0] <= s <= EDIT_PLUS_SIDE[1] for s in wh):
                out.append(Reason("size_sides", width=wh[0], height=wh[1],
                                  min=EDIT_PLUS_SIDE[0], max=EDIT_PLUS_SIDE[1]))
        return out

    # -- derived ----------------------------------------------------------------------------
    @property
    def size_wh(self) -> tuple[int, int] | None:
        return parse_size(self.size)

    def with_changes(self, **changes: Any) -> EditRequest:
        return replace(self, **changes)

    def parameters_text(self) -> str:
        """A1111-style 'parameters' text, which many image tools read back."""
        lines = [self.prompt]
        if self.negative_prompt:
            lines.append(f"Negative prompt: {self.negative_prompt}")
        size = self.size_wh
        parts = [
            f"Size: {size[0]}x{size[1]}" if size else "Size: auto",
            f"Seed: {self.seed if self.seed is not None else 'random'}",
            f"Model: {self.model}",
            f"Count: {self.n}",
            f"Style: {self.style}",
        ]
        if self.watermark is not None:
            parts.append(f"Watermark: {self.watermark}")
        if self.prompt_extend is not None:
            parts.append(f"Prompt extend: {self.prompt_extend}")
        lines.append(", ".join(parts))
        return "\n".join(lines)

    # -- serialization ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["inputs"] = list(self.inputs)
        d["extra"] = [list(kv) for kv in self.extra]
        if self.region is None:
            del d["region"]
        else:
            d["region"] = self.region.to_dict()
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EditRequest:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in d.items() if k in known}
        kwargs["inputs"] = tuple(kwargs.get("inputs", ()))
        kwargs["extra"] = tuple(tuple(kv) for kv in kwargs.get("extra", ()))
        if kwargs.get("region") is not None:
            kwargs["region"] = RegionSpec.from_dict(kwargs["region"])
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> EditRequest:
        return cls.from_dict(json.loads(text))

    def identity(self, input_hashes: tuple[str, ...]) -> str:
        """Key for 'same edit again': the request minus input paths, plus input content."""
        d = self.to_dict()
        d["inputs"] = list(input_hashes)
        import hashlib  # loads OpenSSL (~2.5 ms): not on the window's path to its first frame

        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()
