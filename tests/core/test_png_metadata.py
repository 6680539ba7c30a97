"""PNG text chunks: embedded without touching pixels, read back by us and by Pillow."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from qwen_studio.core.png_metadata import (
    embed_png_metadata,
    metadata_for,
    read_png_metadata,
    request_from_png,
)
from qwen_studio.core.request import EditRequest


def make_png(mode: str = "RGB", size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    im = Image.effect_noise(size, 60).convert(mode)
    buf = io.BytesIO()
    im.save(buf, "PNG", **save)
    return buf.getvalue()


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, whole chunk bytes) in file order."""
    out = []
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        out.append((kind, data[pos:pos + 12 + length]))
        pos += 12 + length
    return out


REQUEST = EditRequest(
    inputs=("/photos/猫.jpg", "https://example.com/dress.png"),
    prompt="让猫穿上这条裙子 🐱👗, keep the background",
    negative_prompt="blurry, low quality",
    size="1024x1536",
    seed=42,
    n=2,
    watermark=False,
    prompt_extend=True,
)


def test_round_trip_of_cjk_and_emoji_text() -> None:
    texts = {"Title": "夕焼けの海 🌅", "Comment": "한국어 · Ελληνικά · עברית", "Empty": ""}
    out = embed_png_metadata(make_png(), texts)
    assert read_png_metadata(out) == texts


def test_original_chunks_and_pixels_are_untouched() -> None:
    png = make_png("RGBA")
    out = embed_png_metadata(png, metadata_for(REQUEST))
    before, after = chunks(png), chunks(out)
    # Every original chunk is present, in order and byte-identical; only iTXt were added.
    assert [c for c in after if c[0] != b"iTXt"] == before
    assert [k for k, _ in after][-3:] == [b"iTXt", b"iTXt", b"IEND"]
    idat = lambda cs: b"".join(c for k, c in cs if k == b"IDAT")  # noqa: E731
    assert idat(before) == idat(after)
    a, b = Image.open(io.BytesIO(png)), Image.open(io.BytesIO(out))
    assert (a.mode, a.size) == (b.mode, b.size)
    assert a.tobytes() == b.tobytes()
    assert out.startswith(png[: png.index(b"IEND") - 4])  # everything before IEND is as it was


def test_pillow_sees_the_chunks_and_crcs_are_valid() -> None:
    out = embed_png_metadata(make_png(), {"parameters": "a cat\nSeed: 1", "note": "日本語"})
    im = Image.open(io.BytesIO(out))
    im.load()  # Pillow verifies every chunk CRC while loading and raises on a bad one
    assert im.text == {"parameters": "a cat\nSeed: 1", "note": "日本語"}


def test_large_value_is_compressed_and_still_readable() -> None:
    big = "prompt text " * 5000
    out = embed_png_metadata(make_png(), {"big": big})
    assert len(out) < len(make_png()) + len(big) // 2
    assert read_png_metadata(out)["big"] == big
    assert Image.open(io.BytesIO(out)).text["big"] == big


def test_same_key_is_replaced_including_pillow_written_text() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "old tEXt")
    info.add_text("keep", "untouched")
    info.add_text("zipped", "old zTXt", zip=True)
    png = make_png(pnginfo=info)
    out = embed_png_metadata(png, {"parameters": "new", "zipped": "new too"})
    out = embed_png_metadata(out, {"parameters": "newest"})
    assert read_png_metadata(out) == {"parameters": "newest", "keep": "untouched",
                                      "zipped": "new too"}
    kinds = [k for k, _ in chunks(out)]
    assert kinds.count(b"tEXt") == 1 and kinds.count(b"zTXt") == 0
    assert Image.open(io.BytesIO(out)).text["parameters"] == "newest"


def test_reads_text_ztxt_and_itxt_written_by_pillow() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("a", "latin é")
    info.add_text("b", "compressed " * 50, zip=True)
    info.add_itxt("c", "国際 text", lang="ja", tkey="表題", zip=True)
    assert read_png_metadata(make_png(pnginfo=info)) == {
        "a": "latin é", "b": "compressed " * 50, "c": "国際 text"}


@pytest.mark.parametrize("data", [
    b"",
    b"GIF89a not a png",
    b"\xff\xd8\xff\xe0 jpeg-ish",
])
def test_non_png_is_rejected(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        embed_png_metadata(data, {"k": "v"})
    assert read_png_metadata(data) == {}
    assert request_from_png(data) is None


def test_truncated_png_is_rejected_for_embedding() -> None:
    png = make_png()
    with pytest.raises(ValueError, match=r"truncated|damaged"):
        embed_png_metadata(png[: len(png) // 2], {"k": "v"})


def test_invalid_keys_are_rejected() -> None:
    for key in ("", " lead", "x" * 80, "emoji🙂"):
        with pytest.raises(ValueError):
            embed_png_metadata(make_png(), {key: "v"})


def test_a_chunk_with_a_bad_crc_is_ignored_when_reading() -> None:
    out = bytearray(embed_png_metadata(make_png(), {"k": "value"}))
    i = out.index(b"value")
    out[i] = ord("V")  # CRC no longer matches
    assert "k" not in read_png_metadata(bytes(out))


def test_metadata_for_and_request_round_trip() -> None:
    texts = metadata_for(REQUEST, {"result_index": 1, "revised_prompt": "改写后的提示"})
    assert texts["parameters"] == REQUEST.parameters_text()
    record = json.loads(texts["qwen_studio"])
    assert record["request"] == REQUEST.to_dict()
    assert record["result_index"] == 1 and record["revised_prompt"] == "改写后的提示"
    out = embed_png_metadata(make_png(), texts)
    assert request_from_png(out) == REQUEST
    assert set(metadata_for(REQUEST)) == {"parameters", "qwen_studio"}


def test_request_from_our_parameters_text_alone() -> None:
    out = embed_png_metadata(make_png(), {"parameters": REQUEST.parameters_text()})
    got = request_from_png(out)
    assert got is not None
    assert got == REQUEST.with_changes(inputs=())


def test_request_from_a1111_parameters() -> None:
    text = (
        "a castle on a hill, golden hour\nhighly detailed\n"
        "Negative prompt: fog, people\n"
        'Steps: 30, Sampler: DPM++ 2M, CFG scale: 7, Seed: 1234567, Size: 832x1216, '
        'Model hash: abc123, Model: sdxl_base, Lora hashes: "a: 1, b: 2", Version: v1.9'
    )
    out = embed_png_metadata(make_png(), {"parameters": text})
    got = request_from_png(out)
    assert got is not None
    assert got.prompt == "a castle on a hill, golden hour\nhighly detailed"
    assert got.negative_prompt == "fog, people"
    assert got.seed == 1234567
    assert got.size_wh == (832, 1216)
    assert got.model == "sdxl_base"


def test_request_from_png_without_metadata_is_none() -> None:
    assert request_from_png(make_png()) is None
    broken = embed_png_metadata(make_png(), {"qwen_studio": "{not json"})
    assert request_from_png(broken) is None


def test_broken_json_falls_back_to_parameters() -> None:
    out = embed_png_metadata(make_png(), {"qwen_studio": "{oops",
                                          "parameters": "just a prompt"})
    got = request_from_png(out)
    assert got is not None and got.prompt == "just a prompt"


def test_palette_and_16bit_pngs_keep_identical_pixels() -> None:
    for png in (make_png("P"), make_png("I;16"), make_png("LA")):
        out = embed_png_metadata(png, {"k": "v"})
        a, b = Image.open(io.BytesIO(png)), Image.open(io.BytesIO(out))
        assert a.mode == b.mode and a.tobytes() == b.tobytes()
        assert zlib.crc32(out) != zlib.crc32(png)
