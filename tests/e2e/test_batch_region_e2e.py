"""`qwen-studio batch --region/--mask/--feather` as a process against the sandbox over real
HTTP: each result is `<stem>-<k>.png` at the input's displayed size (EXIF orientation
applied), every pixel outside the region and its feather is the original's, the sidecar
and the PNG record the region and the crop, a second run finds the results done, and bad
region options are one usage line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import KEY, batch
from PIL import Image, ImageChops, ImageDraw, ImageOps

from qwen_studio.core.png_metadata import read_png_metadata
from qwen_studio.core.region import changed_pixels
from qwen_studio.sandbox import SandboxServer


@pytest.fixture
def sb() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=KEY, latency=0.05).start()
    try:
        yield server
    finally:
        server.stop()



def inputs(folder: Path) -> dict[str, Image.Image]:
    """A PNG and a JPEG stored sideways with EXIF orientation 6; each as displayed."""
    folder.mkdir(parents=True, exist_ok=True)
    wide = Image.effect_noise((1200, 900), 35).convert("RGB")
    ImageDraw.Draw(wide).rectangle((80, 80, 500, 600), fill=(200, 60, 40))
    wide.save(folder / "wide.png")
    stored = Image.effect_noise((1000, 700), 35).convert("RGB")  # displayed 700×1000
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(folder / "turned.jpg", quality=90, exif=exif.tobytes())
    return {name: ImageOps.exif_transpose(Image.open(folder / name)).convert("RGB")
            for name in ("wide.png", "turned.jpg")}


def outside(box: tuple[int, int, int, int], size: tuple[int, int], grow: int) -> Image.Image:
    keep = Image.new("L", size, 255)
    x, y, w, h = box
    keep.paste(0, (x - grow, y - grow, x + w + grow, y + h + grow))
    return keep


@pytest.mark.slow
def test_region_results_are_full_size_composites_recorded_in_the_sidecar(
        sb, tmp_path: Path) -> None:
    originals = inputs(tmp_path / "in")
    out = tmp_path / "out"
    rect = (300, 200, 250, 220)  # pixels of each input as displayed
    run = batch(sb, str(tmp_path / "in"), "--prompt", "a paper lantern", "--out", str(out),
                "--region", ",".join(map(str, rect)), "--feather", "6", "--n", "2")
    assert run.returncode == 0, run.stderr
    assert sb.request_count == 2
    for name, original in originals.items():
        stem = Path(name).stem
        for k in (1, 2):
            png = (out / f"{stem}-{k}.png").read_bytes()
            result = Image.open(out / f"{stem}-{k}.png")
            assert result.format == "PNG" and result.size == original.size  # displayed size
            result = result.convert("RGB")
            moved = ImageChops.multiply(changed_pixels(original, result),
                                        outside(rect, original.size, 6))
            assert moved.getbbox() is None, name  # outside: the original's pixels exactly
            x, y, w, h = rect
            assert changed_pixels(original.crop((x, y, x + w, y + h)),
                                  result.crop((x, y, x + w, y + h))).getbbox() is not None
            sidecar = json.loads((out / f"{stem}-{k}.json").read_text(encoding="utf-8"))
            region = sidecar["region"]
            assert region["rect"] == list(rect) and region["feather"] == 6
            assert region["image_size"] == list(original.size)
            cx0, cy0, cx1, cy1 = region["crop"]
            assert cx0 <= x - 6 and cy0 <= y - 6 and cx1 >= x + w + 6 and cy1 >= y + h + 6
            assert sidecar["request"]["region"] == {"rect": list(rect), "feather": 6}
            embedded = json.loads(read_png_metadata(png)["qwen_studio"])
            assert embedded["region"]["crop"] == region["crop"]
            assert embedded["request"]["region"] == sidecar["request"]["region"]

    # The same command again: the region edits are found done, nothing is sent.
    again = batch(sb, str(tmp_path / "in"), "--prompt", "a paper lantern", "--out", str(out),
                  "--region", ",".join(map(str, rect)), "--feather", "6", "--n", "2")
    assert again.returncode == 0, again.stderr
    assert sb.request_count == 2 and "0 done, 2 already done" in again.stderr


def test_mask_of_any_size_is_scaled_to_each_input_as_displayed(sb, tmp_path: Path) -> None:
    originals = inputs(tmp_path / "in")
    # A mask at a tenth of the size: white in the top-left quarter's middle.
    mask = Image.new("L", (70, 100), 0)
    ImageDraw.Draw(mask).rectangle((10, 10, 29, 39), fill=255)
    mask.save(tmp_path / "mask.png")
    out = tmp_path / "out"
    run = batch(sb, str(tmp_path / "in" / "turned.jpg"), "--prompt", "snow", "--out", str(out),
                "--mask", str(tmp_path / "mask.png"), "--feather", "4")
    assert run.returncode == 0, run.stderr
    original = originals["turned.jpg"]
    result = Image.open(out / "turned-1.png")
    assert result.size == original.size == (700, 1000)
    # The mask's white (10..29, 10..39 of 70×100) is (100..300, 100..400) of 700×1000.
    moved = ImageChops.multiply(changed_pixels(original, result.convert("RGB")),
                                outside((100, 100, 200, 300), original.size, 4 + 10))
    assert moved.getbbox() is None
    sidecar = json.loads((out / "turned-1.json").read_text(encoding="utf-8"))
    sha = hashlib.sha256((tmp_path / "mask.png").read_bytes()).hexdigest()
    assert sidecar["region"]["mask_sha256"] == sha and sidecar["region"]["feather"] == 4
    assert sidecar["request"]["region"]["mask_sha256"] == sha


@pytest.mark.parametrize("options, says", [
    (["--mask", "MASK", "--region", "1,2,3,4"], "either --mask or --region"),
    (["--region", "1,2,3"], "is not of the form X,Y,W,H"),
    (["--feather", "4"], "--feather needs --mask or --region"),
    (["--region", "0,0,10,10", "--feather", "999"], "feather 999 is outside 0–256 px"),
    (["--mask", "NOTIMAGE"], "notimage.txt: this is not an image"),
    (["--mask", "MISSING"], "missing.png: the mask cannot be read"),
])
def test_bad_region_options_are_one_usage_line(sb, tmp_path: Path, options: list[str],
                                               says: str) -> None:
    Image.new("RGB", (400, 300)).save(tmp_path / "in.png")
    Image.new("L", (40, 30), 255).save(tmp_path / "mask.png")
    (tmp_path / "notimage.txt").write_text("not an image")
    paths = {"MASK": str(tmp_path / "mask.png"), "NOTIMAGE": str(tmp_path / "notimage.txt"),
             "MISSING": str(tmp_path / "missing.png")}
    run = batch(sb, str(tmp_path / "in.png"), "--prompt", "p", "--out", str(tmp_path / "out"),
                *[paths.get(o, o) for o in options])
    assert run.returncode == 2, run.stderr
    assert says in run.stderr and "Traceback" not in run.stderr
    assert "unrecognized arguments" not in run.stderr
    assert not sb.request_count
