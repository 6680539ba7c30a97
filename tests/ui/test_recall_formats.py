"""Dropping an exported JPEG/WebP on the window offers to recall its parameters, as a PNG
always did."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from window_helpers import drop_files, until

from qwen_studio.core.export_formats import export_result
from qwen_studio.core.request import EditRequest


@pytest.mark.parametrize("fmt,suffix", [("jpeg", ".jpg"), ("webp", ".webp")])
def test_dropping_an_exported_file_recalls_its_parameters(make_window, qloop, tmp_path,
                                                          fmt, suffix):
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 90, 160)).save(buf, "PNG")
    request = EditRequest(inputs=("a.png",), prompt="studio backdrop, soft light", seed=77,
                          size="1024*1024")
    path = tmp_path / f"result{suffix}"
    path.write_bytes(export_result(buf.getvalue(), request, fmt))
    window = make_window()

    async def scenario():
        window.prompt_panel.prompt_edit.setPlainText("something else")
        drop_files(window.drop_zone, [path])
        await until(lambda: window.banner.action_text() == "Recall parameters", 10,
                    "the recall offer")
        window.banner.action_button.click()

    qloop.run(scenario())
    assert window.prompt_panel.prompt() == "studio backdrop, soft light"
    assert window.params.seed() == 77 and window.params.size() == "1024*1024"
