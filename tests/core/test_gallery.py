"""Gallery export and the history/export terminal commands."""

from __future__ import annotations

import argparse
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image

from qwen_studio.cli.history_commands import (
    add_export_arguments,
    add_history_arguments,
    run_export,
    run_history,
)
from qwen_studio.core.gallery import ExportError, export_gallery
from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.png_metadata import request_from_png
from qwen_studio.core.request import EditRequest

HOSTILE = "<script>alert(1)</script> & ../../etc/passwd"


def png_bytes(color: tuple[int, int, int], size: tuple[int, int] = (12, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (12, 8), color).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def lib():
    library = Library()  # default root inside this test's QWEN_STUDIO_HOME
    try:
        yield library
    finally:
        library.close()


def add_edit(lib: Library, tmp_path: Path, prompt: str, results: list[bytes],
             input_name: str = "holiday photo.png", **req_kw) -> int:
    src = tmp_path / input_name
    if not src.exists():
        src.write_bytes(png_bytes((9, 99, 199)))
    sha, _ = lib.store_input(src)
    req = EditRequest(inputs=(str(src),), prompt=prompt, seed=42, **req_kw)
    edit_id = lib.create_edit(req, input_hashes=[sha], profile_name="work")
    lib.set_status(edit_id, EditStatus.RUNNING)
    lib.complete_edit(edit_id, results, revised_prompt=f"revised: {prompt}",
                      usage={"total_tokens": 7}, timings={"total_s": 2.5})
    return edit_id


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.links.append(value)


def check_index(root: Path, html_text: str) -> list[str]:
    parser = _Links()
    parser.feed(html_text)
    assert parser.scripts == 0
    assert parser.links
    for link in parser.links:
        assert "://" not in link and not link.startswith(("/", "\\", "//")), link
        target = (root / unquote(link)).resolve()
        assert target.is_relative_to(root.resolve()), link
        assert target.is_file(), link
    assert not re.search(r"https?://|@import|url\(", html_text)
    return parser.links


def test_folder_export_has_images_with_metadata_inputs_manifest_and_index(
    lib: Library, tmp_path: Path
) -> None:
    a = add_edit(lib, tmp_path, "a red barn", [png_bytes((200, 0, 0)), png_bytes((0, 200, 0))],
                 negative_prompt="fog")
    b = add_edit(lib, tmp_path, "a blue barn", [jpeg_bytes((0, 0, 200))])
    failed = lib.create_edit(EditRequest(inputs=("x.png",), prompt="broken"), input_hashes=[])
    lib.set_status(failed, EditStatus.FAILED, error="moderation")
    records = [lib.get(a), lib.get(b), lib.get(failed)]
    out = tmp_path / "gallery"

    assert export_gallery(records, out, title="Barns & <co>") == out

    manifest = json.loads((out / "gallery.json").read_text("utf-8"))
    assert manifest["title"] == "Barns & <co>"
    assert manifest["app_version"]
    items = manifest["items"]
    assert [it["id"] for it in items] == [a, b]  # the failed edit has nothing to show
    assert items[0]["request"] == lib.get(a).request.to_dict()
    assert items[0]["revised_prompt"] == "revised: a red barn"
    assert items[0]["usage"] == {"total_tokens": 7}
    assert items[0]["timings"] == {"total_s": 2.5}
    assert len(items[0]["results"]) == 2
    # The same input is exported once and shared.
    assert items[0]["inputs"] == items[1]["inputs"] == ["inputs/holiday photo.png"]
    assert sorted(p.name for p in (out / "inputs").iterdir()) == ["holiday photo.png"]

    for name in items[0]["results"]:
        with Image.open(out / name) as im:
            assert "a red barn" in im.text["parameters"]
            assert "Negative prompt: fog" in im.text["parameters"]
            embedded = json.loads(im.text["qwen_studio"])
        assert embedded["request"] == lib.get(a).request.to_dict()
        assert embedded["edit_id"] == a
        assert embedded["revised_prompt"] == "revised: a red barn"
        assert request_from_png((out / name).read_bytes()) == lib.get(a).request
    # Pixels are untouched by embedding metadata.
    with Image.open(out / items[0]["results"][0]) as im:
        assert im.convert("RGB").getpixel((0, 0)) == (200, 0, 0)
    # Non-PNG results are copied byte for byte.
    jpg = out / items[1]["results"][0]
    assert jpg.suffix == ".jpg"
    assert jpg.read_bytes() == jpeg_bytes((0, 0, 200))

    html_text = (out / "index.html").read_text("utf-8")
    check_index(out, html_text)
    assert "Barns &amp; &lt;co&gt;" in html_text
    assert "revised: a red barn" in html_text
    assert "sk-" not in html_text and "api_key" not in json.dumps(manifest)


def test_names_follow_the_pattern_and_stay_unique(lib: Library, tmp_path: Path) -> None:
    ids = [add_edit(lib, tmp_path, "same prompt", [png_bytes((i, 0, 0))]) for i in range(3)]
    out = export_gallery([lib.get(i) for i in ids], tmp_path / "g", pattern="{prompt-slug}")
    names = sorted(p.name for p in (out / "images").iterdir())
    assert names == ["same-prompt.png", "same-prompt_2.png", "same-prompt_3.png"]
    out2 = export_gallery([lib.get(ids[0])], tmp_path / "g2", pattern="{id}-{k}_{model}")
    assert [p.name for p in (out2 / "images").iterdir()] == [
        f"{ids[0]}-1_qwen-image-edit-plus.png"
    ]


def test_hostile_prompt_is_escaped_and_cannot_escape_the_folder(
    lib: Library, tmp_path: Path
) -> None:
    edit_id = add_edit(lib, tmp_path, HOSTILE, [png_bytes((1, 2, 3))],
                       input_name="..evil<>name.png")
    target = tmp_path / "nest" / "out"
    target.parent.mkdir()
    export_gallery([lib.get(edit_id)], target, pattern="{stem}/../{prompt-slug}/{date}")
    everything = [p for p in tmp_path.rglob("*") if p.is_file()]
    outside = [p for p in everything
               if not p.is_relative_to(target) and not p.is_relative_to(tmp_path / "studio-home")
               and p.parent != tmp_path]
    assert outside == []
    assert not (tmp_path / "etc").exists()
    html_text = (target / "index.html").read_text("utf-8")
    assert "<script>" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    check_index(target, html_text)
    manifest = json.loads((target / "gallery.json").read_text("utf-8"))
    assert manifest["items"][0]["request"]["prompt"] == HOSTILE


def test_zip_export(lib: Library, tmp_path: Path) -> None:
    edit_id = add_edit(lib, tmp_path, "zip me", [png_bytes((5, 6, 7))])
    out = tmp_path / "gallery.zip"
    assert export_gallery([lib.get(edit_id)], out, as_zip=True) == out
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
        assert {"index.html", "gallery.json"} <= set(names)
        assert all(not n.startswith(("/", "..")) and ".." not in n.split("/") for n in names)
        image = next(n for n in names if n.startswith("images/"))
        with Image.open(io.BytesIO(zf.read(image))) as im:
            assert "zip me" in im.text["parameters"]
        manifest = json.loads(zf.read("gallery.json"))
        assert manifest["items"][0]["results"] == [image]
        extracted = tmp_path / "unzipped"
        zf.extractall(extracted)
    check_index(extracted, (extracted / "index.html").read_text("utf-8"))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".qwen-tmp")] == []


def test_existing_targets_are_never_replaced(lib: Library, tmp_path: Path) -> None:
    rec = lib.get(add_edit(lib, tmp_path, "p", [png_bytes((1, 1, 1))]))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep")
    with pytest.raises(ExportError, match="already exists"):
        export_gallery([rec], busy)
    assert [p.name for p in busy.iterdir()] == ["mine.txt"]
    archive = tmp_path / "old.zip"
    archive.write_bytes(b"precious")
    with pytest.raises(ExportError, match="already exists"):
        export_gallery([rec], archive, as_zip=True)
    assert archive.read_bytes() == b"precious"
    empty = tmp_path / "empty"
    empty.mkdir()
    export_gallery([rec], empty)  # an empty folder the user just made is fine
    assert (empty / "index.html").is_file()


def test_nothing_to_export_is_an_error(lib: Library, tmp_path: Path) -> None:
    queued = lib.create_edit(EditRequest(inputs=("x.png",), prompt="p"), input_hashes=[])
    with pytest.raises(ExportError, match="no"):
        export_gallery([lib.get(queued)], tmp_path / "g")
    assert not (tmp_path / "g").exists()


# -- CLI ------------------------------------------------------------------------------------


def parse(add, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add(parser)
    return parser.parse_args(argv)


def test_history_lists_newest_first(lib: Library, tmp_path: Path, capsys) -> None:
    first = add_edit(lib, tmp_path, "first edit with a long prompt " * 5, [png_bytes((1, 0, 0))])
    second = add_edit(lib, tmp_path, "second 猫", [png_bytes((2, 0, 0))])
    assert run_history(parse(add_history_arguments, [])) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["ID", "DATE", "STATUS", "MODEL"]
    assert lines[1].startswith(str(second)) and "second 猫" in lines[1] and "done" in lines[1]
    assert lines[2].startswith(str(first)) and lines[2].endswith("…")
    assert run_history(parse(add_history_arguments, ["--search", "猫", "--limit", "5"])) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "second" in lines[1]


def test_history_json(lib: Library, tmp_path: Path, capsys) -> None:
    edit_id = add_edit(lib, tmp_path, "json please", [png_bytes((3, 0, 0))])
    assert run_history(parse(add_history_arguments, ["--json", "--search", "json"])) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == [edit_id]
    assert data[0]["request"]["prompt"] == "json please"
    assert data[0]["status"] == "done"
    assert Path(data[0]["result_files"][0]).is_file()
    assert run_history(parse(add_history_arguments, ["--json", "--search", "nothing"])) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_export_command(lib: Library, tmp_path: Path, capsys) -> None:
    a = add_edit(lib, tmp_path, "export alpha", [png_bytes((4, 0, 0))])
    add_edit(lib, tmp_path, "export beta", [png_bytes((5, 0, 0))])
    out = tmp_path / "by-search"
    assert run_export(parse(add_export_arguments, ["--out", str(out), "--search", "alpha"])) == 0
    assert capsys.readouterr().out.strip() == str(out)
    manifest = json.loads((out / "gallery.json").read_text("utf-8"))
    assert [it["id"] for it in manifest["items"]] == [a]

    zout = tmp_path / "ids.zip"
    assert run_export(parse(add_export_arguments, ["--out", str(zout), "--ids", str(a),
                                                   "--zip"])) == 0
    with zipfile.ZipFile(zout) as zf:
        assert len([n for n in zf.namelist() if n.startswith("images/")]) == 1


def test_export_command_errors_are_one_line(lib: Library, tmp_path: Path, capsys) -> None:
    add_edit(lib, tmp_path, "exists", [png_bytes((6, 0, 0))])
    out = tmp_path / "taken"
    out.mkdir()
    (out / "x").write_text("x")
    cases = [
        ["--out", str(out)],
        ["--out", str(tmp_path / "new"), "--search", "no such thing"],
        ["--out", str(tmp_path / "new"), "--ids", "999"],
    ]
    for argv in cases:
        assert run_export(parse(add_export_arguments, argv)) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        err = captured.err.strip()
        assert err and "\n" not in err and "Traceback" not in err
    assert not (tmp_path / "new").exists()
