"""Export in the format the job needs: pixels converted once, a colour profile and the
edit's parameters in every format, read back by recall."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms, features

from qwen_studio.core.export_formats import (
    ExportFormatError,
    available_formats,
    check_format,
    convert_image,
    export_result,
    format_for_path,
    srgb_profile,
)
from qwen_studio.core.image_metadata import (
    MAX_TEXT_CHARS,
    XMP_NAMESPACE,
    read_texts,
    request_from_file,
    request_from_image,
)
from qwen_studio.core.png_metadata import metadata_for
from qwen_studio.core.request import EditRequest

REQUEST = EditRequest(inputs=("/photos/套装.jpg",), prompt="把背景换成纯白 & <studio> “light”",
                      negative_prompt="blur", seed=1234, size="1024*768", n=2,
                      watermark=False)
LOSSY = [f for f in ("jpeg", "webp", "avif") if f != "avif" or features.check("avif")]


def gradient_png(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> bytes:
    im = Image.new("RGB", size)
    w, h = size
    im.putdata([(x * 255 // w, y * 255 // h, (x + y) * 127 // (w + h))
                for y in range(h) for x in range(w)])
    if mode == "RGBA":
        im = im.convert("RGBA")
        im.putalpha(Image.linear_gradient("L").resize(size))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], 8
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos:pos + 4])
        out.append((png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return out


def profile_name(icc: bytes) -> str:
    return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip()


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    pa, pb = a.convert("RGB").tobytes(), b.convert("RGB").tobytes()
    return sum(abs(x - y) for x, y in zip(pa, pb, strict=True)) / len(pa)


def test_png_keeps_every_received_pixel_byte_and_gains_srgb_and_parameters() -> None:
    src = gradient_png()
    out = export_result(src, REQUEST, "png")
    idat = [p for k, p in chunks(src) if k == b"IDAT"]
    assert [p for k, p in chunks(out) if k == b"IDAT"] == idat  # not re-encoded
    with Image.open(io.BytesIO(out)) as im, Image.open(io.BytesIO(src)) as orig:
        assert im.tobytes() == orig.tobytes()
        assert "sRGB" in profile_name(im.info["icc_profile"])
    assert [k for k, _ in chunks(out)][:2] == [b"IHDR", b"iCCP"]  # where the spec wants it
    assert request_from_image(out) == REQUEST


def test_png_that_states_its_colour_space_keeps_it() -> None:
    im = Image.new("RGB", (8, 8), (1, 2, 3))
    buf = io.BytesIO()
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    im.save(buf, "PNG", icc_profile=lab)
    out = export_result(buf.getvalue(), REQUEST, "png")
    with Image.open(io.BytesIO(out)) as again:
        assert again.info["icc_profile"] == lab
    assert [k for k, _ in chunks(out)].count(b"iCCP") == 1


@pytest.mark.parametrize("fmt", LOSSY)
def test_lossy_formats_embed_profile_and_parameters_and_keep_the_picture(fmt: str) -> None:
    src = gradient_png()
    out = export_result(src, REQUEST, fmt, quality=95)
    with Image.open(io.BytesIO(out)) as im, Image.open(io.BytesIO(src)) as orig:
        assert im.format == {"jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF"}[fmt]
        assert im.size == orig.size
        assert mean_abs_diff(im, orig) < 3  # one conversion at high quality
        assert "sRGB" in profile_name(im.info["icc_profile"])
    texts = read_texts(out)
    assert texts["parameters"] == REQUEST.parameters_text()  # EXIF/XMP, CJK intact
    assert request_from_image(out) == REQUEST


@pytest.mark.parametrize("fmt", LOSSY)
def test_quality_is_honoured(fmt: str) -> None:
    src = gradient_png(size=(160, 120))
    low = convert_image(src, fmt, quality=20)
    high = convert_image(src, fmt, quality=95)
    assert len(low) < len(high)


def test_a_source_profile_is_carried_over_instead_of_srgb() -> None:
    srgb = srgb_profile()
    carried = srgb[:67] + b"\x01" + srgb[68:]  # another profile (relative intent)
    for fmt in ("png", *LOSSY):
        out = convert_image(gradient_png(), fmt, icc_profile=carried)
        with Image.open(io.BytesIO(out)) as im:
            assert im.info["icc_profile"] == carried, fmt


def test_transparency_goes_onto_white_for_jpeg_and_is_kept_by_webp() -> None:
    im = Image.new("RGBA", (16, 16), (255, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    with Image.open(io.BytesIO(convert_image(buf.getvalue(), "jpeg"))) as jpg:
        assert all(c > 245 for c in jpg.getpixel((8, 8)))
    with Image.open(io.BytesIO(convert_image(buf.getvalue(), "webp"))) as webp:
        assert webp.mode == "RGBA" and webp.getpixel((8, 8))[3] == 0


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    im = Image.new("I;16", (8, 8), 32768)  # mid grey
    buf = io.BytesIO()
    im.save(buf, "PNG")
    with Image.open(io.BytesIO(convert_image(buf.getvalue(), "jpeg", quality=100))) as jpg:
        assert 120 <= jpg.convert("L").getpixel((4, 4)) <= 136


def test_format_names_and_errors() -> None:
    assert check_format("JPG") == "jpeg" and format_for_path("a/b.Jpeg") == "jpeg"
    assert format_for_path("x.tif") is None
    with pytest.raises(ExportFormatError, match="unknown image format"):
        check_format("gif")
    with pytest.raises(ExportFormatError, match="quality"):
        convert_image(gradient_png(), "jpeg", quality=0)
    with pytest.raises(ExportFormatError, match="cannot be read"):
        convert_image(b"not an image at all", "webp")


def test_avif_unavailable_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(features, "check", lambda name: False)
    assert "avif" not in available_formats()
    with pytest.raises(ExportFormatError, match="AVIF is not supported"):
        check_format("avif")


# -- reading back -------------------------------------------------------------------------------


def test_recall_reads_xmp_rewritten_by_another_tool() -> None:
    record = metadata_for(REQUEST)["qwen_studio"].replace("&", "&amp;").replace('"', "&quot;")
    xmp = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
           f'xmlns:qs="{XMP_NAMESPACE}" qs:qwen_studio="{record}"/></rdf:RDF></x:xmpmeta>')
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG", xmp=xmp.encode())
    assert request_from_image(buf.getvalue()) == REQUEST


def test_recall_ignores_oversized_damaged_and_foreign_files(tmp_path) -> None:
    big = "x" * (MAX_TEXT_CHARS + 1)
    out = convert_image(gradient_png(), "jpeg",
                        texts={"parameters": big, "qwen_studio": "{"})
    assert "parameters" not in read_texts(out)
    assert request_from_image(out) is None
    plain = io.BytesIO()
    Image.new("RGB", (8, 8)).save(plain, "WEBP")
    assert request_from_image(plain.getvalue()) is None
    assert request_from_image(b"RIFF\x00\x00\x00\x00WEBPgarbage") is None
    assert request_from_image(convert_image(gradient_png(), "jpeg")[:200]) is None
    f = tmp_path / "shot.webp"
    f.write_bytes(export_result(gradient_png(), REQUEST, "webp"))
    assert request_from_file(f) == REQUEST


def test_a1111_user_comment_alone_is_understood() -> None:
    exif = Image.Exif()
    text = "a red barn\nNegative prompt: fog\nSteps: 20, Seed: 7, Size: 1024x768"
    # UTF-16 with a byte order mark, as some writers do: the mark decides the order.
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + text.encode("utf-16")
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "WEBP", exif=exif.tobytes())
    req = request_from_image(buf.getvalue())
    assert req is not None and req.prompt == "a red barn" and req.seed == 7
    assert req.negative_prompt == "fog" and req.size == "1024*768"


def test_png_text_chunks_are_still_read_and_compressed_xmp_is_not_inflated() -> None:
    zipped = zlib.compress(b"<x/>" * 1000)
    assert read_texts(b"\x89PNG\r\n\x1a\n" + zipped) == {}


def test_save_as_picks_the_format_from_the_name_and_writes_whole_files(tmp_path) -> None:
    from qwen_studio.core.export_formats import dialog_filters, save_as

    src = gradient_png()
    jpg = save_as(src, tmp_path / "poster.JPG", REQUEST, quality=90)
    with Image.open(jpg) as im:
        assert im.format == "JPEG"
    assert request_from_image(jpg.read_bytes()) == REQUEST
    plain = save_as(src, tmp_path / "no-suffix", REQUEST)
    assert plain.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    webp = save_as(src, tmp_path / "x.png", REQUEST, fmt="webp")  # an explicit choice wins
    assert webp.read_bytes()[8:12] == b"WEBP"
    assert [f for f, _, _ in dialog_filters()] == list(available_formats())
    (tmp_path / "taken.png").mkdir()
    with pytest.raises(ExportFormatError, match=r"could not write taken\.png"):
        save_as(src, tmp_path / "taken.png", REQUEST)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "no-suffix", "poster.JPG", "taken.png", "x.png"]  # no temp file left behind
