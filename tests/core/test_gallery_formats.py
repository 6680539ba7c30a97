"""Gallery export in a chosen format, the contact sheet's wording, and `export --format`."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from qwen_studio.cli.history_commands import add_export_arguments, run_export
from qwen_studio.core.gallery import ExportError, export_gallery
from qwen_studio.core.image_metadata import request_from_image
from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.request import EditRequest


def png_bytes(color: tuple[int, int, int], size: tuple[int, int] = (40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def lib():
    library = Library()
    try:
        yield library
    finally:
        library.close()


def add_edit(lib: Library, tmp_path: Path, prompt: str, n_results: int = 1, **kw) -> int:
    src = tmp_path / "input.png"
    if not src.exists():
        src.write_bytes(png_bytes((9, 99, 199)))
    sha, _ = lib.store_input(src)
    req = EditRequest(inputs=(str(src),), prompt=prompt, **kw)
    edit_id = lib.create_edit(req, input_hashes=[sha])
    lib.set_status(edit_id, EditStatus.RUNNING)
    lib.complete_edit(edit_id, [png_bytes((200, 10 * k, 0)) for k in range(n_results)])
    return edit_id


def test_gallery_in_webp_carries_profile_and_parameters(lib: Library, tmp_path: Path) -> None:
    a = add_edit(lib, tmp_path, "relight to golden hour", n_results=2, n=2, seed=5)
    out = export_gallery([lib.get(a)], tmp_path / "g", fmt="webp", quality=85)
    images = sorted((out / "images").iterdir())
    assert [p.suffix for p in images] == [".webp", ".webp"]
    manifest = json.loads((out / "gallery.json").read_text("utf-8"))
    assert manifest["items"][0]["results"] == [f"images/{p.name}" for p in images]
    for p in images:
        with Image.open(p) as im:
            assert im.format == "WEBP"
            assert im.getpixel((5, 5))[0] > 180
            desc = ImageCms.getProfileDescription(
                ImageCms.ImageCmsProfile(io.BytesIO(im.info["icc_profile"])))
            assert "sRGB" in desc
        assert request_from_image(p.read_bytes()) == lib.get(a).request


def test_contact_sheet_reads_like_prose(lib: Library, tmp_path: Path) -> None:
    a = add_edit(lib, tmp_path, "studio backdrop", seed=42, watermark=False,
                 prompt_extend=True, size="1024*768")
    out = export_gallery([lib.get(a)], tmp_path / "g")
    page = (out / "index.html").read_text("utf-8")
    assert "seed 42" in page and "1024×768" in page
    assert "watermark off" in page and "prompt extend on" in page
    assert "True" not in page and "False" not in page
    assert "edit(s)" not in page and "1 edit ·" in page
    assert "prefers-color-scheme: dark" in page and "color-scheme: light dark" in page


def test_unknown_format_is_an_export_error(lib: Library, tmp_path: Path) -> None:
    a = add_edit(lib, tmp_path, "x")
    with pytest.raises(ExportError, match="unknown image format"):
        export_gallery([lib.get(a)], tmp_path / "g", fmt="bmp")
    assert not (tmp_path / "g").exists()


def export_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_export_arguments(parser)
    return parser.parse_args(list(argv))


def test_export_command_writes_jpeg_at_the_quality_asked(lib: Library, tmp_path: Path,
                                                        capsys) -> None:
    add_edit(lib, tmp_path, "remove the background to pure white", seed=9)
    low, high = tmp_path / "low", tmp_path / "high"
    assert run_export(export_args("--out", str(low), "--format", "jpg",
                                  "--quality", "10")) == 0
    assert run_export(export_args("--out", str(high), "--format", "jpeg",
                                  "--quality", "98")) == 0
    (lo,) = (low / "images").iterdir()
    (hi,) = (high / "images").iterdir()
    assert lo.suffix == hi.suffix == ".jpg"
    with Image.open(lo) as im:
        assert im.format == "JPEG"
    assert request_from_image(hi.read_bytes()).prompt == "remove the background to pure white"
    assert capsys.readouterr().out.strip().splitlines() == [str(low), str(high)]


def test_export_command_bad_quality_is_one_line(lib: Library, tmp_path: Path, capsys) -> None:
    add_edit(lib, tmp_path, "x")
    assert run_export(export_args("--out", str(tmp_path / "o"), "--format", "webp",
                                  "--quality", "101")) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "quality must be 1–100" in err
