"""Input images -> PreparedImage: formats, orientation, colour, limits and plain-language refusals.

Every image is generated here, small wherever the behaviour allows.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from qwen_studio.core import pipeline
from qwen_studio.core.errors import InputImageError
from qwen_studio.core.pipeline import (
    IMAGE_EXTENSIONS,
    PreparedImage,
    file_sha256,
    find_images,
    make_thumbnail,
    prepare_image,
)

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def decode(prepared: PreparedImage) -> Image.Image:
    prefix = f"data:{prepared.mime};base64,"
    assert prepared.data_uri.startswith(prefix)
    im = Image.open(io.BytesIO(base64.b64decode(prepared.data_uri[len(prefix):])))
    im.load()
    return im


def close_to(pixel: tuple[int, ...], expected: tuple[int, ...], tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(pixel, expected, strict=False))


def save(im: Image.Image, path: Path, **kwargs: object) -> Path:
    im.save(path, **kwargs)
    return path


def noise_rgb(w: int, h: int) -> Image.Image:
    """Detailed content so JPEG cannot make it tiny."""
    return Image.merge("RGB", [Image.effect_noise((w, h), 80 + 20 * i) for i in range(3)])


def png_header_only(w: int, h: int, bit_depth: int = 1, colour_type: int = 0) -> bytes:
    """A PNG that claims huge dimensions; no pixel data, so it costs nothing to make."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


# -- formats ----------------------------------------------------------------------------------

def test_image_extensions_are_lowercase_with_dots() -> None:
    assert {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif"} == IMAGE_EXTENSIONS


@pytest.mark.parametrize("ext,fmt", [
    (".png", "PNG"), (".bmp", "BMP"), (".tiff", "TIFF"), (".webp", "WEBP"), (".gif", "GIF"),
    (".jpeg", "JPEG"),
])
def test_each_format_becomes_a_jpeg_data_uri_of_the_same_picture(
    tmp_path: Path, ext: str, fmt: str
) -> None:
    im = Image.new("RGB", (500, 400), BLUE)
    im.paste(Image.new("RGB", (100, 100), RED), (0, 0))
    path = save(im, tmp_path / f"pic{ext}", format=fmt)
    p = prepare_image(path)
    assert p.mime == "image/jpeg"
    assert (p.width, p.height) == (500, 400) == (p.original_width, p.original_height)
    assert p.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == file_sha256(path)
    assert p.source == str(path)
    out = decode(p)
    assert out.format == "JPEG" and out.size == (500, 400)
    assert close_to(out.getpixel((20, 20)), RED)
    assert close_to(out.getpixel((400, 300)), BLUE)


def test_plain_jpeg_that_fits_is_sent_byte_for_byte(tmp_path: Path) -> None:
    path = save(noise_rgb(640, 480), tmp_path / "photo.jpg", quality=80)
    p = prepare_image(path)
    assert p.data_uri == "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode()
    assert p.notes == ()


def test_jpeg_that_needs_resizing_is_reencoded(tmp_path: Path) -> None:
    path = save(noise_rgb(800, 200), tmp_path / "wide.jpg")
    p = prepare_image(path, max_side=600, min_side=100)
    assert (p.width, p.height) == (600, 150)
    assert decode(p).size == (600, 150)
    assert "downscaled from 800×200 to 600×150" in p.notes


# -- orientation --------------------------------------------------------------------------------

# Where the stored top-left corner appears once the orientation is applied (x_right, y_bottom).
CORNER_AFTER = {1: (0, 0), 2: (1, 0), 3: (1, 1), 4: (0, 1), 5: (0, 0), 6: (1, 0), 7: (1, 1),
                8: (0, 1)}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_to_pixels(tmp_path: Path, orientation: int) -> None:
    im = Image.new("RGB", (480, 400), BLUE)
    im.paste(Image.new("RGB", (64, 64), RED), (0, 0))  # marks the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = save(im, tmp_path / f"o{orientation}.jpg", exif=exif.tobytes(), quality=95)

    p = prepare_image(path)
    swapped = orientation >= 5
    expected = (400, 480) if swapped else (480, 400)
    assert (p.width, p.height) == expected == (p.original_width, p.original_height)
    out = decode(p)
    assert out.size == expected
    assert not out.getexif().get(0x0112, 1) > 1, "the sent file must not rotate again"
    right, bottom = CORNER_AFTER[orientation]
    x = out.width - 20 if right else 20
    y = out.height - 20 if bottom else 20
    assert close_to(out.getpixel((x, y)), RED), f"marked corner not at {(x, y)}"
    # The opposite corner stays blue.
    assert close_to(out.getpixel((out.width - 1 - x, out.height - 1 - y)), BLUE)
    assert (orientation != 1) == any("EXIF orientation" in n for n in p.notes)


# -- colour and modes ------------------------------------------------------------------------------

def test_cmyk_jpeg_becomes_rgb_and_says_so(tmp_path: Path) -> None:
    # Pure cyan ink = no red light.
    path = save(Image.new("CMYK", (400, 400), (255, 0, 0, 0)), tmp_path / "print.jpg")
    p = prepare_image(path)
    assert p.mime == "image/jpeg"
    out = decode(p)
    assert out.mode == "RGB"
    r, g, b = out.getpixel((200, 200))
    assert r < 60 and g > 200 and b > 200
    assert any("CMYK" in n for n in p.notes)


def _wide_profile() -> bytes:
    """A valid RGB ICC profile that does not call itself sRGB (same bytes, renamed)."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert b"sRGB" in icc or "sRGB".encode("utf-16-be") in icc
    return icc.replace(b"sRGB", b"Wide").replace("sRGB".encode("utf-16-be"),
                                                  "Wide".encode("utf-16-be"))


def test_non_srgb_profile_is_converted_and_noted(tmp_path: Path) -> None:
    icc = _wide_profile()
    path = save(Image.new("RGB", (400, 400), (200, 100, 50)), tmp_path / "p3.jpg",
                icc_profile=icc, quality=95)
    p = prepare_image(path)
    assert any("to sRGB" in n for n in p.notes)
    out = decode(p)
    assert close_to(out.getpixel((10, 10)), (200, 100, 50), tol=8)
    assert out.info.get("icc_profile") is None  # sRGB is implied once converted


def test_srgb_profile_is_kept(tmp_path: Path) -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = save(Image.new("RGB", (400, 400), (200, 100, 50)), tmp_path / "srgb.png",
                icc_profile=icc)
    p = prepare_image(path)
    assert decode(p).info.get("icc_profile") == icc


def test_unreadable_profile_is_kept_not_dropped_silently(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (400, 400), "white"), tmp_path / "odd.png",
                icc_profile=b"not a real profile")
    p = prepare_image(path)
    assert decode(p).info.get("icc_profile") == b"not a real profile"
    assert any("profile" in n for n in p.notes)


def test_16bit_grayscale_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    im = Image.new("I;16", (400, 400), 32768)  # mid-grey in 16 bits
    path = save(im, tmp_path / "deep.png")
    assert Image.open(path).mode.startswith("I")
    p = prepare_image(path)
    out = decode(p)
    assert out.mode == "RGB"
    assert close_to(out.getpixel((5, 5)), (128, 128, 128), tol=3)
    assert "converted from 16-bit to 8-bit" in p.notes


def test_16bit_rgb_png_keeps_its_colour(tmp_path: Path) -> None:
    w, h = 400, 400
    px = struct.pack(">HHH", 65535, 32768, 0)  # orange
    raw = b"".join(b"\x00" + px * w for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    path = tmp_path / "deep-rgb.png"
    path.write_bytes(data)
    out = decode(prepare_image(path))
    assert close_to(out.getpixel((5, 5)), (255, 128, 0), tol=6)


def test_palette_with_transparency_keeps_alpha_as_png(tmp_path: Path) -> None:
    im = Image.new("P", (400, 400), 0)
    im.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    im.paste(1, (200, 0, 400, 400))  # right half uses the transparent index
    path = save(im, tmp_path / "sticker.png", transparency=1)
    p = prepare_image(path)
    assert p.mime == "image/png"
    out = decode(p)
    assert out.mode == "RGBA"
    assert out.getpixel((300, 200))[3] == 0
    assert out.getpixel((100, 200)) == (255, 0, 0, 255)


def test_opaque_alpha_is_sent_as_jpeg(tmp_path: Path) -> None:
    path = save(Image.new("RGBA", (400, 400), (10, 200, 10, 255)), tmp_path / "opaque.png")
    p = prepare_image(path)
    assert p.mime == "image/jpeg"
    assert decode(p).mode == "RGB"


def test_grayscale_becomes_rgb(tmp_path: Path) -> None:
    path = save(Image.new("L", (400, 400), 90), tmp_path / "grey.png")
    p = prepare_image(path)
    out = decode(p)
    assert out.mode == "RGB"
    assert close_to(out.getpixel((3, 3)), (90, 90, 90), tol=3)
    assert "converted from grayscale" in p.notes


def test_animated_gif_sends_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (400, 400), c) for c in (RED, BLUE, (0, 255, 0))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    p = prepare_image(path)
    assert close_to(decode(p).getpixel((200, 200)), RED)
    assert any("first frame of an animated GIF" in n for n in p.notes)


def test_multipage_tiff_sends_first_page(tmp_path: Path) -> None:
    pages = [Image.new("RGB", (400, 400), c) for c in (RED, BLUE)]
    path = tmp_path / "scan.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:])
    p = prepare_image(path)
    assert close_to(decode(p).getpixel((200, 200)), RED)
    assert any("first page of a 2-page TIFF" in n for n in p.notes)


# -- sizes ---------------------------------------------------------------------------------------

def test_tiny_image_is_upscaled_to_min_side(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (100, 50), RED), tmp_path / "tiny.png")
    p = prepare_image(path)
    assert min(p.width, p.height) == 384 and (p.width, p.height) == (768, 384)
    assert decode(p).size == (768, 384)
    assert (p.original_width, p.original_height) == (100, 50)
    assert "upscaled from 100×50 to 768×384" in p.notes


def test_large_image_is_downscaled_to_max_side(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (4000, 1000), BLUE), tmp_path / "banner.png")
    p = prepare_image(path)
    assert (p.width, p.height) == (3072, 768)
    assert decode(p).size == (3072, 768)
    assert "downscaled from 4000×1000 to 3072×768" in p.notes


def test_extreme_aspect_ratio_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (900, 100), RED), tmp_path / "strip.png")
    with pytest.raises(InputImageError) as err:
        prepare_image(path)
    assert err.value.path == str(path)
    assert "aspect ratio" in err.value.reason and "8:1" in err.value.reason


def test_exactly_8_to_1_is_accepted(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (800, 100), RED), tmp_path / "eight.png")
    p = prepare_image(path)
    assert (p.width, p.height) == (3072, 384)


def test_data_uri_limit_lowers_quality_then_scales(tmp_path: Path) -> None:
    path = save(noise_rgb(1200, 900), tmp_path / "noisy.png")
    limit = 150_000
    p = prepare_image(path, max_data_uri_bytes=limit)
    assert len(p.data_uri) <= limit
    out = decode(p)
    assert out.size == (p.width, p.height)
    assert p.width < 1200 and min(p.width, p.height) >= 384
    assert abs(p.width / p.height - 1200 / 900) < 0.02
    assert any("size limit" in n for n in p.notes)


def test_data_uri_limit_only_quality_when_that_suffices(tmp_path: Path) -> None:
    path = save(noise_rgb(600, 450), tmp_path / "noisy2.png")
    full = prepare_image(path)
    p = prepare_image(path, max_data_uri_bytes=int(len(full.data_uri) * 0.8))
    assert (p.width, p.height) == (600, 450)
    assert len(p.data_uri) < len(full.data_uri) * 0.8
    assert any("quality lowered" in n for n in p.notes)


def test_impossible_data_uri_limit_is_refused(tmp_path: Path) -> None:
    path = save(noise_rgb(500, 400), tmp_path / "noisy3.png")
    with pytest.raises(InputImageError, match="cannot be made small enough"):
        prepare_image(path, max_data_uri_bytes=2_000)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # pytest resets ours
def test_100_megapixel_jpeg_is_accepted(tmp_path: Path) -> None:
    # Grey keeps the file small and cheap to make; draft() keeps decoding cheap.
    path = save(Image.new("L", (10000, 10000), 128), tmp_path / "huge.jpg")
    p = prepare_image(path)
    assert (p.width, p.height) == (3072, 3072)
    assert (p.original_width, p.original_height) == (10000, 10000)


# -- refusals ------------------------------------------------------------------------------------

def refusal(path: Path | str) -> InputImageError:
    with pytest.raises(InputImageError) as err:
        prepare_image(path)
    assert err.value.path == str(path)
    assert str(path) in str(err.value)
    return err.value


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()
    assert "empty" in refusal(path).reason


def test_text_named_png(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("these are my shopping notes\n")
    assert refusal(path).reason == "this is not an image (the file contains text)"


def test_random_bytes_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "noise.jpg"
    path.write_bytes(bytes(range(256)) * 4)
    assert "not an image" in refusal(path).reason


def test_truncated_jpeg(tmp_path: Path) -> None:
    data = io.BytesIO()
    noise_rgb(600, 400).save(data, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    assert "truncated" in refusal(path).reason


def test_truncated_png(tmp_path: Path) -> None:
    data = io.BytesIO()
    noise_rgb(600, 400).save(data, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    reason = refusal(path).reason
    assert "truncated" in reason or "damaged" in reason


def test_unsupported_format_is_named(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (400, 400)), tmp_path / "pic.png", format="PCX")
    reason = refusal(path).reason
    assert "unsupported image format (PCX)" in reason and "JPG" in reason


def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in refusal(tmp_path / "gone.jpg").reason


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "album.jpg"
    folder.mkdir()
    assert "folder" in refusal(folder).reason


def test_unreadable_file_via_permissions(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (400, 400)), tmp_path / "locked.png")
    path.chmod(0)
    try:
        if os.geteuid() == 0 if hasattr(os, "geteuid") else False:
            # root reads anything regardless of mode bits; the simulated test below covers it.
            prepare_image(path)
        else:
            assert "permission denied" in refusal(path).reason
    finally:
        path.chmod(0o644)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(Image.new("RGB", (400, 400)), tmp_path / "locked.png")

    def denied(file: object, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(file))

    # Shadow the builtin inside the module only, as a real EACCES would surface.
    monkeypatch.setattr(pipeline, "open", denied, raising=False)
    assert refusal(path).reason == "the file cannot be read (permission denied)"


def test_png_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(30000, 30000))
    reason = refusal(path).reason
    assert "too large" in reason and "megapixels" in reason


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # pytest resets ours
def test_just_over_our_pixel_limit_is_refused_with_the_size(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png_header_only(13000, 12000))
    reason = refusal(path).reason
    assert "13000×12000" in reason and "150 megapixels" in reason


def test_non_ascii_path(tmp_path: Path) -> None:
    folder = tmp_path / "фото 写真"
    folder.mkdir()
    path = save(Image.new("RGB", (400, 400), RED), folder / "café ☕.png")
    p = prepare_image(path)
    assert p.source == str(path) and p.width == 400
    bad = folder / "ünïcødé.png"
    bad.write_text("nope")
    assert "ünïcødé.png" in str(refusal(bad))


def test_very_long_path(tmp_path: Path) -> None:
    folder = tmp_path
    for i in range(6):
        folder = folder / (f"{i}-" + "d" * 60)
    folder.mkdir(parents=True)
    path = save(Image.new("RGB", (400, 400), RED), folder / ("long-" + "n" * 200 + ".png"))
    assert len(str(path)) > 500
    assert prepare_image(path).width == 400


def test_url_passes_through() -> None:
    url = "https://example.com/pics/cat.webp?sig=abc"
    p = prepare_image(url)
    assert p.data_uri == url and p.source == url
    assert p.mime == "image/webp"
    assert p.sha256 == hashlib.sha256(url.encode()).hexdigest()
    assert (p.width, p.height, p.original_width, p.original_height) == (0, 0, 0, 0)
    assert prepare_image("http://example.com/x").mime == ""


# -- find_images ----------------------------------------------------------------------------------

def test_find_images_nested_folder(tmp_path: Path) -> None:
    root = tmp_path / "shoot"
    (root / "b-sub" / "deeper").mkdir(parents=True)
    (root / ".thumbs").mkdir()
    for rel in ("a.jpg", "C.PNG", "b-sub/x.webp", "b-sub/deeper/y.tiff", ".thumbs/t.jpg",
                ".hidden.png"):
        save(Image.new("RGB", (8, 8)), root / rel, format="PNG")
    (root / "b-sub" / "notes.txt").write_text("hi")
    (root / "README").write_text("hi")
    (root / "broken.gif").write_text("not really a gif")
    loose = save(Image.new("RGB", (8, 8)), tmp_path / "loose.bmp")
    (tmp_path / "list.csv").write_text("a,b")

    images, skipped = find_images([root, loose, tmp_path / "list.csv", root / "a.jpg"])
    rel = [p.relative_to(tmp_path).as_posix() for p in images]
    assert rel == ["shoot/a.jpg", "shoot/b-sub/deeper/y.tiff", "shoot/b-sub/x.webp",
                   "shoot/broken.gif", "shoot/C.PNG", "loose.bmp"]
    reasons = {p.name: r for p, r in skipped}
    assert reasons == {
        "notes.txt": "not an image file type (.txt)",
        "README": "not an image file type (no extension)",
        "list.csv": "not an image file type (.csv)",
    }
    # Deterministic: same answer twice.
    assert find_images([root, loose, tmp_path / "list.csv"])[0] == images


def test_find_images_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        find_images([tmp_path / "nope"])


# -- thumbnails ----------------------------------------------------------------------------------

def test_thumbnail_from_bytes_keeps_alpha() -> None:
    im = Image.new("RGBA", (1000, 500), (255, 0, 0, 255))
    im.paste((0, 0, 0, 0), (500, 0, 1000, 500))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    thumb = Image.open(io.BytesIO(make_thumbnail(buf.getvalue())))
    assert thumb.format == "PNG" and thumb.mode == "RGBA"
    assert thumb.size == (256, 128)
    assert thumb.getpixel((200, 64))[3] == 0


def test_thumbnail_of_rotated_jpeg_file(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    path = save(Image.new("RGB", (1200, 800), RED), tmp_path / "portrait.jpg",
                exif=exif.tobytes())
    thumb = Image.open(io.BytesIO(make_thumbnail(path, max_side=120)))
    assert thumb.size == (80, 120)


def test_thumbnail_bad_input() -> None:
    with pytest.raises(InputImageError, match="not an image"):
        make_thumbnail(b"hello, this is text")
    with pytest.raises(InputImageError, match="empty"):
        make_thumbnail(b"")
