"""The version tree as data: read from a real library, laid out with a row per branch."""

from __future__ import annotations

import io

from history_helpers import library_fixture  # noqa: F401  (lib)
from PIL import Image

from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.versions.tree import VersionNode, layout_tree, load_version_tree


def png(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), color).save(buf, "PNG")
    return buf.getvalue()


def edit(lib: Library, prompt: str, parent: int | None, done: bool = True) -> int:
    sha, _ = lib.store_bytes(png((1, 2, 3)), "png")
    eid = lib.create_edit(EditRequest(inputs=("p.png",), prompt=prompt), input_hashes=[sha],
                          parent_id=parent)
    if done:
        lib.set_status(eid, EditStatus.RUNNING)
        lib.complete_edit(eid, [png((len(prompt) * 20 % 255, 9, 9))])
    return eid


def test_whole_tree_from_any_version_with_branches(lib: Library) -> None:
    root = edit(lib, "warm light", None)
    step = edit(lib, "sunset sky", root)
    rerun = edit(lib, "sunset sky", root)  # a re-run of the same step: a branch
    leaf = edit(lib, "watercolour", step)
    failed = edit(lib, "oil paint", step, done=False)
    nodes = load_version_tree(lib, leaf)
    assert [n.edit_id for n in nodes] == [root, step, rerun, leaf, failed]
    by_id = {n.edit_id: n for n in nodes}
    assert by_id[leaf].parent_id == step and by_id[leaf].thumbnail is not None
    assert by_id[leaf].thumbnail.is_file()
    assert by_id[failed].thumbnail is None and by_id[failed].status == "queued"
    assert load_version_tree(lib, 999) == []

    places = layout_tree(nodes)
    assert places[root] == (0, 0) and places[step] == (1, 0) and places[leaf] == (2, 0)
    assert places[failed] == (2, 1)  # an alternative of the same parent: the next row
    assert places[rerun] == (1, 2)  # the re-run branches off the root below them
    assert len(set(places.values())) == len(nodes)  # no two versions on one spot


def test_layout_of_a_chain_whose_root_is_not_loaded() -> None:
    nodes = [VersionNode(5, 4, "done", "b", None), VersionNode(6, 5, "done", "c", None)]
    assert layout_tree(nodes) == {5: (0, 0), 6: (1, 0)}
