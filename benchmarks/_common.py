"""Shared helpers for benchmark scripts: a sandbox in its own process, test photos, naming
what ran on the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

# The ICC profile generator is test support (tests/icc_profiles.py): one copy of the maths.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from icc_profiles import ADOBE_RGB, DISPLAY_P3, PROPHOTO, RgbSpace, icc_profile


def make_photos(folder: Path, count: int, size: tuple[int, int] = (640, 480)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        im = Image.new("RGB", size, ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256))
        draw = ImageDraw.Draw(im)
        draw.ellipse((40, 40, size[0] - 40, size[1] - 40), fill=(240, 240, 240))
        if i >= 256:
            # The colours repeat every 256 photos: photo 256 was photo 0's twin, and
            # `qwen-studio batch` rightly sends a photo it already has once ("already in
            # the output folder"), so a 1,000-photo run sent 256. A mark per 256 keeps
            # every photo distinct (the first 256 stay as they were).
            k = i // 256
            draw.rectangle((10, 10, 10 + 12 * k, 30), fill=((k * 70) % 256, 20, 200))
        path = folder / f"photo_{i:04d}.jpg"
        im.save(path, quality=85)
        out.append(path)
    return out


def _photo_pixels(size: tuple[int, int], i: int) -> Image.Image:
    """Photo-like detail (noise over gradients and shapes), so decoding is real work."""
    w, h = size
    # Built at 1/4 size and upscaled: cheap, yet smooth regions plus fine noise like a photo.
    small = Image.radial_gradient("L").resize((w // 4, h // 4))
    r = small.point(lambda v, i=i: (v + i * 25) % 256)
    g = Image.linear_gradient("L").resize((w // 4, h // 4))
    b = small.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    base = Image.merge("RGB", (r, g, b))
    draw = ImageDraw.Draw(base)
    for k in range(40):
        x, y = (k * 211 + i * 97) % (w // 4), (k * 157 + i * 53) % (h // 4)
        draw.ellipse((x, y, x + 60 + k * 3, y + 40 + k * 2),
                     fill=((k * 37) % 256, (k * 91 + i) % 256, (k * 53) % 256))
    base = base.filter(ImageFilter.GaussianBlur(2)).resize((w, h), Image.Resampling.BILINEAR)
    noise = Image.effect_noise((w, h), 28).convert("RGB")
    return Image.blend(base, noise, 0.22)


# What designers open: (photo set name, pixel size, colour space or None = untagged, format)
PHOTO_SETS: dict[str, tuple[tuple[int, int], RgbSpace | None, str]] = {
    "srgb24": ((6000, 4000), None, "JPEG"),  # the original benchmark set: no profile
    "p3-24": ((6000, 4000), DISPLAY_P3, "JPEG"),  # a phone photo
    "adobe24": ((6000, 4000), ADOBE_RGB, "JPEG"),  # a camera set to Adobe RGB
    "prophoto16": ((6000, 4000), PROPHOTO, "TIFF16"),  # a raw converter's 16-bit export
    "adobe100": ((11648, 8736), ADOBE_RGB, "JPEG"),  # a 100 MP medium-format camera
}


def make_set_photos(kind: str, count: int, folder: Path) -> list[Path]:
    """`count` photos of one PHOTO_SETS kind, made once and kept in `folder`."""
    size, space, fmt = PHOTO_SETS[kind]
    folder = folder / kind
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        path = folder / f"{kind}_{i:02d}.{'tif' if fmt == 'TIFF16' else 'jpg'}"
        out.append(path)
        if path.is_file() and path.stat().st_size > 1_000_000:
            continue
        im = _photo_pixels(size, i)
        tmp = path.with_suffix(".part")
        icc = icc_profile(space) if space is not None else None
        if fmt == "TIFF16":
            _save_tiff16(im, tmp, icc)
        else:
            im.save(tmp, "JPEG", quality=90, **({"icc_profile": icc} if icc else {}))
        tmp.replace(path)
    return out


def _save_tiff16(im: Image.Image, path: Path, icc: bytes | None) -> None:
    """A 16-bit-per-channel RGB TIFF with `icc` embedded (Pillow writes 8-bit RGB only)."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColorSpace, QImage

    data = im.tobytes()
    q = QImage(data, im.width, im.height, im.width * 3, QImage.Format.Format_RGB888)
    q = q.convertToFormat(QImage.Format.Format_RGBX64)  # 8 -> 16 bit (x 257)
    if icc:
        q.setColorSpace(QColorSpace.fromIccProfile(QByteArray(icc)))
    if not q.save(str(path), "TIFF"):
        raise OSError(f"could not write {path}")


@contextlib.contextmanager
def sandbox_process(*args: str) -> Iterator[str]:
    """Run `qwen-studio sandbox` in a separate process (its own GIL) and yield its base URL."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "qwen_studio", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
            if m:
                # Keep draining its request log, or the pipe fills and the server blocks.
                threading.Thread(target=proc.stdout.read, daemon=True).start()
                yield m.group(1)
                break
        else:
            raise RuntimeError("sandbox did not start")
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        if proc.poll() is None:
            proc.kill()


def describe_handle(handle: Any) -> str:
    """What an asyncio handle runs: "task Class.method @ line N" or "callback name"."""
    cb = getattr(handle, "_callback", None)
    task = getattr(cb, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        frame = getattr(coro, "cr_frame", None)
        where = f" @ line {frame.f_lineno}" if frame is not None else ""
        return f"task {getattr(coro, '__qualname__', coro)}{where}"
    return f"callback {getattr(cb, '__qualname__', cb)}"
