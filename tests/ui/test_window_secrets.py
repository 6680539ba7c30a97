"""The API key leaks nowhere from the WINDOW: not the logs, the library, the settings ini,
the cache, an exported gallery, or the terminal.

The window is used the way a user does: the key typed into Settings (no system keyring, so
it goes to the private keys file) or given in QWEN_STUDIO_API_KEY; debug logging on (with
httpcore's own DEBUG lines); edits that succeed, heal after faults, are refused (401 with
the wrong key, moderation) or fail on a broken result; the settings dialog opened and closed
again; a gallery exported. Then every byte under QWEN_STUDIO_HOME, the export and captured
stdout/stderr is searched (the needles of test_secrets: UTF-8, UTF-16, the key's tail).
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_secrets import NEEDLES, SECRET, files_under
from window_helpers import drop_files, make_jpeg, until

from qwen_studio.core.client import ClientSettings, Endpoint
from qwen_studio.core.logs import LOG_FILE_NAME, setup_logging
from qwen_studio.sandbox import SandboxServer
from qwen_studio.ui.history.model import DONE, FAILED

FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=3, read_timeout=20)


def holders(*roots: Path) -> list[Path]:
    """Every file under `roots` that holds the key in any of its forms."""
    return [p for p in files_under(*roots) if any(n in p.read_bytes() for n in NEEDLES)]


@pytest.fixture
def debug_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What `qwen-studio -v` sets up, plus httpcore's DEBUG lines (headers go by there)."""
    setup_logging(verbose=True)
    monkeypatch.setattr(logging.getLogger("httpcore"), "setLevel", lambda level: None)
    logging.getLogger("httpcore").level = logging.DEBUG
    yield
    logging.getLogger("httpcore").level = logging.WARNING


@pytest.fixture
def window(qloop, qtbot) -> Iterator[object]:
    from qwen_studio.app import create_main_window

    w = create_main_window()
    w.set_client_settings(FAST)
    w.resize(1200, 800)
    w.show()
    yield w
    w.close()
    qloop.run(w.shutdown())
    w.deleteLater()


def finished(window) -> int:
    return sum(e.status in (DONE, FAILED) for e in window.history_model.entries())


async def edit(window, prompt: str) -> str:
    before = finished(window)
    window.prompt_panel.prompt_edit.setPlainText(prompt)
    assert window.run_edit() is not None
    await until(lambda: finished(window) > before, 30, f"the edit {prompt!r}")
    return window.history_model.entries()[0].status


async def edits_with_faults(window, sb: SandboxServer, wrong_key_url: str) -> list[str]:
    """One good edit, healed faults, failures of every kind; returns the statuses."""
    got = [await edit(window, "make it blue")]
    sb.inject("500")
    sb.inject("reset")
    got.append(await edit(window, "healed after two faults"))
    for kind in ("moderation", "expired", "empty_data"):
        sb.inject(kind)
        got.append(await edit(window, f"fails with {kind} [moderate]"
                              if kind == "moderation" else f"fails with {kind}"))
    right = window.endpoint
    window.set_endpoint(Endpoint(wrong_key_url, "bailian", SECRET, right.profile_name))
    got.append(await edit(window, "refused key"))
    assert "The API key was refused (HTTP 401)" in window.banner.message()
    window.set_endpoint(right)
    return got


def test_key_from_the_settings_dialog_is_only_in_the_private_file(
    window, qloop, tmp_path: Path, studio_home: Path, capfd: pytest.CaptureFixture[str],
    debug_logging: None,
) -> None:
    (tmp_path / "in").mkdir()
    photo = make_jpeg(tmp_path / "in" / "photo.jpg", (400, 400))
    gallery = tmp_path / "gallery"
    with SandboxServer(api_key=SECRET) as sb, SandboxServer(api_key="another-key") as other:
        async def scenario() -> list[str]:
            window.open_settings()
            dialog = window.settings_dialog
            dialog.name_edit.setText("Sandbox")
            dialog.url_edit.setText(sb.base_url)
            dialog.key_edit.setText(SECRET)
            dialog.save_button.click()
            await until(lambda: window.endpoint is not None
                        and window.endpoint.api_key == SECRET, 10, "the saved profile")
            dialog.close()
            drop_files(window.drop_zone, [photo])
            await until(lambda: window.inputs, 10, "the input")
            statuses = await edits_with_faults(window, sb, other.base_url)
            window.open_settings()  # shows the stored key's state, then closed again
            # The dialog reads the stored key's state on the window's task runner.
            await until(lambda: not window.tasks.pending(), 5, "the key state")
            window.settings_dialog.close()
            out = await window.history_panel.export_gallery("search", gallery)
            assert out is not None
            return statuses

        statuses = qloop.run(scenario(), timeout=60)
    assert statuses == [DONE, DONE, FAILED, FAILED, FAILED, FAILED]

    captured = capfd.readouterr()
    text = captured.out + captured.err
    assert "DEBUG" in text  # debug logging really ran
    log = (studio_home / "logs" / LOG_FILE_NAME).read_text("utf-8")
    assert "POST " in log
    assert SECRET not in text and "SECRET-1234567890" not in text
    keys_file = studio_home / "config" / "keys.json"
    assert holders(studio_home, gallery, tmp_path / "in") == [keys_file]
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert len(list(files_under(studio_home, gallery))) > 10  # the search covered something
    assert (gallery / "index.html").is_file()


def test_key_from_the_environment_is_nowhere(
    qloop, qtbot, tmp_path: Path, studio_home: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str], debug_logging: None,
) -> None:
    from qwen_studio.app import create_main_window

    photo = make_jpeg(tmp_path / "photo.jpg", (400, 400))
    gallery = tmp_path / "gallery.zip"
    with SandboxServer(api_key=SECRET) as sb, SandboxServer(api_key="another-key") as other:
        monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", sb.base_url)
        monkeypatch.setenv("QWEN_STUDIO_API_KEY", SECRET)
        window = create_main_window()  # resolves the environment's endpoint and key
        window.set_client_settings(FAST)
        window.show()

        async def scenario() -> list[str]:
            assert window.endpoint is not None and window.endpoint.api_key == SECRET
            drop_files(window.drop_zone, [photo])
            await until(lambda: window.inputs, 10, "the input")
            statuses = await edits_with_faults(window, sb, other.base_url)
            window.open_settings()
            # The dialog reads the stored key's state on the window's task runner.
            await until(lambda: not window.tasks.pending(), 5, "the key state")
            window.settings_dialog.close()
            await window.history_panel.export_gallery("search", gallery, as_zip=True)
            await window.shutdown()
            return statuses

        try:
            statuses = qloop.run(scenario(), timeout=60)
        finally:
            window.close()
            window.deleteLater()
    assert statuses == [DONE, DONE, FAILED, FAILED, FAILED, FAILED]
    captured = capfd.readouterr()
    text = captured.out + captured.err
    assert "DEBUG" in text
    assert SECRET not in text and "SECRET-1234567890" not in text
    assert gallery.is_file()
    assert holders(studio_home, gallery, tmp_path) == []  # not even a keys file
