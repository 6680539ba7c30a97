"""Library keyset paging and the small stored thumbnails the history list shows."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest


def png(color: tuple[int, int, int], size: tuple[int, int] = (640, 480)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def add(lib: Library, prompt: str, batch_id: str | None = None) -> int:
    return lib.create_edit(EditRequest(inputs=(), prompt=prompt), input_hashes=[],
                           batch_id=batch_id)


def test_pages_walk_every_edit_once_newest_first_even_with_equal_times(tmp_path: Path):
    with Library(tmp_path) as lib:
        ids = [add(lib, f"e{i}") for i in range(23)]
        with lib._tx() as conn:  # same created_at for a run of edits (a fast import)
            conn.execute("UPDATE edits SET created_at = 1000.0 WHERE id BETWEEN ? AND ?",
                         (ids[5], ids[15]))
        seen, cursor = [], None
        while True:
            page = lib.query_page(before=cursor, limit=4)
            seen += [r.id for r in page]
            if len(page) < 4:
                break
            cursor = (page[-1].created_at, page[-1].id)
        expected = [r.id for r in lib.query(limit=100)]
        assert seen == expected and len(set(seen)) == 23


def test_a_page_leaves_out_batches_the_caller_holds_and_filters_apply(tmp_path: Path):
    with Library(tmp_path) as lib:
        add(lib, "sky one")
        for i in range(5):
            add(lib, f"sky batch {i}", batch_id="b1")
        add(lib, "sea two")
        page = lib.query_page(limit=10, exclude_batches={"b1"})
        assert [r.request.prompt for r in page] == ["sea two", "sky one"]
        page = lib.query_page("sky", limit=10)
        assert len(page) == 6 and all("sky" in r.request.prompt for r in page)


def test_small_thumbnails_are_stored_once_by_content_and_small(tmp_path: Path):
    with Library(tmp_path / "lib") as lib:
        _sha, stored = lib.store_bytes(png((30, 140, 200)), "png")
        data = lib.small_thumbnail(stored)
        assert data is not None and len(data) < 8_000
        with Image.open(io.BytesIO(data)) as im:
            assert max(im.size) <= 128 and im.format == "WEBP"
        thumb = next((lib.root / "thumbs").rglob("*.webp"))
        assert thumb.name.startswith(stored.stem)
        mtime = thumb.stat().st_mtime_ns
        assert lib.small_thumbnail(stored) == data  # read back, not made again
        assert thumb.stat().st_mtime_ns == mtime
        outside = tmp_path / "photo.png"
        outside.write_bytes(png((1, 2, 3)))
        assert lib.small_thumbnail(outside) is None  # not the library's: not stored


def test_purging_a_file_removes_its_small_thumbnail(tmp_path: Path):
    with Library(tmp_path / "lib") as lib:
        sha, stored = lib.store_bytes(png((90, 10, 10)), "png")
        eid = lib.create_edit(EditRequest(inputs=(str(stored),), prompt="p"),
                              input_hashes=(sha,))
        assert lib.small_thumbnail(stored) is not None
        assert list((lib.root / "thumbs").rglob(f"{sha}-*.webp"))
        lib.delete(eid)
        lib.purge_deleted()
        assert not stored.exists()
        assert not list((lib.root / "thumbs").rglob(f"{sha}-*.webp"))
