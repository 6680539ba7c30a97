"""The Run button's words are never clipped at 1400 px. A dropped folder made it "Run batch
(8)   Ctrl+↵" (200 px of text) in a 151 px button once the batch dock gave the left panel
a scroll bar: the style cut both ends ("> Run batch (8)   Ctrl"). Where the shortcut does
not fit it is left out; where it does, it is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from window_helpers import drop_files, sandbox_endpoint, until


def photos(folder: Path, count: int) -> None:
    folder.mkdir()
    for i in range(count):
        Image.new("RGB", (300, 200), (i * 20, 90, 120)).save(folder / f"p{i:03d}.jpg")


def whole(button) -> bool:
    return button.sizeHint().width() <= button.width()


@pytest.mark.parametrize("count", [8, 120])
def test_run_batch_is_whole_at_1400(make_window, sandbox, qloop, tmp_path, count) -> None:
    window = make_window(sandbox_endpoint(sandbox))
    button = window.run_button
    assert whole(button) and button.text().endswith("Ctrl+↵"), button.text()
    photos(tmp_path / "shoot", count)

    async def scenario() -> None:
        drop_files(window.drop_zone, [tmp_path / "shoot"])
        await until(lambda: f"({count})" in button.text(), 20, "the batch's Run")
        await until(lambda: whole(button), 5, f"{button.text()!r} whole")

    qloop.run(scenario())
    assert button.text().startswith(f"Run batch ({count})" if count < 100 else "Run ("), (
        button.text())
    assert f"batch of {count} photos" in button.accessibleDescription()


def test_a_narrow_button_drops_the_shortcut_then_the_long_words(qtbot) -> None:
    from qwen_studio.ui.editor.panel import RunButton

    button = RunButton("Run")
    qtbot.addWidget(button)
    button.set_words("Run batch (120)", "Run (120)")
    button.show()
    full = button.sizeHint().width()  # the whole text with its icon and padding
    widths = {}
    for width in (full, full - 1, 40):
        button.resize(width, 36)
        widths[width] = button.text()
    assert widths == {full: "Run batch (120)   Ctrl+↵", full - 1: "Run batch (120)",
                      40: "Run (120)"}
    button.resize(full + 50, 36)
    assert button.text() == "Run batch (120)   Ctrl+↵"
