"""Settings: profiles round-trip, keys stay out of files, Test connection talks to a server."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import null
from window_helpers import icon_ink, until

from qwen_studio.core.client import ImageClient, make_http_client
from qwen_studio.core.config import ConfigStore
from qwen_studio.ui.dialogs.settings_dialog import SettingsDialog

SECRET = "sk-very-secret-0123456789"


def outcome(dialog: SettingsDialog, label: str = "test_result") -> str:
    """The meaning of the icon beside a note ("done", "failed", …); "" without one."""
    icon = getattr(dialog, label).note_icon()
    return icon.name() if icon is not None else ""


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def use_keyring() -> Iterator[Callable[[KeyringBackend], KeyringBackend]]:
    previous = keyring.get_keyring()

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


def files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def fill_and_save(dialog: SettingsDialog, qloop, name: str, key: str) -> None:
    dialog.beijing_button.click()
    dialog.name_edit.setText(name)
    dialog.key_edit.setText(key)

    async def go():
        dialog.save_button.click()
        await until(lambda: "Saved" in dialog.status_label.text()
                    or "Not saved" in dialog.status_label.text())

    qloop.run(go())


def test_profile_round_trip_key_only_in_keyring(qloop, qtbot, use_keyring, studio_home):
    mem = use_keyring(MemoryKeyring())
    store = ConfigStore()
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    assert "system keyring" in dialog.key_note.text()
    fill_and_save(dialog, qloop, "Work (Beijing)", SECRET)
    assert dialog.status_label.text().startswith("Saved")
    assert outcome(dialog, "status_label") == "done"

    again = SettingsDialog(ConfigStore())
    qtbot.addWidget(again)
    assert again.profile_combo.currentText() == "Work (Beijing)"
    assert again.name_edit.text() == "Work (Beijing)"
    assert again.url_edit.text() == "https://dashscope.aliyuncs.com"
    assert again.style_combo.currentData() == "dashscope"
    assert again.key_edit.text() == ""  # never shown back
    qloop.run(until(lambda: "A key is saved" in again.key_edit.placeholderText()))

    assert mem.items[("qwen-studio", "Work (Beijing)")] == SECRET
    assert files_containing(Path(studio_home), SECRET.encode()) == []
    assert store.resolve().endpoint.api_key == SECRET


def test_without_keyring_the_key_file_is_private(qloop, qtbot, use_keyring, studio_home):
    use_keyring(null.Keyring())
    dialog = SettingsDialog(ConfigStore())
    qtbot.addWidget(dialog)
    assert "No system keyring" in dialog.key_note.text()
    fill_and_save(dialog, qloop, "Home", SECRET)
    holders = files_containing(Path(studio_home), SECRET.encode())
    assert len(holders) == 1 and holders[0].name == "keys.json"
    assert stat.S_IMODE(holders[0].stat().st_mode) == 0o600


def test_incomplete_profile_is_not_saved(qloop, qtbot, use_keyring):
    use_keyring(MemoryKeyring())
    dialog = SettingsDialog(ConfigStore())
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Broken")
    dialog.url_edit.setText("dashscope.aliyuncs.com")
    dialog.save_button.click()
    assert dialog.status_label.text().startswith("Not saved") \
        and "http" in dialog.status_label.text()
    assert outcome(dialog, "status_label") == "warning"
    assert ConfigStore().profiles() == []


def test_test_connection_reports_inline(qloop, qtbot, sandbox, use_keyring):
    use_keyring(MemoryKeyring())
    http = make_http_client()

    async def tester(endpoint):
        return await ImageClient(http, endpoint).check_connection()

    dialog = SettingsDialog(ConfigStore(), tester)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Sandbox")
    dialog.url_edit.setText(sandbox.base_url)
    dialog.style_combo.setCurrentIndex(dialog.style_combo.findData("bailian"))

    async def go(key: str) -> str:
        dialog.key_edit.setText(key)
        dialog.test_button.click()
        await until(lambda: outcome(dialog) in ("done", "failed"), 15)
        return dialog.test_result.text()

    try:
        good = qloop.run(go("test-key"))
        good_icon = outcome(dialog)
        bad = qloop.run(go("wrong"))
        bad_icon = outcome(dialog)
    finally:
        qloop.run(http.aclose())
    # The words say it (no glyph in them); the icon beside them shows it too.
    assert good.startswith("Connected") and good_icon == "done"
    assert bad.startswith("Failed") and "key" in bad.lower() and bad_icon == "failed"
    assert "wrong" not in bad


def test_env_override_is_noted(qtbot, monkeypatch, use_keyring):
    use_keyring(MemoryKeyring())
    monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", "https://example.invalid")
    dialog = SettingsDialog(ConfigStore())
    qtbot.addWidget(dialog)
    assert not dialog.env_note.isHidden()
    assert "QWEN_STUDIO_ENDPOINT" in dialog.env_note.text()
    assert dialog.env_note.text().startswith("Environment overrides")  # no "ℹ" glyph
    note_icon = dialog.env_note.note_icon()
    assert note_icon is not None and note_icon.name() == "info" and icon_ink(note_icon)


def test_saving_in_window_connects_and_keeps_key_out_of_qsettings(
        qloop, use_keyring, sandbox, studio_home):
    from qwen_studio.app import create_main_window

    use_keyring(MemoryKeyring())
    window = create_main_window()
    try:
        assert window.endpoint is None
        window.open_settings()
        dialog = window.settings_dialog
        dialog.name_edit.setText("Local")
        dialog.url_edit.setText(sandbox.base_url)
        dialog.style_combo.setCurrentIndex(dialog.style_combo.findData("bailian"))
        dialog.key_edit.setText("test-key")

        async def go():
            dialog.save_button.click()
            await until(lambda: window.endpoint is not None)

        qloop.run(go())
        assert window.endpoint.profile_name == "Local"
        assert "Local" in window.profile_label.text()
        window.save_settings()
        assert files_containing(Path(studio_home), b"test-key") == []
    finally:
        window.close()
        qloop.run(window.shutdown())
