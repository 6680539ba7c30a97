"""The history store: what a user relies on when they reopen the app, search and undo."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from history_helpers import library_fixture  # noqa: F401  (lib)
from PIL import Image

from qwen_studio.core import paths
from qwen_studio.core.atomic import TEMP_PREFIX
from qwen_studio.core.library import EditRecord, EditStatus, Library
from qwen_studio.core.request import EditRequest


def png_bytes(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (8, 6)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def request(prompt: str = "make the sky purple", **kw) -> EditRequest:
    return EditRequest(inputs=kw.pop("inputs", ("photo.png",)), prompt=prompt, **kw)


def add_done(lib: Library, prompt: str, result: bytes | None = None, **kw) -> int:
    sha, _ = lib.store_bytes(png_bytes((1, 2, 3)), "png")
    edit_id = lib.create_edit(request(prompt), input_hashes=[sha], **kw)
    lib.set_status(edit_id, EditStatus.RUNNING)
    lib.complete_edit(edit_id, [result or png_bytes((len(prompt) % 255, 9, 9))])
    return edit_id


def test_default_root_is_the_library_dir(studio_home: Path) -> None:
    with Library() as library:
        assert library.root == paths.library_dir()
        assert library.db_path == paths.library_dir() / "library.sqlite3"
        assert str(library.root).startswith(str(studio_home))
        mode = library.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert library.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_everything_persists_across_reopen(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    src = tmp_path / "in.jpg"
    src.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg but has the magic")
    result = png_bytes()
    with Library(root) as a:
        sha, stored = a.store_input(src)
        req = request("a cat", negative_prompt="blurry", seed=7, size="1024x768", n=2)
        edit_id = a.create_edit(req, input_hashes=[sha], profile_name="work", batch_id="b1")
        a.set_status(edit_id, EditStatus.RUNNING)
        a.complete_edit(edit_id, [result], revised_prompt="a fluffy cat",
                        usage={"total_tokens": 3}, timings={"generate_s": 1.5})
        a.set_favourite(edit_id, True)
    with Library(root) as b:
        rec = b.get(edit_id)
    assert rec is not None
    assert rec.request == req
    assert rec.status is EditStatus.DONE
    assert rec.revised_prompt == "a fluffy cat"
    assert rec.usage == {"total_tokens": 3} and rec.timings == {"generate_s": 1.5}
    assert rec.profile_name == "work" and rec.batch_id == "b1" and rec.favourite
    assert rec.input_hashes == (hashlib.sha256(src.read_bytes()).hexdigest(),)
    assert rec.input_files == (stored,) and stored.read_bytes() == src.read_bytes()
    assert stored == root / "files" / sha[:2] / f"{sha}.jpg"
    assert [p.read_bytes() for p in rec.result_files] == [result]
    assert rec.created_at <= rec.started_at <= rec.finished_at


def test_complete_edit_stores_the_exact_bytes(lib: Library) -> None:
    results = [png_bytes((10, 20, 30)), png_bytes((40, 50, 60)), b"RIFF\x00\x00\x00\x00WEBPVP8 x"]
    edit_id = lib.create_edit(request(), input_hashes=[])
    files = lib.complete_edit(edit_id, results)
    assert [f.read_bytes() for f in files] == results
    assert [f.suffix for f in files] == [".png", ".png", ".webp"]
    for f, data in zip(files, results, strict=True):
        assert f.stem == hashlib.sha256(data).hexdigest()
    assert lib.get(edit_id).result_files == tuple(files)


def test_same_content_is_stored_once(lib: Library, tmp_path: Path) -> None:
    data = png_bytes()
    a = tmp_path / "a.png"
    b = tmp_path / "copy of a.PNG"
    a.write_bytes(data)
    b.write_bytes(data)
    assert lib.store_input(a) == lib.store_input(b)
    assert len(list((lib.root / "files").rglob("*.png"))) == 1


def test_status_transitions(lib: Library) -> None:
    edit_id = lib.create_edit(request(), input_hashes=[])
    rec = lib.get(edit_id)
    assert rec.status is EditStatus.QUEUED and rec.started_at is None
    lib.set_status(edit_id, EditStatus.RUNNING)
    assert lib.get(edit_id).started_at is not None
    lib.set_status(edit_id, EditStatus.FAILED, error="The service had an internal error")
    rec = lib.get(edit_id)
    assert rec.status is EditStatus.FAILED and rec.error.startswith("The service")
    assert rec.finished_at is not None
    # Retry: back to the queue, error cleared.
    lib.set_status(edit_id, EditStatus.QUEUED)
    rec = lib.get(edit_id)
    assert rec.status is EditStatus.QUEUED and rec.error == "" and rec.finished_at is None
    lib.set_status(edit_id, EditStatus.CANCELLED)
    assert lib.get(edit_id).status is EditStatus.CANCELLED
    lib.complete_edit(edit_id, [png_bytes()])
    assert lib.get(edit_id).status is EditStatus.DONE
    with pytest.raises(ValueError):
        lib.set_status(edit_id, EditStatus.FAILED)  # done is final
    with pytest.raises(ValueError):
        lib.complete_edit(edit_id, [png_bytes()])
    other = lib.create_edit(request(), input_hashes=[])
    with pytest.raises(ValueError):
        lib.set_status(other, EditStatus.DONE)  # results must go through complete_edit
    with pytest.raises(KeyError):
        lib.set_status(999, EditStatus.RUNNING)
    # The one vocabulary (core/editing/status.py): "skipped" is the service's resume status.
    assert [s.value for s in EditStatus] == [
        "queued", "running", "done", "failed", "cancelled", "skipped", "interrupted"
    ]


def _force_running(root: Path, edit_id: int) -> None:
    """What the row looks like after a crash mid-edit, written behind the Library's back."""
    conn = sqlite3.connect(root / "library.sqlite3")
    conn.execute("UPDATE edits SET status = 'running', owner = NULL WHERE id = ?", (edit_id,))
    conn.commit()
    conn.close()


def test_running_edits_become_interrupted_after_a_crash(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    first = Library(root)  # never closed: as if the app died
    edit_id = first.create_edit(request(), input_hashes=[])
    _force_running(root, edit_id)
    second = Library(root)
    try:
        rec = second.get(edit_id)
        assert rec.status is EditStatus.INTERRUPTED
        assert rec.finished_at is not None and rec.error
        assert [r.id for r in second.query(failed_only=True)] == [edit_id]
    finally:
        second.close()
        first.close()


def test_a_killed_process_leaves_interrupted_edits(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    script = (
        "import os, sys\n"
        "from qwen_studio.core.library import Library, EditStatus\n"
        "from qwen_studio.core.request import EditRequest\n"
        "lib = Library(__import__('pathlib').Path(sys.argv[1]))\n"
        "i = lib.create_edit(EditRequest(inputs=('x.png',), prompt='p'), input_hashes=[])\n"
        "lib.set_status(i, EditStatus.RUNNING)\n"
        "print(i, flush=True)\n"
        "os._exit(9)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True,
                         text=True, timeout=60, check=False)
    assert out.returncode == 9, out.stderr
    edit_id = int(out.stdout.strip())
    with Library(root) as lib:
        assert lib.get(edit_id).status is EditStatus.INTERRUPTED
        assert list((root / "sessions").glob("*.lock")) == [lib._session_lock.path]


def test_edits_running_in_another_open_library_are_left_alone(tmp_path: Path) -> None:
    # The GUI is running an edit while `qwen-studio history` opens the same library.
    root = tmp_path / "lib"
    with Library(root) as gui:
        edit_id = gui.create_edit(request(), input_hashes=[], status=EditStatus.RUNNING)
        with Library(root) as cli:
            assert cli.get(edit_id).status is EditStatus.RUNNING
        gui.complete_edit(edit_id, [png_bytes()])
        assert gui.get(edit_id).status is EditStatus.DONE


def test_stale_temp_files_are_removed_on_open(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    other = Library(root)  # another process has the library open…
    shard = root / "files" / "ab"
    shard.mkdir(parents=True)
    old = shard / f"{TEMP_PREFIX}old"
    fresh = shard / f"{TEMP_PREFIX}fresh"  # …and may be writing this right now
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    long_ago = time.time() - 24 * 3600
    os.utime(old, (long_ago, long_ago))
    Library(root).close()
    other.close()
    assert not old.exists()
    assert fresh.exists()
    Library(root).close()  # nobody else has it open: every temp file is a leftover
    assert not fresh.exists()


def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    with Library(root) as a:
        edit_id = add_done(a, "first")
        version = a.conn.execute("PRAGMA user_version").fetchone()[0]
    for _ in range(2):
        with Library(root) as b:
            assert b.conn.execute("PRAGMA user_version").fetchone()[0] == version
            assert [r.id for r in b.query()] == [edit_id]
            assert b.count("first") == 1


def test_a_newer_schema_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    Library(root).close()
    conn = sqlite3.connect(root / "library.sqlite3")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(Exception, match="newer"):
        Library(root)


def test_search_prefix_cjk_and_fields(lib: Library) -> None:
    cats = add_done(lib, "two cats on a sofa")
    moon = add_done(lib, "把天空变成紫色的月亮")
    neg = lib.create_edit(request("portrait", negative_prompt="watermark, blurry"),
                          input_hashes=[])
    revised = add_done(lib, "dog")
    lib.complete_edit(lib.create_edit(request("x"), input_hashes=[]), [png_bytes((5, 5, 5))],
                      revised_prompt="a golden retriever in the snow")

    def ids(text: str) -> set[int]:
        return {r.id for r in lib.query(text)}

    assert ids("cat") == {cats}  # type-ahead prefix
    assert ids("CATS sofa") == {cats}  # every word must match, any case
    assert ids("cats dog") == set()
    assert ids("紫色") == {moon}  # two CJK characters, no word boundaries
    assert ids("月") == {moon}
    assert ids("blur") == {neg}
    assert len(ids("retriever")) == 1
    assert revised in ids("dog")
    assert lib.count("cat") == 1


@pytest.mark.parametrize(
    "text",
    ['"', '""', "AND", "OR", "NOT", "cat AND", "*", "cat*", "(", ")", "NEAR(", "a:b", "-x",
     "col:cat", "^", "'", "%", "_", "\\", '"unterminated', "cats\x00"],
)
def test_search_never_raises_on_user_syntax(lib: Library, text: str) -> None:
    add_done(lib, "cats AND dogs (friends) * 100% _under_ a:b")
    lib.query(text)
    lib.count(text)


def test_search_treats_operators_as_words(lib: Library) -> None:
    both = add_done(lib, "salt AND pepper")
    add_done(lib, "salt only")
    assert {r.id for r in lib.query("AND")} == {both}
    assert lib.count("100%") == 0  # % is a character, not a wildcard


def test_favourites_and_failed_filters(lib: Library) -> None:
    fav = add_done(lib, "favourite cat")
    plain = add_done(lib, "plain cat")
    failed = lib.create_edit(request("broken cat"), input_hashes=[])
    lib.set_status(failed, EditStatus.FAILED, error="moderation")
    cancelled = lib.create_edit(request("stopped cat"), input_hashes=[])
    lib.set_status(cancelled, EditStatus.CANCELLED)
    lib.set_favourite(fav, True)
    assert [r.id for r in lib.query(favourites_only=True)] == [fav]
    assert [r.id for r in lib.query(failed_only=True)] == [failed]
    assert lib.count("cat", favourites_only=True) == 1
    lib.set_favourite(fav, False)
    assert lib.count(favourites_only=True) == 0
    assert lib.count() == 4 and plain


def test_batch_filter(lib: Library) -> None:
    a = add_done(lib, "one", batch_id="batch-a")
    add_done(lib, "two", batch_id="batch-b")
    assert [r.id for r in lib.query(batch_id="batch-a")] == [a]
    assert lib.batch_ids() == ["batch-b", "batch-a"]


def test_paging_is_newest_first_without_gaps(lib: Library) -> None:
    ids = [lib.create_edit(request(f"edit number {i}"), input_hashes=[]) for i in range(25)]
    pages = [lib.query(offset=o, limit=10) for o in (0, 10, 20)]
    assert [len(p) for p in pages] == [10, 10, 5]
    seen = [r.id for p in pages for r in p]
    assert seen == list(reversed(ids))
    assert lib.count() == 25
    assert lib.query(offset=30) == []


def test_soft_delete_and_undo(lib: Library) -> None:
    keep = add_done(lib, "keep me")
    gone = add_done(lib, "delete me")
    lib.delete([gone])
    assert [r.id for r in lib.query()] == [keep]
    assert lib.count("delete") == 0
    assert lib.get(gone).deleted  # still there for undo
    lib.undelete([gone])
    assert [r.id for r in lib.query()] == [gone, keep]


def test_purge_removes_rows_and_unreferenced_files(lib: Library) -> None:
    keep = add_done(lib, "keep", result=png_bytes((7, 7, 7)))
    gone = add_done(lib, "gone", result=png_bytes((8, 8, 8)))
    gone_files = lib.get(gone).result_files
    input_file = lib.get(gone).input_files[0]  # the same input is used by `keep` too
    assert lib.purge_deleted() == 0
    lib.delete(gone)
    assert lib.purge_deleted(older_than_s=3600) == 0  # deleted just now: kept for undo
    assert lib.purge_deleted(older_than_s=0) == 1
    assert lib.get(gone) is None
    assert not any(p.exists() for p in gone_files)
    assert input_file.exists()
    assert all(p.exists() for p in lib.get(keep).result_files)


def test_lineage_children_and_parent_by_result(lib: Library) -> None:
    root_id = add_done(lib, "step one")
    root_result = lib.get(root_id).result_files[0]
    result_sha = root_result.stem
    assert lib.find_by_result_hash(result_sha).id == root_id
    assert lib.find_by_result_hash("0" * 64) is None
    # Editing the result again: the new edit links to its parent by content.
    sha, _ = lib.store_input(root_result)
    assert sha == result_sha
    step2 = lib.create_edit(request("step two"), input_hashes=[sha])
    assert lib.get(step2).parent_id == root_id
    lib.complete_edit(step2, [png_bytes((3, 3, 3))])
    step3 = lib.create_edit(request("step three"), input_hashes=[], parent_id=step2)
    sibling = lib.create_edit(request("other branch"), input_hashes=[], parent_id=root_id)
    assert [r.id for r in lib.lineage(step3)] == [root_id, step2, step3]
    assert [r.id for r in lib.children(root_id)] == [step2, sibling]
    assert lib.lineage(12345) == []
    # A parent that was purged meanwhile must not make recording the edit fail.
    orphan = lib.create_edit(request(), input_hashes=[], parent_id=12345)
    assert lib.get(orphan).parent_id is None


def test_schema_has_no_place_for_an_api_key(lib: Library) -> None:
    # Only the profile name is kept; the key lives in the keyring, never in history.
    edit_id = lib.create_edit(request("p"), input_hashes=[], profile_name="work")
    assert lib.get(edit_id).profile_name == "work"
    for table in ("edits", "blobs", "edit_files"):
        cols = {c[1].lower() for c in lib.conn.execute(f"PRAGMA table_info({table})")}
        assert not {c for c in cols if "key" in c or "secret" in c or "token" in c}, cols


def test_many_threads_writing_at_once(lib: Library) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                edit_id = lib.create_edit(request(f"thread {n} edit {i}"), input_hashes=[])
                lib.set_status(edit_id, EditStatus.RUNNING)
                lib.complete_edit(edit_id, [f"result {n} {i}".encode()])
                lib.query("thread", limit=5)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert lib.count() == 60
    assert all(r.status is EditStatus.DONE and len(r.result_files) == 1
               for r in lib.query(limit=100))


def test_record_is_hashable_and_frozen(lib: Library) -> None:
    rec = lib.get(add_done(lib, "p"))
    assert isinstance(rec, EditRecord)
    assert rec.model == rec.request.model
    hash(rec)
    with pytest.raises(AttributeError):
        rec.status = EditStatus.FAILED  # type: ignore[misc]


def test_closed_library_says_so(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    library.close()
    library.close()  # idempotent
    with pytest.raises(Exception, match="closed"):
        library.query()


def test_thumbnail_is_cached_under_cache_dir(lib: Library, tmp_path: Path) -> None:
    pytest.importorskip("qwen_studio.core.pipeline", reason="pipeline.py not merged yet")
    edit_id = add_done(lib, "thumb", result=png_bytes(size=(600, 300)))
    src = lib.get(edit_id).result_files[0]
    thumb = lib.thumbnail(src, max_side=64)
    assert thumb.is_relative_to(paths.cache_dir() / "thumbnails")
    with Image.open(thumb) as im:
        assert max(im.size) == 64
    mtime = thumb.stat().st_mtime_ns
    assert lib.thumbnail(src, max_side=64) == thumb
    assert thumb.stat().st_mtime_ns == mtime  # reused, not remade
    assert lib.thumbnail(src, max_side=32) != thumb


def test_update_queued_request_only_before_it_runs(tmp_path: Path) -> None:
    from qwen_studio.core.library import EditStatus, Library
    from qwen_studio.core.request import EditRequest

    lib = Library(tmp_path / "lib")
    req = EditRequest(inputs=("a.jpg",), prompt="first idea")
    edit = lib.create_edit(req, input_hashes=("h",))
    assert lib.update_queued_request(edit, req.with_changes(prompt="better idea"))
    assert lib.get(edit).request.prompt == "better idea"
    assert [r.id for r in lib.query("better")] == [edit]  # search follows the change
    assert lib.query("first") == []
    lib.set_status(edit, EditStatus.RUNNING)
    assert not lib.update_queued_request(edit, req.with_changes(prompt="too late"))
    assert lib.get(edit).request.prompt == "better idea"
    lib.close()


def test_new_rows_since_a_known_id_and_rows_by_id(lib: Library) -> None:
    old = [lib.create_edit(request(f"old cat {i}"), input_hashes=[]) for i in range(3)]
    new = [lib.create_edit(request(f"new cat {i}"), input_hashes=[]) for i in range(2)]
    lib.create_edit(request("new dog"), input_hashes=[])
    lib.delete(new[0])
    # A poll asks only for what came after the newest id it knows: newest first, filters
    # and soft deletes apply as for any query.
    assert [r.id for r in lib.query("cat", after_id=old[-1])] == [new[1]]
    assert lib.query(after_id=lib.max_id()) == []
    assert [r.id for r in lib.query(ids=[old[0], old[2], new[0]])] == [old[2], old[0]]
    assert lib.query(ids=[]) == []
    many = [*range(10_000, 10_600), old[1]]  # past one statement's variable limit
    assert [r.id for r in lib.query(ids=many)] == [old[1]]


def test_data_version_moves_only_for_other_writers(lib: Library, tmp_path: Path) -> None:
    before = lib.data_version()
    lib.create_edit(request("mine"), input_hashes=[])
    assert lib.data_version() == before  # our own write: the poll already knows it
    with Library(tmp_path / "lib") as other:  # e.g. `qwen-studio batch` in a terminal
        other.create_edit(request("theirs"), input_hashes=[])
    assert lib.data_version() != before
    assert lib.max_id() == max(r.id for r in lib.query())
