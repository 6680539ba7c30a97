"""Hostile and odd inputs through `qwen-studio batch`: each is edited, or refused by name.

Every file is generated here. The table INPUTS lists what a user may throw at the batch and
what they must read; docs/reliability.md repeats it.
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_helpers import sandbox_in_env
from PIL import Image, ImageChops, ImageOps

from qwen_studio.__main__ import main
from qwen_studio.core.atomic import TEMP_PREFIX
from qwen_studio.core.png_metadata import read_png_metadata
from qwen_studio.sandbox import SandboxServer

KEY = "test-key"


@pytest.fixture
def sb(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    with sandbox_in_env(monkeypatch, KEY) as server:
        yield server


def batch(*args: str) -> int:
    return main(["batch", *args])


def sent_image(body: dict) -> Image.Image:
    """The first input image of a bailian request body, decoded."""
    uri = body["input"]["messages"][0]["content"][0]["image"]
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


def sent_mime(body: dict) -> str:
    return body["input"]["messages"][0]["content"][0]["image"].split(";", 1)[0][5:]


# -- generators ------------------------------------------------------------------------------

def png_with_header(path: Path, width: int, height: int) -> None:
    """A tiny PNG whose IHDR claims width×height: a decompression bomb's calling card."""
    buf = io.BytesIO()
    Image.new("1", (8, 8)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    path.write_bytes(bytes(data))


def zero_bytes(p: Path) -> None:
    p.write_bytes(b"")


def text_as_png(p: Path) -> None:
    p.write_text("Dear diary, this is not a picture.\n")


def truncated_jpeg(p: Path) -> None:
    buf = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(buf, "JPEG", quality=90)
    p.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 3])


def jpeg_stub(p: Path) -> None:
    p.write_bytes(b"\xff\xd8\xff")  # a JPEG's first three bytes: it was called "text"


def png_signature_only(p: Path) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 90)).save(buf, "PNG")
    p.write_bytes(buf.getvalue()[:8])


def bomb(p: Path) -> None:
    png_with_header(p, 20000, 20000)  # 400 MP: Pillow itself calls this a bomb


def just_over_limit(p: Path) -> None:
    png_with_header(p, 13000, 12000)  # 156 MP: ours to refuse (limit 150 MP)


def hundred_megapixels(p: Path) -> None:
    Image.new("RGB", (12000, 8400), (90, 140, 200)).save(p, quality=80)


def cmyk(p: Path) -> None:
    Image.new("CMYK", (500, 400), (0, 128, 255, 0)).save(p, quality=90)


def sixteen_bit(p: Path) -> None:
    Image.new("I;16", (500, 400), 40000).save(p)


def animated_gif(p: Path) -> None:
    frames = [Image.new("RGB", (500, 400), (i * 100, 50, 50)) for i in range(3)]
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=100, loop=0)


def multipage_tiff(p: Path) -> None:
    pages = [Image.new("RGB", (500, 400), (i * 80, 0, 0)) for i in range(3)]
    pages[0].save(p, save_all=True, append_images=pages[1:])


def alpha_png(p: Path) -> None:
    Image.new("RGBA", (500, 400), (255, 0, 0, 100)).save(p)


# name, generator, expected: None = edited, else part of the reason shown with the file name,
# and (for edited files) the mime type sent and part of a note the pipeline recorded.
INPUTS: list[tuple[str, Callable[[Path], None], str | None, str]] = [
    ("zero.png", zero_bytes, "the file is empty (0 bytes)", ""),
    ("letter.png", text_as_png, "this is not an image (the file contains text)", ""),
    ("cut.jpg", truncated_jpeg, "the file is incomplete (truncated)", ""),
    ("stub.jpg", jpeg_stub, "the file is incomplete (truncated)", ""),
    ("cut.png", png_signature_only, "the file is incomplete (truncated)", ""),
    ("bomb.png", bomb, "the image is too large (400 megapixels); the limit is 150", ""),
    ("big.png", just_over_limit,
     "the image is too large: 13000×12000 pixels (156 megapixels); the limit is 150", ""),
    ("huge.jpg", hundred_megapixels, None, "image/jpeg"),
    ("cmyk.jpg", cmyk, None, "image/jpeg"),
    ("deep.png", sixteen_bit, None, "image/jpeg"),
    ("anim.gif", animated_gif, None, "image/jpeg"),
    ("pages.tiff", multipage_tiff, None, "image/jpeg"),
    ("alpha.png", alpha_png, None, "image/png"),
]


@pytest.mark.parametrize(("name", "make", "reason", "mime"), INPUTS,
                         ids=[row[0] for row in INPUTS])
def test_odd_file(name: str, make: Callable[[Path], None], reason: str | None, mime: str,
                  sb: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in" / name
    src.parent.mkdir()
    make(src)
    out = tmp_path / "out"
    code = batch(str(src), "--prompt", "p", "--out", str(out))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if reason is not None:
        assert code == 1, err
        assert f"  {src}: {reason}" in err.split("Failures:")[1]
        assert f"{src}: {src}" not in err  # the file is named once per line
        assert sb.request_count == 0  # refused before anything is sent
        assert list(out.iterdir()) == []
        return
    assert code == 0, err
    assert sb.request_count == 1
    assert sent_mime(sb.received[-1]) == mime
    with sent_image(sb.received[-1]) as im:
        assert max(im.size) <= 3072 and min(im.size) >= 384  # within the service's limits
        if name == "huge.jpg":
            assert im.size == (3072, 2150)  # decoded at reduced scale, not refused
        if name == "alpha.png":
            assert im.mode == "RGBA" and im.getchannel("A").getextrema()[0] < 255
    assert [p.suffix for p in sorted(out.iterdir())] == [".json", ".png"]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation: int, sb: SandboxServer, tmp_path: Path) -> None:
    # A 600×400 picture whose top-left quarter is red: where it ends up shows the rotation.
    im = Image.new("RGB", (600, 400), (20, 40, 220))
    im.paste((230, 20, 20), (0, 0, 300, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    src = tmp_path / f"o{orientation}.jpg"
    im.save(src, quality=95, exif=exif)
    assert batch(str(src), "--prompt", "p", "--out", str(tmp_path / "out")) == 0
    with Image.open(src) as original:
        expected = ImageOps.exif_transpose(original).convert("RGB")
    with sent_image(sb.received[-1]) as got:
        got = got.convert("RGB").resize(expected.size)
    assert expected.size == ((400, 600) if orientation >= 5 else (600, 400))
    diff = ImageChops.difference(got, expected).convert("L")
    mean = sum(i * n for i, n in enumerate(diff.histogram())) / (diff.width * diff.height)
    assert mean < 8  # the same picture, the same way up


def test_unreadable_file(sb: SandboxServer, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "secret.jpg"
    Image.new("RGB", (500, 400), (1, 2, 3)).save(src)
    src.chmod(0)
    try:
        readable = os.access(src, os.R_OK)  # True as root: chmod 000 does not stop root
        code = batch(str(src), "--prompt", "p", "--out", str(tmp_path / "out"))
    finally:
        src.chmod(0o600)
    err = capsys.readouterr().err
    if readable:
        assert code == 0, err  # what the OS allows, we do
    else:
        assert code == 1
        assert f"{src}: the file cannot be read (permission denied)" in err


def test_thousand_mixed_files(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    server = SandboxServer(api_key=KEY, latency=0).start()
    monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", server.base_url)
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", KEY)
    folder = tmp_path / "dump"
    tiny = io.BytesIO()
    Image.new("RGB", (384, 384), (10, 120, 60)).save(tiny, "JPEG", quality=50)
    images = fakes = junk = hidden = 0
    for i in range(1000):
        sub = folder / f"d{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 25 == 0:
            # A distinct pixel per image: identical inputs would be edited once.
            Image.new("RGB", (384, 384), (i % 256, i // 256, 60)).save(sub / f"img{i}.jpg",
                                                                      quality=50)
            images += 1
        elif i % 25 == 1:
            (sub / f"fake{i}.png").write_text("not really")
            fakes += 1
        elif i % 25 == 2:
            (sub / f".hidden{i}.jpg").write_bytes(tiny.getvalue())  # skipped silently
            hidden += 1
        else:
            ext = ("txt", "pdf", "json", "", "mov", "xmp")[i % 6]
            (sub / (f"junk{i}.{ext}" if ext else f"junk{i}")).write_bytes(b"x" * (i % 50))
            junk += 1
    out = tmp_path / "out"
    try:
        code = batch(str(folder), "--prompt", "p", "--out", str(out), "--concurrency", "16")
    finally:
        server.stop()
    err = capsys.readouterr().err
    assert code == 1  # the fake .png files fail, by name
    assert f"{images} done, 0 already done, {fakes} failed of {images + fakes}" in err
    assert err.count("note: skipped ") == junk
    assert err.count("this is not an image (the file contains text)") == 2 * fakes  # + summary
    assert len(list(out.glob("*.png"))) == images
    assert server.request_count == images
    assert hidden and not list(out.glob(".hidden*"))


def test_non_ascii_and_very_long_paths(sb: SandboxServer, tmp_path: Path) -> None:
    unicode_src = tmp_path / "фото 照片" / "été 🌅 café.jpg"
    deep = tmp_path.joinpath(*(f"level-{i:02d}-{'x' * 40}" for i in range(20)))
    long_src = deep / ("n" * 200 + ".jpg")  # a 204-byte name, a path over 1000 characters
    for p in (unicode_src, long_src):
        p.parent.mkdir(parents=True)
        Image.new("RGB", (500, 400), (5, 5, 5 + len(p.name))).save(p)
    out = tmp_path / "out ünï"
    assert batch(str(unicode_src), str(long_src), "--prompt", "p", "--out", str(out)) == 0
    names = sorted(p.name for p in out.glob("*.png"))
    assert "été 🌅 café-1.png" in names
    long_name = next(n for n in names if n.startswith("nnn"))
    assert len(long_name.encode()) <= 120  # shortened, still a valid name
    sidecars = [json.loads(p.read_text("utf-8")) for p in out.glob("*.json")]
    assert {Path(s["inputs"][0]["path"]).name for s in sidecars} == {unicode_src.name,
                                                                    long_src.name}


def test_prompt_over_the_limit_is_refused_up_front(sb: SandboxServer, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.jpg"
    Image.new("RGB", (500, 400)).save(src)
    out = tmp_path / "out"
    code = batch(str(src), "--prompt", "x" * 801, "--out", str(out))
    err = capsys.readouterr().err
    assert code == 2
    assert "the prompt has 801 characters; the limit is 800" in err
    assert sb.request_count == 0
    assert not out.exists() or not list(out.iterdir())


def test_emoji_and_cjk_prompt_survive_into_metadata_and_sidecar(sb: SandboxServer,
                                                                tmp_path: Path) -> None:
    prompt = "把天空变成🌅日落色，保持人物不变 ✨🐱👩‍👩‍👧 — café «ok» 한국어 ①"
    src = tmp_path / "a.jpg"
    Image.new("RGB", (500, 400), (40, 40, 40)).save(src)
    out = tmp_path / "out"
    assert batch(str(src), "--prompt", prompt, "--out", str(out)) == 0
    assert sb.received[-1]["input"]["messages"][0]["content"][-1]["text"] == prompt
    meta = read_png_metadata((out / "a-1.png").read_bytes())
    assert meta["parameters"].startswith(prompt)
    assert json.loads(meta["qwen_studio"])["request"]["prompt"] == prompt
    assert json.loads((out / "a-1.json").read_text("utf-8"))["request"]["prompt"] == prompt


# -- output names ------------------------------------------------------------------------------

def tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_hostile_input_names_stay_inside_the_output_folder(sb: SandboxServer,
                                                           tmp_path: Path) -> None:
    src_dir = tmp_path / "in"
    src_dir.mkdir()
    names = ["CON.jpg", "nul.png", "a\\..\\..\\b.jpg", "..jpg", "...jpg", " lpt1 .jpg",
             "x:y*z?.jpg", "tab\there.jpg", "z" * 240 + ".jpg"]
    for i, n in enumerate(names):
        Image.new("RGB", (400, 400), (i * 20, 0, 0)).save(src_dir / n,
                                                          "PNG" if n.endswith("png") else "JPEG")
    out = tmp_path / "out"
    before = tree(tmp_path)
    assert batch(*(str(src_dir / n) for n in names), "--prompt", "p", "--out", str(out)) == 0
    created = tree(tmp_path) - before
    home = tmp_path / "studio-home"
    stray = [p for p in created if not (p.parent == out or p in (out, home) or home in p.parents)]
    assert not stray, stray
    results = sorted(p.name for p in out.glob("*.png"))
    assert len(results) == len(names)
    for r in results:
        stem = r.split(".", 1)[0].rstrip(" ")
        assert stem.upper().split("-")[0] not in ("CON", "NUL", "LPT1")
        assert not r.startswith((".", " ")) and "\\" not in r and ":" not in r
        assert len(r.encode()) <= 120


def test_user_files_with_the_same_names_are_never_overwritten(sb: SandboxServer,
                                                              tmp_path: Path) -> None:
    src = tmp_path / "in" / "a.jpg"
    src.parent.mkdir()
    Image.new("RGB", (500, 400), (9, 9, 9)).save(src)
    out = tmp_path / "out"
    out.mkdir()
    user = {"a-1.png": b"my own picture", "a-1.json": b'{"mine": true}',
            "a_2-1.png": b"another one", "a-1 (2).png": b"and another"}
    for n, data in user.items():
        (out / n).write_bytes(data)
    for prompt in ("p1", "p1", "p2"):  # the second run resumes, the third is new work
        assert batch(str(src), "--prompt", prompt, "--out", str(out)) == 0
    for n, data in user.items():
        assert (out / n).read_bytes() == data
    ours = [p for p in out.glob("*.json") if p.name not in user]
    assert sorted(json.loads(p.read_text())["request"]["prompt"] for p in ours) == ["p1", "p2"]
    assert sb.request_count == 2
    assert not list(out.glob(TEMP_PREFIX + "*"))


# -- the output folder itself --------------------------------------------------------------

def test_out_that_is_a_file_is_a_usage_error(sb: SandboxServer, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.jpg"
    Image.new("RGB", (500, 400)).save(src)
    blocker = tmp_path / "results"
    blocker.write_text("a file where the folder should go")
    for out in (blocker, blocker / "sub"):
        assert batch(str(src), "--prompt", "p", "--out", str(out)) == 2
        err = capsys.readouterr().err
        assert str(blocker) in err and "Traceback" not in err
    assert sb.request_count == 0


def test_disk_full_while_saving_keeps_the_result_and_stops_sending(
        sb: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """ENOSPC simulated by patching the output folder's write_new (narrow, no real disk)."""
    from qwen_studio.core import output_folder

    real = output_folder.write_new
    calls = []

    def flaky_write_new(path: Path, data: bytes, *, sync: bool = True,
                        written: Callable[[], None] | None = None) -> Path:
        calls.append(path.name)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real(path, data, sync=sync, written=written)

    monkeypatch.setattr(output_folder, "write_new", flaky_write_new)
    srcs = []
    for n, c in (("a", 10), ("b", 200)):
        srcs.append(tmp_path / f"{n}.jpg")
        Image.new("RGB", (500, 400), (c, c, c)).save(srcs[-1])
    out = tmp_path / "out"
    code = batch(*map(str, srcs), "--prompt", "p", "--out", str(out), "--concurrency", "1")
    err = capsys.readouterr().err
    assert code == 1
    assert f"a.jpg: the result could not be saved in {out} (the disk is full)" in err
    # The paid-for result is kept (in the library) and the message says where.
    kept = Path(err.split("kept in ", 1)[1].split()[0].rstrip(","))
    assert kept.is_file() and kept.stat().st_size > 0
    # Nothing more is sent into a full disk; b waits for the resume.
    assert sb.request_count == 1
    assert "b.jpg: not sent" in err
    assert sorted(p.name for p in out.iterdir()) == []


def test_reliability_doc_lists_every_input() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text("utf-8")
    for name, _make, reason, _mime in INPUTS:
        assert reason is None or reason in doc, name
