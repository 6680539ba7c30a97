"""Why an input file was refused, in the window's language.

core/ stays Qt-free and English (the CLI prints its words); each reason carries a stable code
and its parameters (core.errors.Reason) and ui/error_text.py translates by code. In zh_CN a
refused file is named with a Chinese reason, in the drop zone and in the failed edit's banner.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from _window_walk import CJK
from test_hostile_inputs import text_as_png, zero_bytes
from window_helpers import make_jpeg, sandbox_endpoint, until

from qwen_studio.core import errors, pipeline
from qwen_studio.core.errors import (
    INPUT_REASONS,
    REQUEST_NOTES,
    REQUEST_PROBLEMS,
    STATUS_NOTES,
    InputImageError,
    Reason,
)
from qwen_studio.ui import reason_text
from qwen_studio.ui.error_text import (
    error_message,
    input_problem,
    input_reason,
    request_note,
    request_problem,
    request_problems,
    status_note,
)

# Sample parameters for every placeholder the reasons use.
SAMPLE = {"detail": "Errno 5", "size": "640×480", "megapixels": "180", "limit": "150",
          "format": "PSD", "ratio": "9.5", "min_side": "384", "max_side": "3072",
          "max_ratio": "8", "megabytes": "12.5", "ext": ".txt",
          # request problems
          "n": "805", "style": "'soap'", "styles": "bailian, flat, dashscope",
          "model": "qwen-image-edit", "max": "6", "seed": "-1", "sizes": "1664*928, 1328*1328",
          "width": "100", "height": "4000", "min": "512", "text": "'big'",
          # status notes
          "host": "dashscope.aliyuncs.com", "path": "/home/me/.config/keys.json",
          "cost": "$0.15", "total": "$1.05", "budget": "$1.00", "why": "HTTP 503",
          "file": "photo.jpg",
          # region edits
          "mode": "CMYK", "rect": "10,20,300,200", "region": "mask 0123456789ab",
          # size by total pixels, request notes
          "pixels": "4196352", "options": "seed, negative_prompt", "gateway": "new-api",
          "better": "bailian",
          # prompts with unsafe characters, output-folder batches
          "char": "\\x1b", "position": "7", "pid": "4242"}


def reason(code: str) -> Reason:
    names = re.findall(r"\{(\w+)\}", {**INPUT_REASONS, **REQUEST_PROBLEMS, **STATUS_NOTES,
                                          **REQUEST_NOTES}[code])
    return Reason(code, **{n: SAMPLE[n] for n in names})


def test_the_window_knows_every_reason_core_can_give():
    """error_text repeats core's texts for lupdate; the two must not drift apart."""
    assert reason_text._REASONS == INPUT_REASONS
    assert reason_text._PROBLEMS == REQUEST_PROBLEMS
    assert reason_text._NOTES == STATUS_NOTES
    assert reason_text._REQUEST_NOTES == REQUEST_NOTES
    # A code names one text.
    assert not set(INPUT_REASONS) & set(REQUEST_PROBLEMS)
    assert not (set(INPUT_REASONS) | set(REQUEST_PROBLEMS)) & set(STATUS_NOTES)
    assert not (set(INPUT_REASONS) | set(REQUEST_PROBLEMS) | set(STATUS_NOTES)) & set(
        REQUEST_NOTES)


def test_core_reasons_are_english_strings_with_a_code(tmp_path: Path):
    letter = tmp_path / "letter.jpg"
    text_as_png(letter)
    with pytest.raises(InputImageError) as info:
        pipeline.prepare_image(letter)
    exc = info.value
    assert exc.code == "text_file" and exc.reason.code == "text_file"
    assert exc.reason == "this is not an image (the file contains text)"  # the CLI's words
    assert str(exc) == f"{letter}: this is not an image (the file contains text)"

    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    bare = tmp_path / "README"
    bare.write_text("hello")
    _images, skipped = pipeline.find_images([notes, bare])
    assert [(p.name, r, r.code) for p, r in skipped] == [
        ("notes.txt", "not an image file type (.txt)", "not_image_type"),
        ("README", "not an image file type (no extension)", "no_extension")]

    # The code survives being pickled or copied (as an exception crossing processes would).
    again = pickle.loads(pickle.dumps(exc.reason))
    assert again == exc.reason and again.code == "text_file"


def test_errors_module_stays_qt_free():
    import ast
    import inspect

    for module in (errors, pipeline):
        tree = ast.parse(inspect.getsource(module))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any("PySide6" in m or "Qt" in m for m in imported), module.__name__


def test_english_reasons_are_unchanged_without_a_translation(qapp):
    for code in INPUT_REASONS:
        r = reason(code)
        assert input_reason(r) == str(r)
    assert input_reason("some other text") == "some other text"  # no code: as it is
    assert input_problem("a.png", reason("empty_file")) == "a.png: the file is empty (0 bytes)"


def test_english_request_problems_are_unchanged_without_a_translation(qapp):
    for code in REQUEST_PROBLEMS:
        r = reason(code)
        assert request_problem(r) == str(r)
    assert request_problems([reason("prompt_empty"), reason("no_input")]) == \
        "The prompt is empty; an edit needs at least one input image"


def test_request_problems_are_joined_the_chinese_way(chinese):
    text = request_problems([reason("prompt_empty"), reason("no_input")])
    assert text == "提示词为空；编辑至少需要一张输入图片"


# Every code of each of core's tables, with the error_text function that translates it.
_TRANSLATED = [(table, say, code)
               for table, say in ((INPUT_REASONS, input_reason),
                                  (REQUEST_PROBLEMS, request_problem),
                                  (STATUS_NOTES, status_note),
                                  (REQUEST_NOTES, request_note))
               for code in sorted(table)]


@pytest.mark.parametrize(("table", "say", "code"), _TRANSLATED,
                         ids=[code for _t, _s, code in _TRANSLATED])
def test_every_reason_reads_in_chinese(chinese, table: dict[str, str], say, code: str):
    r = reason(code)
    zh = say(r)
    assert CJK.search(zh), zh
    # Every parameter made it into the sentence (sizes, the file type, the OS's words).
    for value in r.params.values():
        assert value in zh, (value, zh)
    assert str(r) == table[code].format(**r.params)  # core itself stays English


def test_a_history_row_says_its_stored_reason_in_chinese(chinese, tmp_path: Path):
    """The library keeps why an edit ended as a code (reason column); the row puts it in
    the window's language, not the English text stored beside it."""
    from qwen_studio.core.editing.status import EditStatus
    from qwen_studio.core.library import Library
    from qwen_studio.core.request import EditRequest
    from qwen_studio.ui.history.entries import HistoryEntry

    note = Reason("paid_not_downloaded", why="HTTP 503")
    with Library(tmp_path / "lib") as lib:
        eid = lib.create_edit(EditRequest(inputs=(), prompt="p"), input_hashes=())
        lib.set_status(eid, EditStatus.FAILED, error=str(note), reason=note)
        rec = lib.get(eid)
    assert rec is not None
    row = HistoryEntry.from_record(rec)
    assert row.note == "已付费的结果未能下载：HTTP 503 —— 点“重试”会重新下载，不再收费"


def test_failed_edit_banner_names_the_file_in_chinese(chinese):
    exc = InputImageError("/photos/cat.png", Reason("truncated"))
    assert error_message(exc) == "/photos/cat.png：文件不完整（被截断）；可能还没有下载或复制完"
    # A reason from outside the pipeline has no code and is shown as it is.
    assert error_message(InputImageError("x.png", "cannot be read (EIO)")) == \
        "x.png：cannot be read (EIO)"


# -- the window --------------------------------------------------------------------------------

def test_refused_files_dropped_in_chinese_are_named_with_chinese_reasons(
        chinese, make_window, qloop, tmp_path: Path):
    from window_helpers import drop_files

    window = make_window()
    window.params.set_model("qwen-image-edit-plus")  # up to 3 inputs
    letter, empty, notes = tmp_path / "letter.jpg", tmp_path / "empty.png", tmp_path / "notes.txt"
    text_as_png(letter)
    zero_bytes(empty)
    notes.write_text("shopping list")
    good = make_jpeg(tmp_path / "good.jpg", (400, 400))

    async def scenario() -> None:
        drop_files(window.drop_zone, [letter, empty, notes, good])
        await until(lambda: window.drop_zone.message(), 15, "the drop's outcome")

    qloop.run(scenario())
    message = window.drop_zone.message()
    assert "letter.jpg：这不是图片（文件内容是文本）" in message, message
    assert "empty.png：文件是空的（0 字节）" in message, message
    assert "notes.txt：不是图片文件类型（.txt）" in message, message
    assert "this is not" not in message and "file type" not in message
    assert window.drop_zone.input_names() == ["good.jpg"]


def test_a_photo_that_became_unreadable_fails_with_a_chinese_reason(
        chinese, make_window, qloop, sandbox, tmp_path: Path):
    """Added while fine, overwritten with text before Run: the edit fails on the file, and
    the banner says why in Chinese, naming it."""
    window = make_window(sandbox_endpoint(sandbox))
    photo = make_jpeg(tmp_path / "holiday.jpg", (400, 400))

    async def scenario() -> None:
        window.add_inputs([photo])
        await until(lambda: window.inputs, 15, "the input")
        text_as_png(photo)
        window.prompt_panel.prompt_edit.setPlainText("add snow")
        assert window.run_edit() is not None
        await until(lambda: window.banner.isVisible() and window.banner.kind == "error", 20,
                    "the failure banner")

    qloop.run(scenario())
    message = window.banner.message()
    assert "holiday.jpg" in message and "这不是图片（文件内容是文本）" in message, message
    assert "this is not an image" not in message


# -- reasons from outside the pipeline ---------------------------------------------------------

def test_a_file_qt_cannot_decode_is_named_with_a_chinese_reason(chinese, tmp_path: Path):
    from qwen_studio.ui import image_loading

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 40)
    with pytest.raises(InputImageError) as info:
        image_loading.decode_image(broken)
    assert info.value.code == "damaged_open"
    message = error_message(info.value)
    assert message.startswith(f"{broken}：图片已损坏，无法读取（"), message
    assert "damaged" not in message

    # Qt translates its own error text in zh_CN: the kind is told by the error code.
    letter = tmp_path / "letter.png"
    letter.write_text("Dear Sir")
    with pytest.raises(InputImageError) as info:
        image_loading.decode_image(letter)
    assert info.value.code == "not_image"
    assert error_message(info.value).startswith(f"{letter}：这不是图片")

    with pytest.raises(InputImageError) as info:
        image_loading.decode_image(tmp_path / "gone.png")
    assert error_message(info.value) == f"{tmp_path / 'gone.png'}：文件不存在"


def test_an_input_that_fails_unexpectedly_has_a_coded_reason(chinese, run_async, monkeypatch):
    from qwen_studio.core.editing import runner as engine

    def broken(_src: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "prepare_image", broken)
    runner = engine.EditRunner(client=None)  # type: ignore[arg-type]
    request = engine.EditRequest(inputs=("/photos/cat.png",), prompt="x")
    with pytest.raises(InputImageError) as info:
        run_async(runner.prepare(request))
    assert info.value.code == "unreadable"
    assert info.value.reason == "the file cannot be read (RuntimeError: boom)"  # the CLI's
    assert error_message(info.value) == "/photos/cat.png：无法读取文件（RuntimeError: boom）"


def test_library_refusing_an_unreadable_input_gives_a_coded_reason(tmp_path: Path):
    from qwen_studio.core.library import Library

    with Library(tmp_path / "lib") as library, pytest.raises(InputImageError) as info:
        library.store_input(tmp_path / "gone.png")
    assert info.value.code == "unreadable"
    assert info.value.reason.startswith("the file cannot be read (")


# -- the window: "Can't run yet" ---------------------------------------------------------------

def test_cant_run_yet_is_said_in_chinese(chinese, make_window, qloop, sandbox, tmp_path: Path):
    window = make_window(sandbox_endpoint(sandbox))
    window.params.set_model("qwen-image-edit-plus")

    # Nothing yet: both reasons, in Chinese, and the hint points at the inputs.
    assert window.run_edit() is None
    message = window.banner.message()
    assert "暂时无法运行：提示词为空；编辑至少需要一张输入图片。" in message, message
    assert "prompt" not in message.lower() and "input image" not in message
    assert window.banner.hint().startswith("把照片拖到“输入”区域")  # found by code, not text

    photo = make_jpeg(tmp_path / "cat.jpg", (400, 400))

    async def add() -> None:
        window.add_inputs([photo])
        await until(lambda: window.inputs, 15, "the input")

    qloop.run(add())
    assert window.run_edit() is None
    assert "暂时无法运行：提示词为空。" in window.banner.message()
    assert window.banner.hint() == "在提示词框中描述要做的修改，然后按 Ctrl+Enter。"
    assert window.focusWidget() is window.prompt_panel.prompt_edit

    window.prompt_panel.prompt_edit.setPlainText("雪" * 805)
    assert window.run_edit() is None
    message = window.banner.message()
    assert "暂时无法运行：提示词有 805 个字符；上限为 800。" in message, message
    assert "characters" not in message
    assert window.focusWidget() is window.prompt_panel.prompt_edit

    window.prompt_panel.prompt_edit.setPlainText("add snow")
    window.prompt_panel.negative_edit.setPlainText("n" * 501)
    assert window.run_edit() is None
    assert "反向提示词有 501 个字符；上限为 500" in window.banner.message()
    assert window.focusWidget() is window.prompt_panel.negative_edit


def test_a_size_that_does_not_parse_is_said_in_chinese(chinese, make_window, sandbox):
    window = make_window(sandbox_endpoint(sandbox))
    window.params.size_combo.setEditText("big")
    window.prompt_panel.prompt_edit.setPlainText("add snow")
    assert window.run_edit() is None
    message = window.banner.message()
    assert "尺寸 'big' 格式不对" in message and "WIDTHxHEIGHT" not in message, message


def test_key_storage_note_in_the_settings_dialog_is_chinese(chinese, qapp, tmp_path: Path):
    from qwen_studio.core.config import ConfigStore
    from qwen_studio.ui.dialogs.settings_dialog import SettingsDialog

    store = ConfigStore()
    assert store.key_backend_note().code in ("keys_in_keyring", "keys_in_file")
    dialog = SettingsDialog(store, None)
    try:
        assert CJK.search(dialog.key_note.text()), dialog.key_note.text()
        assert "keyring" not in dialog.key_note.text()
    finally:
        dialog.deleteLater()


def test_a_batch_refused_for_an_empty_prompt_says_why_in_chinese(
        chinese, make_window, qloop, tmp_path: Path):
    from window_helpers import drop_files

    from qwen_studio.core.endpoint import Endpoint

    folder = tmp_path / "shots"
    folder.mkdir()
    for i in range(3):
        make_jpeg(folder / f"p{i}.jpg", (320, 240))
    # An endpoint nobody answers: the batch must stop before sending anything.
    window = make_window(Endpoint("http://127.0.0.1:9", "bailian", "k", "test"))
    model = window.batch.panel.model

    async def scenario() -> None:
        drop_files(window.drop_zone, [folder])
        await until(lambda: model.rowCount() == 3, 15, "3 queued photos")

    qloop.run(scenario())
    window.prompt_panel.prompt_edit.setPlainText("   ")
    window.run_button.click()
    text = window.banner.message()
    assert text == "<b>警告：</b>暂时无法开始批量：提示词为空。", text


def test_batch_durations_read_in_chinese(chinese):
    from qwen_studio.ui.batch.texts import _duration

    assert _duration(42) == "42 秒"
    assert _duration(600) == "10 分钟"
    assert _duration(3 * 3600 + 5 * 60) == "3 小时 05 分钟"


def test_batch_durations_in_english(qapp):
    from qwen_studio.ui.batch.texts import _duration

    assert (_duration(42), _duration(600), _duration(3 * 3600 + 5 * 60)) == \
        ("42 s", "10 min", "3 h 05 min")
