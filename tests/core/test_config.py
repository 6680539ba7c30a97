"""Profiles, keys and environment overrides."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from qwen_studio.core.config import ConfigStore, Profile
from qwen_studio.core.errors import ConfigError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def files_contain(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_key_goes_to_keyring_not_to_disk(studio_home: Path, memory_keyring: MemoryKeyring) -> None:
    store = ConfigStore()
    store.save_profile(Profile("work", "https://gw.example/v1", "flat"), api_key="sk-SECRET-1")
    assert "system keyring" in store.key_backend_note()
    assert ConfigStore().get_key("work") == "sk-SECRET-1"
    assert files_contain(studio_home, "sk-SECRET-1") == []


def test_without_keyring_key_goes_to_private_file(studio_home: Path) -> None:
    store = ConfigStore()  # tests run with the null keyring backend
    store.save_profile(Profile("work", "https://gw.example"), api_key="sk-SECRET-2")
    assert "readable only by you" in store.key_backend_note()
    holders = files_contain(studio_home, "sk-SECRET-2")
    assert [p.name for p in holders] == ["keys.json"]
    assert stat.S_IMODE(holders[0].stat().st_mode) == 0o600
    assert ConfigStore().get_key("work") == "sk-SECRET-2"
    # profiles.json never holds a key
    assert "sk-SECRET" not in (store.directory / "profiles.json").read_text()


def test_resolve_uses_active_profile_and_its_key() -> None:
    store = ConfigStore()
    store.save_profile(Profile("a", "https://a.example", "flat", "qwen-image-edit"), api_key="ka")
    store.save_profile(Profile("b", "https://b.example", "dashscope"), api_key="kb")
    store.set_active("b")
    resolved = store.resolve()
    assert resolved.endpoint.base_url == "https://b.example"
    assert resolved.endpoint.style == "dashscope"
    assert resolved.endpoint.api_key == "kb"
    assert resolved.model == "qwen-image-edit-plus"
    assert "kb" not in repr(resolved)


def test_environment_overrides_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    store = ConfigStore()
    store.save_profile(Profile("a", "https://a.example", "bailian"), api_key="ka")
    monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", "https://env.example")
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", "kenv")
    monkeypatch.setenv("QWEN_STUDIO_STYLE", "flat")
    resolved = store.resolve()
    assert resolved.endpoint.base_url == "https://env.example"
    assert resolved.endpoint.api_key == "kenv"
    assert resolved.endpoint.style == "flat"
    assert resolved.model == "qwen-image-edit-2509"
    monkeypatch.setenv("QWEN_STUDIO_MODEL", "qwen-image-edit-plus")
    assert store.resolve().model == "qwen-image-edit-plus"


def test_missing_endpoint_or_key_says_how_to_fix() -> None:
    with pytest.raises(ConfigError) as no_endpoint:
        ConfigStore().resolve()
    assert "--demo" in no_endpoint.value.hint
    with pytest.raises(ConfigError) as no_key:
        ConfigStore().resolve(endpoint="https://x.example")
    assert "QWEN_STUDIO_API_KEY" in no_key.value.hint


def test_bad_style_is_refused() -> None:
    with pytest.raises(ConfigError, match="soap"):
        ConfigStore().resolve(endpoint="https://x.example", style="soap", api_key="k")


def test_delete_profile_forgets_key(memory_keyring: MemoryKeyring) -> None:
    store = ConfigStore()
    store.save_profile(Profile("a", "https://a.example"), api_key="ka")
    store.delete_profile("a")
    assert store.get_key("a") is None
    assert store.profiles() == []
