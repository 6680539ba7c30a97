"""Region edits end to end in core: what is sent is the crop, and the composite keeps every
pixel outside the region bit for bit (PNG, JPEG, EXIF-rotated, alpha, 16-bit, ICC)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageMath, ImageOps

from qwen_studio.core.catalog import default_catalog
from qwen_studio.core.errors import InputImageError
from qwen_studio.core.region import (
    changed_pixels,
    composite,
    composite_with_info,
    mask_png,
    plan_region,
    region_images,
)
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.sandbox import render

MODEL = "qwen-image-edit-plus"


def photo(size: tuple[int, int] = (1800, 1200), seed: int = 0) -> Image.Image:
    """Photo-like: smooth gradients, hard-edged shapes and fine noise."""
    w, h = size
    base = Image.merge("RGB", (Image.linear_gradient("L").resize(size),
                               Image.radial_gradient("L").resize(size),
                               Image.linear_gradient("L").rotate(90).resize(size)))
    draw = ImageDraw.Draw(base)
    for k in range(25):
        x, y = (k * 173 + seed * 31) % w, (k * 97 + seed * 17) % h
        draw.rectangle((x, y, x + 40 + k * 5, y + 30 + k * 4),
                       fill=((k * 37) % 256, (k * 91) % 256, (k * 53) % 256))
    noise = Image.effect_noise(size, 30).convert("RGB")
    return Image.blend(base.filter(ImageFilter.GaussianBlur(1)), noise, 0.15)


def sent_image(plan) -> Image.Image:
    data = base64.b64decode(plan.prepared.data_uri.split(",", 1)[1])
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def answer_for(plan, *, index: int = 0, n: int = 1, size: tuple[int, int] | None = None,
               prompt: str = "make it blue") -> bytes:
    """What the sandbox answers for the sent crop: its default size (~1 MP at the crop's
    aspect, multiples of 16) unless a size is given."""
    # The sandbox server decodes every input to RGB before rendering; do the same.
    family = default_catalog().lookup(MODEL)
    assert family is not None
    return render.render(MODEL, family, [sent_image(plan).convert("RGB")], prompt, 7, index, n,
                         size)


def outside(size: tuple[int, int], rect: tuple[int, int, int, int], grow: int) -> Image.Image:
    """255 where a pixel is farther than `grow` px from rect (where nothing may change)."""
    x, y, w, h = rect
    keep = Image.new("L", size, 255)
    keep.paste(0, (x - grow, y - grow, x + w + grow, y + h + grow))
    return keep


def assert_identical_outside(before: Image.Image, after: Image.Image, keep: Image.Image) -> None:
    assert after.size == before.size
    changed = changed_pixels(before, after)
    leaked = ImageChops.multiply(changed, keep).getbbox()
    assert leaked is None, f"pixels changed outside the region, within {leaked}"


def changed_share(before: Image.Image, after: Image.Image,
                  rect: tuple[int, int, int, int]) -> float:
    x, y, w, h = rect
    box = (x, y, x + w, y + h)
    inside = changed_pixels(before.crop(box), after.crop(box))
    return inside.histogram()[255] / (w * h)


def decode(png: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(png))
    im.load()
    return im


RECT = (700, 400, 500, 300)


def test_png_outside_bit_identical_inside_changed(tmp_path: Path) -> None:
    src = photo()
    path = tmp_path / "in.png"
    src.save(path)
    plan = plan_region(path, RegionSpec(rect=RECT, feather=12))
    assert plan is not None
    out = decode(composite(plan, answer_for(plan)))
    assert out.mode == "RGB" and out.size == src.size
    assert_identical_outside(src, out, outside(src.size, RECT, 12))
    assert changed_share(src, out, RECT) > 0.95


def test_what_is_sent_is_the_crop_not_the_photo(tmp_path: Path) -> None:
    src = photo()
    path = tmp_path / "in.png"
    src.save(path)
    plan = plan_region(path, RegionSpec(rect=RECT, feather=12))
    assert plan is not None
    sent = sent_image(plan).convert("RGB")
    left, top, right, bottom = plan.crop
    # The box grown by 50 % of the region on each side, then shaped to the answer's aspect.
    assert left <= 700 - 250 and right >= 1200 + 250 and top <= 400 - 150 and bottom >= 700 + 150
    assert sent.size == plan.crop_size != src.size
    crop = src.crop(plan.crop)
    same = ImageChops.difference(sent, crop).convert("L")
    elsewhere = ImageChops.difference(sent, src.crop((0, 0, *plan.crop_size))).convert("L")
    assert sum(same.histogram()[40:]) < 0.001 * sent.width * sent.height  # JPEG q92 of it
    assert sum(elsewhere.histogram()[40:]) > 0.2 * sent.width * sent.height
    # The answer is asked at the crop's aspect, in multiples of 16.
    aw, ah = plan.ask_size
    assert aw % 16 == 0 and ah % 16 == 0
    assert abs(plan.crop_size[0] / plan.crop_size[1] - aw / ah) * plan.crop_size[1] <= 0.5


def test_jpeg_outside_identical_to_the_decoded_original(tmp_path: Path) -> None:
    path = tmp_path / "in.jpg"
    photo().save(path, quality=90)
    with Image.open(path) as im:
        src = im.convert("RGB")
    plan = plan_region(path, RegionSpec(rect=RECT, feather=8))
    assert plan is not None
    out = decode(composite(plan, answer_for(plan)))
    assert_identical_outside(src, out, outside(src.size, RECT, 8))
    assert changed_share(src, out, RECT) > 0.95


def test_exif_rotated_jpeg_is_edited_as_displayed(tmp_path: Path) -> None:
    stored = photo((1200, 1800))  # a portrait photo stored sideways, as cameras do
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    stored.save(path, quality=90, exif=exif)
    with Image.open(path) as im:
        shown = ImageOps.exif_transpose(im).convert("RGB")
    assert shown.size == (1800, 1200)
    plan = plan_region(path, RegionSpec(rect=RECT, feather=8))
    assert plan is not None and plan.image_size == (1800, 1200)
    sent = sent_image(plan).convert("RGB")
    diff = ImageChops.difference(sent, shown.crop(plan.crop)).convert("L")
    assert sum(diff.histogram()[40:]) < 0.001 * sent.width * sent.height  # upright crop
    out = decode(composite(plan, answer_for(plan)))
    assert_identical_outside(shown, out, outside(shown.size, RECT, 8))
    assert changed_share(shown, out, RECT) > 0.95


def test_inside_the_region_is_the_answer(tmp_path: Path) -> None:
    src = photo()
    path = tmp_path / "in.png"
    src.save(path)
    plan = plan_region(path, RegionSpec(rect=RECT, feather=0))
    assert plan is not None
    answer = Image.new("RGB", plan.ask_size, (10, 200, 30))
    buf = io.BytesIO()
    answer.save(buf, "PNG")
    out = decode(composite(plan, buf.getvalue()))
    x, y, w, h = RECT
    assert out.crop((x, y, x + w, y + h)).getcolors() == [(w * h, (10, 200, 30))]
    assert_identical_outside(src, out, outside(src.size, RECT, 0))


def test_each_of_several_results_is_its_own_composite(tmp_path: Path) -> None:
    src = photo()
    path = tmp_path / "in.png"
    src.save(path)
    plan = plan_region(path, RegionSpec(rect=RECT))
    assert plan is not None
    outs = [decode(composite(plan, answer_for(plan, index=k, n=3))) for k in range(3)]
    keep = outside(src.size, RECT, plan.spec.feather)
    for out in outs:
        assert_identical_outside(src, out, keep)
    assert changed_share(outs[0], outs[1], RECT) > 0.5
    assert changed_share(outs[1], outs[2], RECT) > 0.5


def test_a_mask_file_of_another_size_is_scaled_to_the_photo(tmp_path: Path) -> None:
    src = photo()
    path = tmp_path / "in.png"
    src.save(path)
    mask = Image.new("L", (180, 120), 0)  # a tenth of the photo's size
    ImageDraw.Draw(mask).ellipse((70, 40, 120, 70), fill=255)
    mask_path = tmp_path / "mask.png"
    mask.save(mask_path)
    spec = RegionSpec(mask_sha256=hashlib.sha256(mask_path.read_bytes()).hexdigest(), feather=10)
    plan = plan_region(path, spec, mask=str(mask_path))
    assert plan is not None
    out = decode(composite(plan, answer_for(plan)))
    # The ellipse's pixels 70..120 × 40..70 cover 700..1210 × 400..710 at full size, and
    # bilinear scaling softens that by up to one mask pixel (10 px); then the feather.
    assert_identical_outside(src, out, outside(src.size, (700, 400, 510, 310), 10 + 10))
    assert changed_share(src, out, (850, 500, 200, 100)) > 0.95


def test_whole_frame_mask_is_a_normal_edit(tmp_path: Path) -> None:
    path = tmp_path / "in.png"
    photo((800, 600)).save(path)
    assert plan_region(path, RegionSpec(rect=(0, 0, 800, 600))) is None
    assert plan_region(path, RegionSpec(rect=(2, 1, 797, 598))) is None  # 99.4 % marked
    assert plan_region(path, RegionSpec(rect=(0, 0, 800, 500))) is not None


def test_unusable_regions_say_why(tmp_path: Path) -> None:
    path = tmp_path / "in.png"
    photo((800, 600)).save(path)
    with pytest.raises(InputImageError, match="lies outside the 800×600 image"):
        plan_region(path, RegionSpec(rect=(900, 10, 50, 50)))
    black = io.BytesIO()
    Image.new("L", (80, 60), 0).save(black, "PNG")
    black_sha = hashlib.sha256(black.getvalue()).hexdigest()
    with pytest.raises(InputImageError, match="marks no pixel"):
        plan_region(path, RegionSpec(mask_sha256=black_sha), mask=black.getvalue())
    with pytest.raises(InputImageError, match="not the edit's mask"):
        plan_region(path, RegionSpec(mask_sha256="1" * 64), mask=black.getvalue())
    with pytest.raises(InputImageError, match="was not found"):
        plan_region(path, RegionSpec(mask_sha256="1" * 64))
    with pytest.raises(InputImageError, match="local file"):
        plan_region("https://example.com/a.jpg", RegionSpec(rect=(10, 10, 100, 100)))
    cmyk = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (600, 400), (0, 50, 100, 0)).save(cmyk)
    with pytest.raises(InputImageError, match="convert it to RGB"):
        plan_region(cmyk, RegionSpec(rect=(10, 10, 100, 100)))


def test_alpha_is_the_originals_everywhere(tmp_path: Path) -> None:
    src = photo().convert("RGBA")
    alpha = Image.new("L", src.size, 255)
    ImageDraw.Draw(alpha).ellipse((600, 300, 1300, 800), fill=90)  # crosses the region
    src.putalpha(alpha)
    path = tmp_path / "alpha.png"
    src.save(path)
    plan = plan_region(path, RegionSpec(rect=RECT, feather=8))
    assert plan is not None
    out = decode(composite(plan, answer_for(plan)))
    assert out.mode == "RGBA"
    assert ImageChops.difference(out.getchannel("A"), alpha).getbbox() is None
    assert_identical_outside(src, out, outside(src.size, RECT, 8))
    assert changed_share(src.convert("RGB"), out.convert("RGB"), RECT) > 0.95


def test_sixteen_bit_greyscale_stays_sixteen_bit(tmp_path: Path) -> None:
    grey = photo().convert("L").point(lambda v: v * 257 + (v % 7), "I")
    src = grey.convert("I;16")
    path = tmp_path / "deep.png"
    src.save(path)
    plan = plan_region(path, RegionSpec(rect=RECT, feather=6))
    assert plan is not None
    out = decode(composite(plan, answer_for(plan)))
    assert out.mode == "I;16"
    keep = outside(src.size, RECT, 6)
    before, after = src.convert("I"), out.convert("I")
    moved = ImageMath.lambda_eval(lambda e: e["min"](abs(e["a"] - e["b"]), 1) * 255,
                                  a=before, b=after).convert("L")
    assert ImageChops.multiply(moved, keep).getbbox() is None
    deep = [(x, 5) for x in range(0, 60, 3) if src.getpixel((x, 5)) % 257]  # not 8-bit × 257
    assert deep and all(out.getpixel(p) == src.getpixel(p) for p in deep)
    inside = moved.crop((RECT[0], RECT[1], RECT[0] + RECT[2], RECT[1] + RECT[3]))
    assert inside.histogram()[255] > 0.9 * RECT[2] * RECT[3]


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + _s15(x) + _s15(y) + _s15(z)


def adobe_like_profile() -> bytes:
    """A minimal ICC v2 RGB matrix/TRC profile (Adobe RGB primaries, gamma 2.2): a real,
    non-sRGB profile LittleCMS accepts, written by hand so the tests need no file."""
    name = b"Test wide RGB"
    desc = (b"desc" + bytes(4) + struct.pack(">I", len(name) + 1) + name + b"\0"
            + bytes(8) + bytes(3) + bytes(67))
    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, round(2.2 * 256)) + bytes(2)
    tags = [(b"desc", desc), (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", _xyz(0.6097, 0.3111, 0.0195)), (b"gXYZ", _xyz(0.2053, 0.6257, 0.0609)),
            (b"bXYZ", _xyz(0.1492, 0.0632, 0.7446)), (b"rTRC", curve), (b"gTRC", curve),
            (b"bTRC", curve), (b"cprt", b"text" + bytes(4) + b"none\0\0\0\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, data = [], b""
    for sig, body in tags:
        table.append(sig + struct.pack(">II", offset + len(data), len(body)))
        data += body + bytes(-len(body) % 4)
    size = offset + len(data)
    header = (struct.pack(">I", size) + bytes(4) + struct.pack(">I", 0x02100000) + b"mntr"
              + b"RGB " + b"XYZ " + bytes(12) + b"acsp" + bytes(24) + struct.pack(">I", 0)
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + bytes(4) + bytes(44))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + b"".join(table) + data


def test_colour_profile_is_kept_and_the_answer_converted_into_it(tmp_path: Path) -> None:
    from PIL import ImageCms

    wide = adobe_like_profile()
    src = photo()
    path = tmp_path / "wide.png"
    src.save(path, icc_profile=wide)
    plan = plan_region(path, RegionSpec(rect=RECT, feather=0))
    assert plan is not None
    assert any("to sRGB" in note for note in plan.prepared.notes)  # sent in sRGB
    green = io.BytesIO()
    Image.new("RGB", plan.ask_size, (10, 200, 30)).save(green, "PNG")
    out = decode(composite(plan, green.getvalue()))
    assert out.info.get("icc_profile") == wide
    assert_identical_outside(src, out, outside(src.size, RECT, 0))
    to_wide = ImageCms.buildTransform(ImageCms.createProfile("sRGB"),
                                      ImageCms.ImageCmsProfile(io.BytesIO(wide)), "RGB", "RGB")
    expected = ImageCms.applyTransform(Image.new("RGB", (1, 1), (10, 200, 30)), to_wide)
    assert expected is not None and expected.getpixel((0, 0)) != (10, 200, 30)
    assert out.getpixel((RECT[0] + 50, RECT[1] + 50)) == expected.getpixel((0, 0))


def test_an_answer_at_another_aspect_is_aligned_by_comparison(tmp_path: Path) -> None:
    """A service that crops to its grid instead of stretching: the composite notices."""
    src = photo()
    path = tmp_path / "in.png"
    src.save(path)
    plan = plan_region(path, RegionSpec(rect=RECT, feather=0))
    assert plan is not None
    crop = src.crop(plan.crop)
    cw, ch = crop.size
    # Centre-crop the crop to a squarer aspect, as a "cover" service would, at 1024×768.
    cut = round(cw * 0.08)
    covered = crop.crop((cut, 0, cw - cut, ch)).resize((1024, 768), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    covered.save(buf, "PNG")
    png, reading = composite_with_info(plan, buf.getvalue())
    assert reading == "cover"
    out = decode(png)
    # Aligned: the pasted answer matches the original closely inside the region.
    x, y, w, h = RECT
    diff = ImageChops.difference(out.crop((x, y, x + w, y + h)),
                                 src.crop((x, y, x + w, y + h))).convert("L")
    mean = sum(i * c for i, c in enumerate(diff.histogram())) / (w * h)
    assert mean < 6
    stretched = crop.resize((1024, 768), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    stretched.save(buf, "PNG")
    assert composite_with_info(plan, buf.getvalue())[1] == "stretch"


def test_references_keep_their_numbers_and_the_crop_leads(tmp_path: Path) -> None:
    path = tmp_path / "in.png"
    photo((800, 600)).save(path)
    plan = plan_region(path, RegionSpec(rect=(100, 100, 200, 200)))
    assert plan is not None
    crop = plan.prepared.data_uri
    assert region_images(plan, ["r2", "r3"], takes_size=True) == [crop, "r2", "r3"]
    assert region_images(plan, [], takes_size=False) == [crop]
    # Without a size the service follows the last image: the crop goes last.
    assert region_images(plan, ["r2"], takes_size=False) == ["r2", crop]


def test_a_drawn_mask_is_stored_by_content_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "in.png"
    src = photo((800, 600))
    src.save(path)
    drawn = Image.new("L", (800, 600), 0)
    drawn.paste(255, (300, 200, 400, 300))
    data, sha = mask_png(drawn)
    assert mask_png(drawn) == (data, sha)  # same drawing, same address
    plan = plan_region(path, RegionSpec(mask_sha256=sha, feather=4), mask=data)
    assert plan is not None and plan.record()["mask_sha256"] == sha
    out = decode(composite(plan, answer_for(plan)))
    assert_identical_outside(src, out, outside(src.size, (300, 200, 100, 100), 4))


def test_metadata_is_embedded_as_for_every_result(tmp_path: Path) -> None:
    from qwen_studio.core.png_metadata import metadata_for, read_png_metadata, request_from_png
    from qwen_studio.core.request import EditRequest

    path = tmp_path / "in.png"
    photo((800, 600)).save(path)
    spec = RegionSpec(rect=(100, 100, 200, 150))
    plan = plan_region(path, spec)
    assert plan is not None
    request = EditRequest(inputs=(str(path),), prompt="make it blue 蓝色", region=spec)
    png = composite(plan, answer_for(plan), metadata_for(request, {"region": plan.record()}))
    assert request_from_png(png) == request
    record = json.loads(read_png_metadata(png)["qwen_studio"])["region"]
    assert record["crop"] == list(plan.crop) and record["rect"] == [100, 100, 200, 150]
    assert decode(png).size == (800, 600)


@pytest.mark.parametrize(("size", "rect"), [
    ((300, 200), (40, 30, 60, 50)),        # smaller than the service's 384 px minimum
    ((4000, 500), (1000, 0, 900, 500)),     # a panorama: the crop cannot take the aspect
    ((1000, 1000), (0, 0, 1000, 900)),      # 90 % of the frame: still a region edit
])
def test_odd_shapes_keep_the_outside(tmp_path: Path, size: tuple[int, int],
                                     rect: tuple[int, int, int, int]) -> None:
    src = photo(size)
    path = tmp_path / "in.png"
    src.save(path)
    plan = plan_region(path, RegionSpec(rect=rect, feather=4))
    assert plan is not None
    out = decode(composite(plan, answer_for(plan)))
    assert out.size == size
    assert_identical_outside(src, out, outside(size, rect, 4))
    x, y, w, h = rect
    inner = (x + 8, y + 8, w - 16, h - 16)
    assert changed_share(src, out, inner) > 0.9
