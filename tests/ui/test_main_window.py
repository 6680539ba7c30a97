"""The real window against a real SandboxServer: drop, type, run, see the result."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMenu, QPushButton
from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.ui.history.model import CANCELLED, DONE, FAILED


def history_statuses(window) -> list[str]:
    return [e.status for e in window.history_model.entries()]


async def add_input(window, path: Path) -> None:
    drop_files(window.drop_zone, [path])
    await until(lambda: window.inputs, what="the input to appear")


def test_drop_type_run_shows_result_saved_in_library(make_window, sandbox, qloop, tmp_path,
                                                     studio_home):
    window = make_window(sandbox_endpoint(sandbox))
    photo = make_jpeg(tmp_path / "portrait.jpg")

    async def scenario():
        await add_input(window, photo)
        assert window.drop_zone.input_names() == ["portrait.jpg"]
        window.prompt_panel.prompt_edit.setPlainText("make the sky pink")
        window.run_button.click()
        await until(lambda: DONE in history_statuses(window), 30, "a done history row")
        await until(lambda: window.after_image() is not None, 10, "the after image")

    qloop.run(scenario())
    entry = window.history_model.entries()[0]
    assert entry.status == DONE and entry.request.prompt == "make the sky pink"
    assert entry.edit_id is not None
    path = entry.result_paths[0]
    assert path.is_file() and Path(studio_home) in path.parents
    assert not window.after_image().isNull()
    assert "done" in window.history_model.data(window.history_model.index(0),
                                               Qt.ItemDataRole.AccessibleTextRole)
    # The library knows the edit as done, with the same file.
    record = window.library.get(entry.edit_id)
    assert str(record.status) == "done"


def test_paste_bitmap_from_clipboard_becomes_input(make_window, sandbox, qloop, studio_home):
    window = make_window(sandbox_endpoint(sandbox))
    img = QImage(300, 200, QImage.Format.Format_RGB32)
    img.fill(Qt.GlobalColor.darkCyan)
    QApplication.clipboard().setImage(img)

    async def scenario():
        window.paste_action.trigger()
        await until(lambda: window.inputs, what="the pasted input")

    qloop.run(scenario())
    pasted = window.inputs[0].path
    assert pasted.suffix == ".png" and pasted.is_file()
    assert Path(studio_home) in pasted.parents
    assert Image.open(pasted).size == (300, 200)


def test_cancel_in_flight_edit(make_window, qloop, tmp_path):
    from qwen_studio.sandbox import SandboxServer

    slow = SandboxServer(latency=5.0, api_key="test-key").start()
    try:
        window = make_window(sandbox_endpoint(slow))
        photo = make_jpeg(tmp_path / "a.jpg")

        async def scenario():
            await add_input(window, photo)
            window.prompt_panel.prompt_edit.setPlainText("add a hat")
            window.run_button.click()
            await until(lambda: window.cancel_button.isEnabled(), what="cancel enabled")
            await until(lambda: slow.request_count >= 1, 5, "the request at the server")
            window.cancel_button.click()
            await until(lambda: CANCELLED in history_statuses(window), 2.5, "cancelled row")

        qloop.run(scenario())
        assert not window.cancel_button.isEnabled()
        assert window.after_image() is None
    finally:
        slow.stop()


def test_bad_key_shows_banner_with_open_settings(make_window, sandbox, qloop, tmp_path):
    window = make_window(sandbox_endpoint(sandbox, key="wrong-key"))
    photo = make_jpeg(tmp_path / "a.jpg")

    async def scenario():
        await add_input(window, photo)
        window.prompt_panel.prompt_edit.setPlainText("add a hat")
        window.run_edit()
        await until(lambda: FAILED in history_statuses(window), 15, "failed row")

    qloop.run(scenario())
    banner = window.banner
    assert banner.isVisible() and banner.objectName() == "errorBanner"
    assert "key" in banner.message().lower()
    assert banner.action_text() == "Open settings"
    assert "wrong-key" not in banner.message() + banner.hint()
    banner.action_button.click()
    assert window.settings_dialog is not None and window.settings_dialog.isVisible()
    assert window.settings_dialog.objectName() == "settingsDialog"


def test_moderation_error_offers_rephrase(make_window, sandbox, qloop, tmp_path):
    window = make_window(sandbox_endpoint(sandbox))
    photo = make_jpeg(tmp_path / "a.jpg")

    async def scenario():
        await add_input(window, photo)
        window.prompt_panel.prompt_edit.setPlainText("something [moderate] please")
        window.run_edit()
        await until(lambda: FAILED in history_statuses(window), 15, "failed row")

    qloop.run(scenario())
    assert "moderation" in window.banner.message().lower()
    assert window.banner.action_text() == "Rephrase"
    window.banner.action_button.click()
    assert QApplication.focusWidget() is window.prompt_panel.prompt_edit or (
        window.prompt_panel.prompt_edit.textCursor().hasSelection())
    window.banner.dismiss()
    assert not window.banner.isVisible()


def test_dropping_four_files_keeps_three_and_says_so(make_window, sandbox, qloop, tmp_path):
    window = make_window(sandbox_endpoint(sandbox))
    window.params.set_model("qwen-image-edit-plus")
    photos = [make_jpeg(tmp_path / f"p{i}.jpg", color=(i * 50, 80, 80)) for i in range(4)]

    async def scenario():
        drop_files(window.drop_zone, photos)
        await until(lambda: window.inputs, what="inputs")

    qloop.run(scenario())
    assert [i.path.name for i in window.inputs] == ["p0.jpg", "p1.jpg", "p2.jpg"]
    msg = window.drop_zone.message()
    assert "qwen-image-edit-plus takes at most 3 images; kept the first 3" in msg


def test_wrong_file_is_named_inline(make_window, sandbox, qloop, tmp_path):
    window = make_window(sandbox_endpoint(sandbox))
    bad = tmp_path / "notes.png"
    bad.write_text("this is not a picture")

    async def scenario():
        drop_files(window.drop_zone, [bad])
        await until(lambda: window.drop_zone.message(), what="an inline message")

    qloop.run(scenario())
    assert "notes.png" in window.drop_zone.message()
    assert window.inputs == []


def test_run_with_empty_prompt_explains_and_sends_nothing(make_window, sandbox, qloop, tmp_path):
    window = make_window(sandbox_endpoint(sandbox))
    qloop.run(add_input(window, make_jpeg(tmp_path / "a.jpg")))
    before = len(sandbox.received)
    assert window.run_edit() is None
    assert window.banner.isVisible() and "prompt is empty" in window.banner.message()
    assert window.history_model.rowCount() == 0
    assert len(sandbox.received) == before


def test_first_run_offers_setup_or_demo(make_window, qloop):
    window = make_window()  # nothing configured in this QWEN_STUDIO_HOME
    assert window.canvas_stack.currentWidget() is window.welcome
    labels = {b.text() for b in window.welcome.findChildren(QPushButton)}
    assert {"Set up your API", "Try the demo"} <= labels

    async def scenario():
        window.welcome.demo_button.click()
        await until(lambda: window.endpoint is not None, 10, "the demo endpoint")

    qloop.run(scenario())
    assert window.canvas_stack.currentWidget() is window.compare_view
    assert "Demo sandbox" in window.profile_label.text()


def _listening(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("delay", [0, 0.005])
def test_closing_while_the_demo_starts_stops_its_sandbox(make_window, qloop, monkeypatch,
                                                         delay):
    import qwen_studio.sandbox.server as server_mod

    started: list = []
    start = server_mod.SandboxServer.start
    monkeypatch.setattr(server_mod.SandboxServer, "start",
                        lambda self: (started.append(self), start(self))[1])
    window = make_window()
    window.welcome.demo_button.click()  # the sandbox starts in the pool

    async def close_soon():
        await asyncio.sleep(delay)
        await window.shutdown()  # what closing the window ends with (app.main)

    qloop.run(close_soon())
    assert started, "the demo sandbox never started"
    port = started[0].port
    try:
        assert not _listening(port), "the demo sandbox outlived the window"
    finally:
        started[0].stop()


def test_trying_the_demo_again_uses_the_sandbox_key_not_the_profile_key(make_window, qloop):
    from qwen_studio.core.endpoint import Endpoint

    window = make_window()

    async def scenario():
        window.start_demo()
        await until(lambda: window.endpoint is not None, 20, "the demo endpoint")
        demo_key = window.endpoint.api_key
        window.set_endpoint(Endpoint("https://example.invalid", "bailian", "sk-real", "Mine"))
        window.start_demo()  # File ▸ Try the demo sandbox, once more
        return demo_key

    demo_key = qloop.run(scenario())
    assert window.endpoint.api_key == demo_key != "sk-real"
    assert window.endpoint.base_url.startswith("http://127.0.0.1")


def test_parameters_and_splitter_restored_on_next_start(make_window, sandbox, qloop):
    w1 = make_window(sandbox_endpoint(sandbox))
    w1.params.set_model("qwen-image-edit-plus")
    w1.params.count_spin.setValue(3)
    w1.params.seed_spin.setValue(42)
    w1.params.set_size("1328*1328")
    w1.params.watermark_check.setChecked(True)
    w1.splitter.setSizes([300, 900, 200])
    sizes = w1.splitter.sizes()
    w1.save_settings()
    w2 = make_window(sandbox_endpoint(sandbox))
    assert w2.params.count_spin.value() == 3
    assert w2.params.seed() == 42
    assert w2.params.size() == "1328*1328"
    assert w2.params.watermark_check.isChecked()
    assert w2.splitter.sizes() == sizes


def test_demo_edit_screenshot(make_window, qloop, tmp_path):
    window = make_window(demo=True, sandbox_latency=0.05)
    photo = make_jpeg(tmp_path / "street.jpg", (900, 600), (70, 110, 160))

    async def scenario():
        await add_input(window, photo)
        window.prompt_panel.prompt_edit.setPlainText("turn it into a watercolour painting")
        window.run_edit()
        await until(lambda: window.after_image() is not None and not window.tasks.pending(),
                    30, "the after image")

    qloop.run(scenario())
    shot = tmp_path / "screenshot.png"
    assert window.grab().save(str(shot))
    assert Image.open(shot).size[0] >= 1400


def test_controls_have_names_and_descriptions(make_window, sandbox):
    window = make_window(sandbox_endpoint(sandbox))
    _ = window.banner  # built with the first notice, or when asked for
    _ = window.prompt_panel.negative_edit  # built when first opened or given text
    _ = window.history_list  # built with the first rows, after the first frame, or when used
    for name in ("dropZone", "promptEdit", "negativePromptEdit", "sizeCombo", "countSpin",
                 "seedSpin", "watermarkCheck", "promptExtendCheck", "modelCombo", "runButton",
                 "cancelButton", "compareView", "errorBanner", "historyList"):
        w = window.findChild(object, name)
        assert w is not None, name
        assert w.accessibleName(), name
        assert w.accessibleDescription(), name


def test_png_is_jpeg_bytes_guard():
    # make_jpeg really makes JPEGs (the drop tests depend on it)
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "JPEG")
    assert buf.getvalue()[:2] == b"\xff\xd8"
    assert os.environ.get("QT_QPA_PLATFORM") == "offscreen"


def test_help_opens_the_log_folder(make_window, monkeypatch) -> None:
    from PySide6.QtGui import QDesktopServices

    from qwen_studio.core.logs import log_file

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    window = make_window()
    help_menu = next(m for m in window.menuBar().findChildren(QMenu) if "Help" in m.title())
    assert window.log_folder_action in help_menu.actions()
    window.log_folder_action.trigger()
    assert [u.toLocalFile() for u in opened] == [str(log_file().parent)]
