"""The version graph: thumbnails joined by lines; click shows a version, Ctrl+click two
compares them in the compare view (the dock reads the library and decodes in the pool)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from window_helpers import sandbox_endpoint, until

from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.versions.graph import VersionGraph
from qwen_studio.ui.versions.tree import VersionNode


def png(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def edit(lib: Library, prompt: str, parent: int | None, color, size=(64, 48)) -> int:
    sha, _ = lib.store_bytes(png((1, 2, 3)), "png")
    eid = lib.create_edit(EditRequest(inputs=("p.png",), prompt=prompt), input_hashes=[sha],
                          parent_id=parent)
    lib.set_status(eid, EditStatus.RUNNING)
    lib.complete_edit(eid, [png(color, size)])
    return eid


NODES = [VersionNode(1, None, "done", "warm", None), VersionNode(2, 1, "done", "sky", None),
         VersionNode(3, 1, "failed", "sky again", None), VersionNode(4, 2, "done", "paint", None)]


def click(graph: VersionGraph, qtbot, edit_id: int, ctrl: bool = False) -> None:
    centre = graph.node_rect(edit_id).center().toPoint()
    mods = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(graph, Qt.MouseButton.LeftButton, mods, QPoint(centre))


def test_click_shows_ctrl_click_two_compares(qtbot) -> None:
    graph = VersionGraph()
    qtbot.addWidget(graph)
    graph.set_nodes(NODES, current=4)
    graph.show()
    # A branch: the failed re-try of step 2 sits on its own row, below the main line.
    assert graph.node_rect(3).top() > graph.node_rect(2).top()
    assert graph.node_rect(4).left() > graph.node_rect(2).left() > graph.node_rect(1).left()
    with qtbot.waitSignal(graph.showRequested) as shown:
        click(graph, qtbot, 2)
    assert shown.args == [2] and graph.current() == 2
    with qtbot.assertNotEmitted(graph.compareRequested):
        click(graph, qtbot, 4, ctrl=True)
    with qtbot.waitSignal(graph.compareRequested) as compared:
        click(graph, qtbot, 1, ctrl=True)
    assert compared.args == [1, 4]  # older first: before → after
    assert "compar" in graph.accessibleDescription()


def test_arrow_keys_walk_the_graph(qtbot) -> None:
    graph = VersionGraph()
    qtbot.addWidget(graph)
    graph.set_nodes(NODES, current=1)
    graph.show()
    graph.setFocus()
    shown: list[int] = []
    graph.showRequested.connect(shown.append)
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left):
        qtbot.keyClick(graph, key)
    assert shown == [2, 4, 3, 1]


@pytest.fixture
def window(make_window, sandbox):
    return make_window(sandbox_endpoint(sandbox))


def test_dock_loads_the_tree_and_compares_two_versions(window, qloop, qtbot) -> None:
    lib = window.library
    root = edit(lib, "warm light", None, (200, 40, 40), (64, 48))
    step = edit(lib, "sunset", root, (40, 200, 40), (96, 64))
    leaf = edit(lib, "watercolour", step, (40, 40, 200), (128, 96))
    dock = window.versions
    dock.show()
    dock.follow(leaf)

    async def loaded():
        await until(lambda: len(dock.graph.nodes()) == 3, 10, "three versions")
        await until(lambda: len(dock.graph._thumbs) == 3, 10, "three thumbnails")

    qloop.run(loaded())
    assert dock.graph.current() == leaf
    dock.graph.toggle_mark(root)
    dock.graph.toggle_mark(leaf)

    async def compared():
        await until(lambda: window.compare_view.before_image() is not None
                    and window.compare_view.after_image() is not None, 10, "compare shown")

    qloop.run(compared())
    assert window.compare_view.before_image().width() == 64
    assert window.compare_view.after_image().width() == 128
    assert Path(window.compare_view.result_path()).is_file()


def test_clicking_a_version_shows_it_even_when_the_history_has_not_loaded_it(window, qloop):
    lib = window.library
    root = edit(lib, "warm light", None, (200, 40, 40), (64, 48))
    step = edit(lib, "sunset", root, (40, 200, 40), (96, 64))
    assert window.history_model.entry_for_edit(step) is None  # not a row of the list (yet)
    dock = window.versions
    dock.show()
    dock.follow(root)

    async def shown():
        await until(lambda: len(dock.graph.nodes()) == 2, 10, "two versions")
        dock.graph.show_version(step)
        await until(lambda: window.compare_view.after_image() is not None
                    and window.compare_view.after_image().width() == 96, 10, "step shown")

    qloop.run(shown())
    assert window.compare_view.before_image() is not None  # its stored input
    window.use_result_as_input()  # continuing from it keeps the lineage
    qloop.run(until(lambda: window.inputs and window.inputs[0].parent_edit_id == step, 10,
                    "the version as the input, linked to its edit"))
