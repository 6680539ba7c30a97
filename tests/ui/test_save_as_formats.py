"""Save As (Ctrl+S) offers PNG, JPEG, WebP (and AVIF where Pillow writes it), the edit's
parameters as sent embedded, the file written in the pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QFileDialog
from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.core import export_formats
from qwen_studio.core.image_metadata import request_from_image


def _run_one_edit(window, photo: Path):
    async def scenario() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, what="input")
        window.prompt_panel.prompt_edit.setPlainText("make it night")
        window.run_edit()
        await until(lambda: [e.status for e in window.history_model.entries()] == ["done"],
                    30, "the edit done")
        await until(lambda: window.results.current_result() is not None, 15, "result shown")
    return scenario


@pytest.mark.parametrize("fmt", ["webp", "jpeg", pytest.param("avif", marks=pytest.mark.skipif(
    "avif" not in export_formats.available_formats(), reason="Pillow without libavif"))])
def test_save_as_writes_the_chosen_format_with_parameters(
        make_window, sandbox, qloop, tmp_path: Path, monkeypatch, fmt: str):
    window = make_window(sandbox_endpoint(sandbox))
    offered: list[str] = []

    def fake_dialog(_parent, _title, _suggestion, filters, _selected=""):
        offered.extend(filters.split(";;"))
        chosen = next(f for f in offered if f.lower().startswith(fmt))
        return str(tmp_path / "look"), chosen  # no suffix typed: the filter's is added

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    qloop.run(_run_one_edit(window, make_jpeg(tmp_path / "street.jpg"))())
    target = tmp_path / f"look{export_formats.SUFFIXES[fmt]}"

    async def save() -> None:
        window.compare_view.save_action.trigger()
        await until(target.exists, 15, "the saved file")

    qloop.run(save())
    labels = [f.split(" (")[0] for f in offered]
    assert labels[:1] == ["PNG image"] and {"JPEG image", "WebP image"} <= set(labels)
    assert ("AVIF image" in labels) == ("avif" in export_formats.available_formats())
    with Image.open(target) as im:
        assert im.format == {"webp": "WEBP", "jpeg": "JPEG", "avif": "AVIF"}[fmt]
    recalled = request_from_image(target.read_bytes())
    assert recalled is not None and recalled.prompt == "make it night"
    assert recalled.seed is not None  # the seed actually sent, not "random"


def test_save_as_png_keeps_the_received_pixels(make_window, sandbox, qloop, tmp_path: Path,
                                               monkeypatch):
    window = make_window(sandbox_endpoint(sandbox))
    target = tmp_path / "look.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "PNG image (*.png)"))
    qloop.run(_run_one_edit(window, make_jpeg(tmp_path / "street.jpg"))())
    src, _ = window.results.current_result()

    async def save() -> None:
        window.compare_view.save_action.trigger()
        await until(target.exists, 15, "the saved file")

    qloop.run(save())
    with Image.open(src) as a, Image.open(target) as b:
        assert a.tobytes() == b.tobytes()
    recalled = request_from_image(target.read_bytes())
    assert recalled is not None and recalled.seed is not None
