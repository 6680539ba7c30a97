"""Hostile and odd files dropped on the WINDOW's drop zone.

The refused rows of test_hostile_inputs.INPUTS (zero bytes, text named .png, a truncated
JPEG, decompression bombs) are dropped together with a good photo: the drop zone names the
bad file with the same reason the CLI gives, the good photo becomes the input, and nothing
prints a traceback. A folder of mixed files becomes a batch where each fake fails by name
and the photos are edited. docs/reliability.md lists these under "The window".
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from test_hostile_inputs import INPUTS, text_as_png, truncated_jpeg, zero_bytes
from window_helpers import drop_files, make_jpeg, until

from qwen_studio.core.client import ClientSettings, Endpoint
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui.history.model import DONE, FAILED

REFUSED = [(name, make, reason) for name, make, reason, _mime in INPUTS if reason is not None]
FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, read_timeout=20)


@pytest.fixture
def window(qloop, qtbot, sandbox) -> Iterator[object]:
    from qwen_studio.app import create_main_window

    w = create_main_window()
    w.set_endpoint(Endpoint(sandbox.base_url, "bailian", "test-key", "Test sandbox"))
    w.set_client_settings(FAST)
    w.params.set_model("qwen-image-edit-plus")  # up to 3 inputs: a bad file and a good one
    w.resize(1200, 800)
    w.show()
    yield w
    w.close()
    qloop.run(w.shutdown())
    w.deleteLater()


def assert_no_crash(window, capfd: pytest.CaptureFixture[str]) -> None:
    err = capfd.readouterr().err
    assert "Traceback" not in err, err[-3000:]
    assert "Something went wrong" not in window.banner.message()


async def drop_and_wait(window, paths: list[Path]) -> None:
    drop_files(window.drop_zone, paths)
    await until(lambda: window.drop_zone.message() or window.inputs, 15, "the drop's outcome")


@pytest.mark.parametrize(("name", "make", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_file_is_named_and_the_good_one_kept(
    name: str, make: Callable[[Path], None], reason: str, window, qloop, tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / name
    make(bad)
    good = make_jpeg(tmp_path / "good.jpg", (400, 400))
    qloop.run(drop_and_wait(window, [bad, good]))
    message = window.drop_zone.message()
    assert f"{name}: {reason}" in message  # the same words as `batch` uses
    assert window.drop_zone.input_names() == ["good.jpg"]
    assert [i.path for i in window.inputs] == [good]
    assert_no_crash(window, capfd)


def test_dropped_files_are_used_after_a_refusal(window, qloop, sandbox, tmp_path: Path,
                                                capfd: pytest.CaptureFixture[str]) -> None:
    """All the bad kinds at once plus two photos: the edit runs on exactly the two photos."""
    bad = []
    for n, make in (("zero.png", zero_bytes), ("letter.png", text_as_png),
                    ("cut.jpg", truncated_jpeg)):
        bad.append(tmp_path / n)
        make(bad[-1])
    good = [make_jpeg(tmp_path / f"g{i}.jpg", (400, 400), (i * 90, 60, 60)) for i in range(2)]

    async def scenario() -> None:
        await drop_and_wait(window, [bad[0], good[0], bad[1], good[1], bad[2]])
        window.prompt_panel.prompt_edit.setPlainText("add snow")
        assert window.run_edit() is not None
        await until(lambda: window.history_model.entries()
                    and window.history_model.entries()[0].status in (DONE, FAILED), 20, "edit")

    qloop.run(scenario())
    message = window.drop_zone.message()
    assert all(p.name in message for p in bad), message
    # One refused file a bulleted line, each naming its file (not one run-on sentence).
    lines = [line for line in message.splitlines() if line.startswith("• ")]
    assert len(lines) == len(bad), message
    assert all(p.name in line for p, line in zip(bad, lines, strict=True)), message
    assert window.history_model.entries()[0].status == DONE
    assert sandbox.request_count == 1
    content = sandbox.received[-1]["input"]["messages"][0]["content"]
    assert len([c for c in content if "image" in c]) == 2
    assert_no_crash(window, capfd)


def test_folder_of_mixed_files_becomes_a_batch_where_fakes_fail_by_name(
    window, qloop, sandbox, tmp_path: Path, capfd: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "dump"
    (folder / "sub").mkdir(parents=True)
    photos = [make_jpeg(folder / f"p{i}.jpg", (384, 384), (i * 70, 100, 30)) for i in range(2)]
    photos.append(make_jpeg(folder / "sub" / "p2.jpg", (384, 384), (10, 200, 30)))
    text_as_png(folder / "fake.png")
    zero_bytes(folder / "sub" / "empty.jpg")
    truncated_jpeg(folder / "cut.jpg")
    for junk in ("notes.txt", "clip.mov", "README"):
        (folder / junk).write_bytes(b"junk")
    make_jpeg(folder / ".hidden.jpg")
    controller, model = window.batch.controller, window.batch.panel.model

    async def scenario() -> None:
        window.prompt_panel.prompt_edit.setPlainText("warmer light")
        drop_files(window.drop_zone, [folder])
        await until(lambda: model.rowCount() == 6, 15, "6 queued rows")
        window.run_button.click()
        await until(lambda: not controller.active and controller.jobs(), 30, "the batch")

    qloop.run(scenario())
    message = window.drop_zone.message()
    assert "Skipped 3" in message and "not an image file type" in message
    assert ".hidden" not in message
    states = Counter(j.status for j in controller.jobs())
    assert states == Counter({EditStatus.DONE: 3, EditStatus.FAILED: 3}), states
    failed = {j.label: str(j.error) for j in controller.jobs() if j.status is EditStatus.FAILED}
    reasons = " | ".join(failed.values())
    assert "this is not an image (the file contains text)" in reasons
    assert "the file is empty (0 bytes)" in reasons
    assert "the file is incomplete (truncated)" in reasons
    assert sandbox.request_count == 3  # nothing was sent for the refused files
    assert_no_crash(window, capfd)


def test_unreadable_file(window, qloop, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    locked = make_jpeg(tmp_path / "locked.jpg", (400, 400))
    good = make_jpeg(tmp_path / "good.jpg", (400, 400), (9, 9, 9))
    locked.chmod(0)
    try:
        readable = os.access(locked, os.R_OK)  # True as root: chmod 000 does not stop root
        qloop.run(drop_and_wait(window, [locked, good]))
    finally:
        locked.chmod(0o600)
    names = window.drop_zone.input_names()
    if readable:
        assert names == ["locked.jpg", "good.jpg"]  # what the OS allows, we do
    else:
        assert names == ["good.jpg"]
        assert "locked.jpg: the file cannot be read (permission denied)" in (
            window.drop_zone.message())
    assert_no_crash(window, capfd)


def test_non_ascii_and_very_long_paths(window, qloop, sandbox, tmp_path: Path,
                                       studio_home: Path,
                                       capfd: pytest.CaptureFixture[str]) -> None:
    unicode_src = tmp_path / "фото 照片" / "été 🌅 café.jpg"
    deep = tmp_path.joinpath(*(f"level-{i:02d}-{'x' * 40}" for i in range(20)))
    long_src = deep / ("n" * 200 + ".jpg")  # a 204-byte name, a path over 1000 characters
    for p in (unicode_src, long_src):
        p.parent.mkdir(parents=True)
        Image.new("RGB", (500, 400), (5, 5, 5 + len(p.name))).save(p)

    async def scenario() -> None:
        await drop_and_wait(window, [unicode_src, long_src])
        window.prompt_panel.prompt_edit.setPlainText("золотой час 🌅")
        assert window.run_edit() is not None
        # The row appears once the edit is recorded (its id exists), then finishes.
        await until(lambda: window.history_model.entries()
                    and window.history_model.entries()[0].status in (DONE, FAILED), 20,
                    "the edit")

    qloop.run(scenario())
    assert window.drop_zone.input_names() == [unicode_src.name, long_src.name]
    assert not window.drop_zone.message()
    entry = window.history_model.entries()[0]
    assert entry.status == DONE, entry.note
    record = window.library.get(entry.edit_id)
    assert record.request.prompt == "золотой час 🌅"
    assert len(record.input_files) == 2 and all(p.is_file() for p in record.input_files)
    assert Path(studio_home) in record.result_files[0].parents
    assert_no_crash(window, capfd)
