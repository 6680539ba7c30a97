"""The one description of an edit: what history, sidecars and embedded metadata store."""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

from qwen_studio.core.catalog import ModelFamily, default_catalog
from qwen_studio.core.errors import Reason
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.core.text_safety import prompt_problems

# Limits that hold for every model (../shared/api-contract.md); the per-model ones (inputs,
# count, sizes, prompt lengths) come from the model catalog (core/catalog.py, models.toml).
PROMPT_LIMIT = 800
NEGATIVE_PROMPT_LIMIT = 500
SEED_MAX = 2_147_483_647
MAX_INPUTS = 3

STYLES = ("bailian", "flat", "dashscope")
DEFAULT_STYLE = "bailian"
DEFAULT_MODELS = {
    "bailian": "qwen-image-edit-plus",
    "dashscope": "qwen-image-edit-plus",
    "flat": "qwen-image-edit-2509",
}

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


def model_family(model: str) -> ModelFamily | None:
    """The catalog's entry for `model`, or None when the catalog does not know the name."""
    return default_catalog().lookup(model)


def known_models() -> list[str]:
    """Every model name the shipped catalog spells out."""
    return default_catalog().names()


def max_inputs(model: str) -> int:
    """How many input images `model` takes (0: text-to-image only). A name the catalog does
    not know gets the most any known model takes: the service judges it."""
    family = model_family(model)
    return family.inputs[1] if family else default_catalog().max_inputs


def needs_input(model: str) -> bool:
    """True when `model` cannot run without an input image (unknown names: an edit)."""
    family = model_family(model)
    return family.inputs[0] > 0 if family else True


def max_n(model: str) -> int:
    family = model_family(model)
    return family.n_max if family else default_catalog().max_n


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
        translates and acts on (focus the prompt, the inputs). The model's own limits come
        from the catalog; a model it does not know is checked only for what holds for all."""
        out: list[Reason] = []
        family = model_family(self.model)
        if not self.prompt.strip():
            out.append(Reason("prompt_empty"))
        # Control and text-direction characters: refused for every model and every caller.
        out += prompt_problems(self.prompt) + prompt_problems(self.negative_prompt,
                                                              negative=True)
        if family and len(self.prompt) > family.prompt_limit:
            out.append(Reason("prompt_too_long", n=len(self.prompt), limit=family.prompt_limit))
        if family and len(self.negative_prompt) > family.negative_prompt_limit:
            out.append(Reason("negative_too_long", n=len(self.negative_prompt),
                              limit=family.negative_prompt_limit))
        if self.style not in STYLES:
            out.append(Reason("unknown_style", style=repr(self.style), styles=", ".join(STYLES)))
        low, high = family.inputs if family else (0, default_catalog().max_inputs)
        if family and high == 0 and self.inputs:
            out.append(Reason("text_model_with_input", model=self.model))
        elif len(self.inputs) < low:
            out.append(Reason("no_input"))
        elif family and len(self.inputs) > high:
            out.append(Reason("too_many_inputs", model=self.model, limit=high,
                              n=len(self.inputs)))
        top = family.n_max if family else default_catalog().max_n
        if self.n < 1 or (family and self.n > top):
            out.append(Reason("count_range", n=self.n, max=top, model=self.model))
        if self.seed is not None and not 0 <= self.seed <= SEED_MAX:
            out.append(Reason("seed_range", seed=self.seed, max=SEED_MAX))
        wh = self.size_wh
        if family and wh is not None and not family.size.accepts(*wh):
            out.append(_size_problem(family, self.model, wh))
        return out

    def notes(self) -> list[Reason]:
        """What the user should know before sending, without stopping it (REQUEST_NOTES):
        a model the catalog does not know, an option a model does not take, an option the
        request style is known to lose on a relay."""
        family = model_family(self.model)
        out: list[Reason] = []
        if family is None:
            out.append(Reason("unknown_model", model=self.model))
        else:
            unused = [o for o in _set_options(self) if o not in family.options]
            if unused:
                out.append(Reason("option_not_taken", model=self.model,
                                  options=", ".join(unused)))
        sent = (["image"] if self.inputs else []) + _set_options(self)
        for gateway, lost, keeps_in in default_catalog().losses(self.style, sent):
            words = ["input images" if o == "image" else o for o in lost]
            out.append(Reason("style_loses", style=self.style, options=", ".join(words),
                              gateway=gateway.name, better=keeps_in))
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
        # The fields one level deep, not dataclasses.asdict: its recursive deep copy was
        # most of the cost, and every field it copied is immutable or rebuilt below.
        d = {f.name: getattr(self, f.name) for f in fields(self)}
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
        known = _FIELDS if cls is EditRequest else {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in d.items() if k in known}
        kwargs["inputs"] = tuple(kwargs.get("inputs", ()))
        kwargs["extra"] = tuple(tuple(kv) for kv in kwargs.get("extra", ()))
        if kwargs.get("region") is not None:
            kwargs["region"] = RegionSpec.from_dict(kwargs["region"])
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> EditRequest:
        d = json.loads(text)
        if cls is EditRequest and type(d) is dict:
            stored = _from_stored(d)
            if stored is not None:
                return stored
        return cls.from_dict(d)

    def set_options(self) -> list[str]:
        """The optional service parameters the user changed from the service's defaults."""
        return _set_options(self)

    def identity(self, input_hashes: tuple[str, ...]) -> str:
        """Key for 'same edit again': the request minus input paths, plus input content."""
        try:  # asked about three times per edit (claim, kept links, save)
            return _identity(self, tuple(input_hashes))
        except TypeError:  # an unhashable `extra` value
            return self._identity(input_hashes)

    def _identity(self, input_hashes: tuple[str, ...]) -> str:
        d = self.to_dict()
        d["inputs"] = list(input_hashes)
        import hashlib  # loads OpenSSL (~2.5 ms): not on the window's path to its first frame

        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


_FIELDS = frozenset(f.name for f in fields(EditRequest))  # from_dict keeps these (a page: 100)
# What to_json writes for a request without a region: every field, in its canonical form.
_STORED = _FIELDS - {"region"}


@functools.lru_cache(maxsize=64)
def _stored_size(text: str) -> str | None:
    return normalize_size(text)


def _from_stored(d: dict[str, Any]) -> EditRequest | None:
    """The request to_json wrote, made from `d` (taken over) without running __init__: a
    page of history reads 100 (~3 us each less). None when `d` is in another form (a
    region, an `extra`, an older or damaged row): from_dict makes those as always. The
    fields are those from_dict would give: all present, inputs a list of text, no extra,
    the size None or text normalized as __post_init__ does (a bad one raises as there)."""
    if d.keys() != _STORED:
        return None
    inputs, size, extra = d["inputs"], d["size"], d["extra"]
    if (type(inputs) is not list or type(extra) is not list or extra
            or not all(type(p) is str for p in inputs)):
        return None
    if size is not None:
        if type(size) is not str:
            return None
        size = _stored_size(size)
    d["inputs"], d["size"], d["extra"], d["region"] = tuple(inputs), size, (), None
    request = object.__new__(EditRequest)
    request.__dict__.update(d)  # frozen: what __init__'s object.__setattr__ calls would set
    return request


@functools.lru_cache(maxsize=256)
def _identity(request: EditRequest, input_hashes: tuple[str, ...]) -> str:
    return request._identity(input_hashes)


def _set_options(request: EditRequest) -> list[str]:
    """The optional parameters whose value differs from what the service does without them
    (prompt_extend defaults to on, watermark to off): only those matter when lost."""
    chosen = {"seed": request.seed is not None, "prompt_extend": request.prompt_extend is False,
              "watermark": request.watermark is True,
              "negative_prompt": bool(request.negative_prompt)}
    return [name for name, on in chosen.items() if on]


def _size_problem(family: ModelFamily, model: str, wh: tuple[int, int]) -> Reason:
    rule = family.size
    width, height = wh
    if rule.rule == "fixed":
        return Reason("size_not_offered", size=f"{width}*{height}", sizes=", ".join(rule.sizes),
                      model=model)
    if rule.rule == "each_side":
        return Reason("size_sides", width=width, height=height, min=rule.low, max=rule.high)
    if rule.rule == "total_pixels":
        return Reason("size_pixels", width=width, height=height, pixels=width * height,
                      min=_area_text(rule.low), max=_area_text(rule.high), model=model)
    return Reason("size_not_customizable", model=model)


def _area_text(pixels: int) -> str:
    """512*512 pixels reads as "512x512"; other areas as a plain count."""
    side = math.isqrt(pixels)
    return f"{side}x{side}" if side * side == pixels else str(pixels)
