"""Region edits: send a crop with context, composite the answer into the full-size original.

Qwen's edit models take no mask and answer at about 1 MP, so an edit of a 24 MP photo comes
back small and entirely redrawn. A region edit sends the part of the photo around the
marked region (core/region_mask.py has the rules) and pastes the answer back through the
feathered mask: every pixel outside the mask and its feather keeps the original's value,
bit for bit. docs/region-edits.md explains it with the measurements.

    plan = plan_region(path, spec, mask=mask_png)   # None: (almost) the whole frame
    ... send plan.prepared (and plan.ask_size when the model takes a size) ...
    plan.prepare_output()            # optional, in the pool while the model works
    png = composite(plan, answer, texts)   # one per result when n > 1

**Alignment.** The crop is grown to the aspect of the answer it will get (asked, or the
service's predicted default), within half a pixel, so resizing the answer to the crop's
pixel size maps it back exactly whether the service stretches the image to its 16-px grid
or crops it. If an answer still comes back at another aspect (more than half a pixel
apart), both readings are tried and the one that matches the original outside the mask
wins. **Colour**: the answer (sRGB) is converted to the original's ICC profile, which the
output keeps. **Alpha** is the original's, everywhere. **16-bit greyscale** stays 16-bit.

Everything here is synchronous and CPU-heavy: call it in the pool (run_in_executor).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageCms, ImageMath, ImageStat

# The Changes view's map lives in core/changes_map.py; these names stay importable here.
from qwen_studio.core.changes_map import changed_pixels as changed_pixels
from qwen_studio.core.changes_map import changes_heatmap as changes_heatmap
from qwen_studio.core.errors import InputImageError, Reason
from qwen_studio.core.image_convert import _SRGB, _icc_is_srgb
from qwen_studio.core.pipeline import PreparedImage, prepare_image
from qwen_studio.core.png_bands import BoxedPng
from qwen_studio.core.png_metadata import embed_png_metadata
from qwen_studio.core.region_mask import (
    WHOLE_FRAME_SHARE,
    Box,
    MaskSource,
    answer_size,
    aspect_residual,
    crop_box,
    feathered,
    load_mask,
    open_displayed,
    rect_mask,
    service_default_size,
    shape_to_aspect,
)
from qwen_studio.core.region_spec import DEFAULT_FEATHER, RegionSpec

ALIGN_TOLERANCE_PX = 0.5


class _Output:
    """What compositing needs besides the answer; the slow part is built once, lazily."""

    def __init__(self, image: Image.Image, crop: Box, alpha: Image.Image,
                 icc: bytes | None) -> None:
        self.lock = threading.Lock()
        self.crop = crop
        self.image: Image.Image | None = image  # dropped once the PNG pieces are built
        self.original = image.crop(crop)  # the crop's own pixels, to blend over
        self.alpha = alpha
        self.icc = icc
        self.writer: BoxedPng | None = None
        self.to_original: ImageCms.ImageCmsTransform | None = None

    def ready(self) -> BoxedPng:
        with self.lock:
            if self.writer is None:
                assert self.image is not None
                self.writer = BoxedPng(self.image, self.crop, icc_profile=self.icc)
                self.to_original = _transform_to(self.icc, self.image.mode)
                self.image = None
            return self.writer


def _transform_to(icc: bytes | None, mode: str) -> ImageCms.ImageCmsTransform | None:
    """sRGB -> the original's RGB profile (None when the original is sRGB or untagged)."""
    if not icc or mode not in ("RGB", "RGBA") or _icc_is_srgb(icc):
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.buildTransform(_SRGB, profile, "RGB", "RGB")
    except Exception:  # an unreadable profile is kept in the output, the pixels as sent
        return None


@dataclass(frozen=True)
class RegionPlan:
    """A planned region edit: the crop to send and everything the composite needs."""

    source: str
    spec: RegionSpec
    image_size: tuple[int, int]
    crop: Box
    prepared: PreparedImage  # the crop, prepared as every input is
    ask_size: tuple[int, int] | None  # "W*H" to send when the model takes a size
    expected_answer: tuple[int, int]  # the size the answer should have
    notes: tuple[str, ...] = ()
    _output: _Output = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    @property
    def crop_size(self) -> tuple[int, int]:
        return self.crop[2] - self.crop[0], self.crop[3] - self.crop[1]

    @property
    def ask_size_text(self) -> str | None:
        return None if self.ask_size is None else f"{self.ask_size[0]}*{self.ask_size[1]}"

    def record(self) -> dict[str, Any]:
        """What the sidecar and embedded metadata keep about the region ("region" key)."""
        return {**self.spec.to_dict(), "image_size": list(self.image_size),
                "crop": list(self.crop), "sent_size": [self.prepared.width, self.prepared.height],
                "ask_size": self.ask_size_text}

    def prepare_output(self) -> None:
        """Filter and compress the rows outside the crop now (about 1 s for 24 MP), so the
        composite after the answer only encodes the crop's rows. Thread-safe, idempotent."""
        self._output.ready()


def region_mask_for(spec: RegionSpec, size: tuple[int, int], name: str,
                    mask: MaskSource | None) -> Image.Image:
    if spec.rect is not None:
        return rect_mask(spec.rect, size, name)
    if mask is None:
        raise InputImageError(name, Reason("mask_missing", region=spec.describe()))
    label = "<mask>" if isinstance(mask, bytes | Image.Image) else os.fspath(mask)
    if not isinstance(mask, Image.Image):
        try:
            data = mask if isinstance(mask, bytes) else Path(mask).read_bytes()
        except OSError as exc:
            raise InputImageError(label, Reason("mask_unreadable",
                                                detail=exc.strerror or exc)) from None
        if hashlib.sha256(data).hexdigest() != spec.mask_sha256:
            raise InputImageError(label, Reason("mask_mismatch", region=spec.describe()))
        mask = data
    return load_mask(mask, size, label)


def plan_region(original: str | os.PathLike[str], spec: RegionSpec, *,
                mask: MaskSource | None = None, takes_size: bool = True,
                **prepare_kwargs: int) -> RegionPlan | None:
    """Plan a region edit of `original` (a local file); None when the mask covers (almost)
    the whole frame, which is then a normal edit. InputImageError for unusable input."""
    name = os.fspath(original)
    image, icc, notes = open_displayed(name)
    size = image.size
    mask_im = region_mask_for(spec, size, name, mask)
    bbox = mask_im.getbbox()
    if bbox is None:
        raise InputImageError(name, Reason("region_empty"))
    marked = size[0] * size[1] - mask_im.histogram()[0]
    if marked >= WHOLE_FRAME_SHARE * size[0] * size[1]:
        return None
    box = crop_box(bbox, size, feather=spec.feather)
    target = (answer_size if takes_size else service_default_size)(box[2] - box[0],
                                                                    box[3] - box[1])
    box = shape_to_aspect(box, size, target)
    if takes_size and aspect_residual(box, target) > ALIGN_TOLERANCE_PX:
        # The image's edge stopped the shaping: ask at the final crop's aspect instead.
        alt = answer_size(box[2] - box[0], box[3] - box[1])
        if aspect_residual(box, alt) < aspect_residual(box, target):
            target = alt
    prepared = _prepare_crop(image.crop(box), icc, name, prepare_kwargs)
    expected = target
    if not takes_size:
        expected = service_default_size(prepared.width, prepared.height)
    if aspect_residual(box, expected) > ALIGN_TOLERANCE_PX:
        notes.append(f"the crop's aspect is {aspect_residual(box, expected):.1f} px from "
                     "the answer's; the answer is aligned by comparison")
    alpha = feathered(mask_im.crop(box), spec.feather)
    output = _Output(image, box, alpha, icc)
    return RegionPlan(
        source=name, spec=spec, image_size=size, crop=box, prepared=prepared,
        ask_size=target if takes_size else None, expected_answer=expected,
        notes=tuple(notes + list(prepared.notes)), _output=output,
    )


def _prepare_crop(crop: Image.Image, icc: bytes | None, name: str,
                  kwargs: dict[str, int]) -> PreparedImage:
    """The crop through prepare_image, like every input (sRGB, limits, data URI)."""
    with tempfile.TemporaryDirectory(prefix="qwen-region-") as folder:
        path = Path(folder) / "crop.png"
        crop.save(path, "PNG", compress_level=0, icc_profile=icc)
        prepared = prepare_image(path, **kwargs)
    return replace(prepared, source=name)


# -- compositing ---------------------------------------------------------------------------------

def _decode_answer(data: bytes) -> Image.Image:
    try:
        im = Image.open(io.BytesIO(data))
        im.load()
    except Exception as exc:
        raise InputImageError("<result>", Reason("result_unreadable", detail=exc)) from None
    return im.convert("RGB")


def _readings(answer: Image.Image, size: tuple[int, int]) -> list[tuple[str, Image.Image, Box]]:
    """The answer at crop size under each plausible framing, with the part it covers."""
    cw, ch = size
    stretch = answer.resize(size, Image.Resampling.LANCZOS)
    aw, ah = answer.size
    k = max(aw / cw, ah / ch)  # the service scaled the crop by k, then cut it to aw×ah
    ox, oy = (cw - aw / k) / 2, (ch - ah / k) / 2  # max(ox, oy) is aspect_residual()
    if max(ox, oy) <= ALIGN_TOLERANCE_PX:
        return [("stretch", stretch, (0, 0, cw, ch))]
    cover = answer.transform(size, Image.Transform.EXTENT,
                             (-ox * k, -oy * k, aw + ox * k, ah + oy * k),
                             Image.Resampling.BICUBIC)
    inner = (int(ox + 1), int(oy + 1), cw - int(ox + 1), ch - int(oy + 1))
    return [("stretch", stretch, (0, 0, cw, ch)), ("cover", cover, inner)]


def _mismatch(candidate: Image.Image, original: Image.Image, keep: Image.Image) -> float:
    diff = ImageChops.difference(candidate.convert("L"), original.convert("L"))
    return ImageStat.Stat(diff, mask=keep).mean[0] if keep.getbbox() else 0.0


def _aligned(answer: Image.Image, original_crop: Image.Image,
             alpha: Image.Image) -> tuple[Image.Image, Image.Image, str]:
    readings = _readings(answer, original_crop.size)
    if len(readings) == 1:
        return readings[0][1], alpha, readings[0][0]
    keep = alpha.point([255] + [0] * 255)
    scored = []
    for name, im, inner in readings:
        covered = Image.new("L", alpha.size, 0)
        covered.paste(255, inner)
        scored.append((_mismatch(im, original_crop, ImageChops.multiply(keep, covered)),
                       name, im, covered))
    _score, name, im, covered = min(scored, key=lambda s: s[0])
    return im, ImageChops.multiply(alpha, covered), name


def _in_mode(answer: Image.Image, original: Image.Image) -> Image.Image:
    """The answer in the original's mode; alpha channels come from the original."""
    mode = original.mode
    if mode == "I;16":
        return answer.convert("L").point(lambda v: v * 257, "I")
    if mode in ("L", "RGB"):
        return answer.convert(mode)
    out = answer.convert(mode[:-1])
    out.putalpha(original.getchannel("A"))
    return out


def composite(plan: RegionPlan, answer_png: bytes,
              texts: dict[str, str] | None = None) -> bytes:
    """The full-size PNG with the answer blended into the region. `texts` (e.g.
    png_metadata.metadata_for(request, {"region": plan.record()})) are embedded as iTXt
    chunks, exactly as embed_png_metadata would, without copying the 30 MB again."""
    return composite_with_info(plan, answer_png, texts)[0]


def _text_chunks(texts: dict[str, str] | None) -> bytes:
    """The iTXt chunks embed_png_metadata makes for `texts` (cut from a 1×1 PNG)."""
    if not texts:
        return b""
    buf = io.BytesIO()
    Image.new("L", (1, 1)).save(buf, "PNG")
    tiny = buf.getvalue()
    tagged = embed_png_metadata(tiny, texts)
    return tagged[len(tiny) - 12:len(tagged) - 12]  # between the IDAT and the IEND


def composite_with_info(plan: RegionPlan, answer_png: bytes,
                        texts: dict[str, str] | None = None) -> tuple[bytes, str]:
    """composite() plus how the answer was aligned ("stretch" or "cover")."""
    out = plan._output
    writer = out.ready()
    answer = _decode_answer(answer_png)
    original = out.original
    fitted, alpha, reading = _aligned(answer, original, out.alpha)
    if out.to_original is not None:
        fitted = ImageCms.applyTransform(fitted, out.to_original) or fitted
    fitted = _in_mode(fitted, original)
    width = original.width
    if original.mode == "I;16":
        # paste() blends bytes, not 16-bit values: blend in 32-bit integers instead.
        blended = ImageMath.lambda_eval(
            lambda e: (e["a"] * e["m"] + e["o"] * (255 - e["m"]) + 127) / 255,
            a=fitted, o=original.convert("I"), m=alpha.convert("I"))
        deep = blended.convert("I;16")  # type: ignore[union-attr]
        return writer.encode(lambda a, b: deep.crop((0, a, width, b)),
                             _text_chunks(texts)), reading

    def rows(a: int, b: int) -> Image.Image:
        # The blend happens a strip at a time, as the rows are compressed.
        strip = original.crop((0, a, width, b))
        strip.paste(fitted.crop((0, a, width, b)), (0, 0), alpha.crop((0, a, width, b)))
        return strip

    return writer.encode(rows, _text_chunks(texts)), reading


def region_images(plan: RegionPlan, references: Sequence[str], *,
                  takes_size: bool) -> list[str]:
    """The images to send for a region edit. The mask belongs to image 1 (the edited one),
    whose crop takes its place: [crop, ref 2, ref 3], so "image 2" in the prompt still means
    the same reference. The answer keeps the crop's aspect because the size is asked; a
    model that takes no size sizes its answer from the LAST image, so then the crop goes
    last (the prompt's image numbers shift; qwen-image-edit, the only such model today,
    takes one image, so this does not arise with it)."""
    if takes_size or not references:
        return [plan.prepared.data_uri, *references]
    return [*references, plan.prepared.data_uri]


def mask_png(mask: Image.Image) -> tuple[bytes, str]:
    """A drawn mask as the PNG bytes to store (greyscale) and their sha256 (RegionSpec's
    mask_sha256: the library keeps masks content-addressed, like inputs)."""
    buf = io.BytesIO()
    mask.convert("L").save(buf, "PNG", optimize=False, compress_level=6)
    data = buf.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def region_from_cli(mask: str | None, region: str | None,
                    feather: int = DEFAULT_FEATHER) -> tuple[RegionSpec | None, bytes | None]:
    """`batch --mask MASK.png | --region X,Y,W,H [--feather PX]` -> (spec, mask bytes to
    pass to plan_region). ValueError with a message naming the file or the value."""
    if mask is not None and region is not None:
        raise ValueError("give either --mask or --region, not both")
    if region is not None:
        return RegionSpec.parse_rect(region, feather), None
    if mask is None:
        return None, None
    try:
        data = Path(mask).read_bytes()
    except OSError as exc:
        raise ValueError(f"{mask}: {Reason('mask_unreadable', detail=exc.strerror or exc)}"
                         ) from None
    spec = RegionSpec(mask_sha256=hashlib.sha256(data).hexdigest(), feather=feather)
    load_mask(data, (8, 8), mask)  # refuse a file that is not an image now, not per input
    return spec, data
