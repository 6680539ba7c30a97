"""Where Qwen Studio keeps things. QWEN_STUDIO_HOME moves everything (tests, portable use)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from qwen_studio.core.errors import ConfigError

APP_NAME = "QwenStudio"
HOME_ENV = "QWEN_STUDIO_HOME"


def _home() -> Path | None:
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


class StorageError(ConfigError, OSError):
    """One of the app's folders cannot be created or used (a ConfigError for the CLI's
    exit 2 and the window's message; still an OSError for callers that expect one)."""


def _ensure(p: Path) -> Path:
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"Qwen Studio cannot use the folder {p} ({exc.strerror or type(exc).__name__})",
            hint=f"Check {HOME_ENV} or the folder's permissions.") from None
    return p


def config_dir() -> Path:
    home = _home()
    return _ensure(home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, False)))


def data_dir() -> Path:
    home = _home()
    return _ensure(home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, False)))


def cache_dir() -> Path:
    home = _home()
    return _ensure(home / "cache" if home else Path(platformdirs.user_cache_dir(APP_NAME, False)))


def log_dir() -> Path:
    home = _home()
    return _ensure(home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, False)))


def library_dir() -> Path:
    return _ensure(data_dir() / "library")
