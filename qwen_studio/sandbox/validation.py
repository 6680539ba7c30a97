"""Request validation with the real service's limits (see /work/shared/api-contract.md).

Independent of qwen_studio.core.styles on purpose: the sandbox is a second reading of the
contract, so a mistake in the client's request building shows up as a 400 here.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from qwen_studio.core.catalog import ModelFamily, default_catalog
from qwen_studio.core.request import SEED_MAX

INPUT_SIDE = (384, 3072)
MAX_DATA_URI_BYTES = 10_000_000
INPUT_FORMATS = frozenset({"JPEG", "PNG", "BMP", "TIFF", "WEBP", "GIF", "MPO"})

_DATA_URI_RE = re.compile(r"^data:image/([A-Za-z0-9.+-]+);base64,(.*)$", re.DOTALL)
_FLAT_SIZE_RE = re.compile(r"^(\d{1,5})[x*](\d{1,5})$")
_STAR_SIZE_RE = re.compile(r"^(\d{1,5})\*(\d{1,5})$")


class ValidationError(Exception):
    """A refusal: HTTP status, provider code and a message naming the field."""

    def __init__(self, message: str, *, code: str = "InvalidParameter", status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


@dataclass
class ParsedRequest:
    style: str  # "flat", "bailian" or "dashscope"
    model: str
    family: ModelFamily  # the model's catalog entry: its limits
    prompt: str  # already truncated to the family's prompt limit, like upstream
    images: list[Image.Image] = field(default_factory=list)
    negative_prompt: str = ""
    size: tuple[int, int] | None = None
    n: int = 1
    seed: int | None = None
    watermark: bool = False
    prompt_extend: bool = True
    response_format: str = "url"


def detect_style(body: dict[str, Any]) -> str:
    """Which gateway style a /v1/images/generations body uses. A bailian body may also carry
    a top-level `prompt` (relays want one); `input` decides, as in new-api."""
    has_prompt, has_input = "prompt" in body, "input" in body
    if has_input:
        return "bailian"
    if has_prompt:
        return "flat"
    if "model" not in body:
        raise ValidationError("model is required")
    raise ValidationError("prompt is required")


def validate(body: Any, style: str) -> ParsedRequest:
    """Check a decoded JSON body for `style`; raise ValidationError on the first problem."""
    if not isinstance(body, dict):
        raise ValidationError("the request body must be a JSON object")
    model, family = _model(body)
    if style == "flat":
        return _flat(body, model, family)
    return _bailian(body, model, family, style)


# -- model --------------------------------------------------------------------------------------
def _model(body: dict[str, Any]) -> tuple[str, ModelFamily]:
    model = body.get("model")
    if model is None or model == "":
        raise ValidationError("model is required")
    if not isinstance(model, str):
        raise ValidationError("model must be a string")
    family = default_catalog().lookup(model)
    if family is None:
        # The upstream wording, verbatim.
        raise ValidationError("Model not exist.")
    return model, family


# -- flat ---------------------------------------------------------------------------------------
def _flat(body: dict[str, Any], model: str, family: ModelFamily) -> ParsedRequest:
    prompt = _prompt(body.get("prompt"), "prompt", family)
    raw = body.get("image")
    low, high = family.inputs
    if raw in (None, "", []):
        uris: list[tuple[str, Any]] = []
    elif high == 0:
        raise ValidationError(f"{model} makes images from text: do not send 'image'")
    elif isinstance(raw, str):
        uris = [("image", raw)]
    elif isinstance(raw, list):
        uris = [(f"image[{i}]", u) for i, u in enumerate(raw)]
    else:
        raise ValidationError(f"image must be a string or an array of 1-{high} strings")
    if not uris and low > 0:
        raise ValidationError("image is required")
    if len(uris) > high:
        raise ValidationError(f"image must hold {low}-{high} images, got {len(uris)}")
    req = ParsedRequest(style="flat", model=model, family=family, prompt=prompt)
    req.images = [_image(where, u) for where, u in uris]
    _parameters(req, body, prefix="", allow_x=True)
    req.response_format = _response_format(body.get("response_format"), "response_format")
    return req


# -- bailian / dashscope ------------------------------------------------------------------------
def _bailian(body: dict[str, Any], model: str, family: ModelFamily, style: str
             ) -> ParsedRequest:
    inp = body.get("input")
    if not isinstance(inp, dict):
        raise ValidationError("input is required and must be an object")
    messages = inp.get("messages")
    if not isinstance(messages, list) or len(messages) != 1:
        raise ValidationError("input.messages must hold exactly one message")
    msg = messages[0]
    if not isinstance(msg, dict):
        raise ValidationError("input.messages[0] must be an object")
    if msg.get("role") != "user":
        raise ValidationError("input.messages[0].role must be 'user'")
    content = msg.get("content")
    where = "input.messages[0].content"
    low, high = family.inputs
    shape = (
        f"{where} must hold exactly one text item" if high == 0
        else f"{where} must hold {low}-{high} image items then one text item"
    )
    if not isinstance(content, list) or not content:
        raise ValidationError(shape)
    for item in content:
        if not isinstance(item, dict) or len(item) != 1 or not ({"image", "text"} & item.keys()):
            raise ValidationError(shape)
    *image_items, last = content
    if "text" not in last or any("image" not in it for it in image_items):
        raise ValidationError(shape)
    if high == 0 and image_items:
        raise ValidationError(f"{model} makes images from text: {shape}")
    if not low <= len(image_items) <= high:
        raise ValidationError(shape)
    prompt = _prompt(last["text"], f"{where}[{len(content) - 1}].text", family)
    req = ParsedRequest(style=style, model=model, family=family, prompt=prompt)
    req.images = [
        _image(f"{where}[{i}].image", it["image"]) for i, it in enumerate(image_items)
    ]
    params = body.get("parameters", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ValidationError("parameters must be an object")
    _parameters(req, params, prefix="parameters.", allow_x=False)
    if style == "bailian":
        # Gateways read the OpenAI field at the top level; accept it in parameters too.
        fmt = body.get("response_format", params.get("response_format"))
        req.response_format = _response_format(fmt, "response_format")
    return req


# -- shared pieces ------------------------------------------------------------------------------
def _prompt(value: Any, where: str, family: ModelFamily) -> str:
    if value is None:
        raise ValidationError(f"{where} is required")
    if not isinstance(value, str):
        raise ValidationError(f"{where} must be a string")
    if not value.strip():
        raise ValidationError(f"{where} must not be empty")
    return value[:family.prompt_limit]  # longer prompts are cut, not refused, upstream


def _parameters(req: ParsedRequest, params: dict[str, Any], *, prefix: str, allow_x: bool) -> None:
    neg = params.get("negative_prompt")
    if neg is not None:
        if not isinstance(neg, str):
            raise ValidationError(f"{prefix}negative_prompt must be a string")
        limit = req.family.negative_prompt_limit
        if len(neg) > limit:
            raise ValidationError(
                f"{prefix}negative_prompt has {len(neg)} characters; the limit is {limit}"
            )
        req.negative_prompt = neg
    for name in ("watermark", "prompt_extend"):
        value = params.get(name)
        if value is not None:
            if not isinstance(value, bool):
                raise ValidationError(f"{prefix}{name} must be a boolean (true or false)")
            setattr(req, name, value)
    n = params.get("n")
    if n is not None:
        top = req.family.n_max
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= top:
            allowed = "1" if top == 1 else f"an integer between 1 and {top}"
            raise ValidationError(f"{prefix}n={n!r} is out of range: {req.model} allows {allowed}")
        req.n = n
    seed = params.get("seed")
    if seed is not None:
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= SEED_MAX:
            raise ValidationError(
                f"{prefix}seed={seed!r}: must be an integer between 0 and {SEED_MAX}"
            )
        req.seed = seed
    size = params.get("size")
    if size is not None:
        req.size = _size(size, req.model, req.family, f"{prefix}size", allow_x=allow_x)


def _size(value: Any, model: str, family: ModelFamily, where: str, *, allow_x: bool
          ) -> tuple[int, int]:
    if not isinstance(value, str):
        raise ValidationError(f"{where} must be a string like '1024*1024'")
    m = (_FLAT_SIZE_RE if allow_x else _STAR_SIZE_RE).match(value)
    if not m:
        form = "WxH or W*H, e.g. 1024x1024" if allow_x else "W*H, e.g. 1024*1024"
        raise ValidationError(f"size '{value}' must be of the form {form}")
    w, h = int(m.group(1)), int(m.group(2))
    rule = family.size
    if rule.accepts(w, h):
        return w, h
    if rule.rule == "fixed":
        raise ValidationError(
            f"size '{value}' is not supported by {model}; use one of {', '.join(rule.sizes)}"
        )
    if rule.rule == "each_side":
        raise ValidationError(
            f"size '{value}': each side must be between {rule.low} and {rule.high}"
        )
    if rule.rule == "total_pixels":
        raise ValidationError(
            f"size '{value}': width*height must be between {rule.low} and {rule.high} pixels"
        )
    raise ValidationError(f"size is not supported by {model}: the output follows the input")


def _response_format(value: Any, where: str) -> str:
    if value is None:
        return "url"
    if value not in ("url", "b64_json"):
        raise ValidationError(f"{where} must be 'url' or 'b64_json', got {value!r}")
    return str(value)


def _image(where: str, value: Any) -> Image.Image:
    """Decode one input; the service only sees what a data URI carries."""
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{where} must be a non-empty string")
    if value.lower().startswith(("http://", "https://")):
        # A sandbox cannot reach the internet, and the real service cannot reach localhost.
        raise ValidationError(
            f"{where}: the URL cannot be downloaded by the service", code="InvalidURL"
        )
    m = _DATA_URI_RE.match(value)
    if not m:
        raise ValidationError(
            f"{where} must be a URL or a data URI like data:image/png;base64,... "
            "(bare base64 is not accepted)"
        )
    if len(value) >= MAX_DATA_URI_BYTES:
        raise ValidationError(
            f"{where} is {len(value) / 1e6:.1f} MB encoded; the limit is 10 MB",
        )
    try:
        raw = base64.b64decode(m.group(2), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"{where}: the base64 data cannot be decoded") from exc
    unreadable = (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError)
    try:
        img = Image.open(io.BytesIO(raw))  # header only: check format and size before decoding
    except unreadable as exc:
        raise ValidationError(f"{where}: the data is not a readable image") from exc
    fmt = img.format or ""
    if fmt not in INPUT_FORMATS:
        raise ValidationError(
            f"{where}: image format {fmt or 'unknown'} is not supported "
            "(use JPEG, PNG, BMP, TIFF, WEBP or GIF)"
        )
    w, h = img.size
    lo, hi = INPUT_SIDE
    if not (lo <= w <= hi and lo <= h <= hi):
        raise ValidationError(
            f"{where}: image is {w}x{h}; each side must be between {lo} and {hi} pixels"
        )
    try:
        return img.convert("RGB")  # GIF: the first frame, as upstream
    except unreadable as exc:
        raise ValidationError(f"{where}: the data is not a readable image") from exc
