"""Connection profiles and API keys.

A profile is an endpoint + style + default model; its key lives in the OS keyring, or, where
no keyring backend exists (headless Linux), in a file only the user can read. Environment
variables override the active profile, so scripts and CI need no saved state.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from qwen_studio.core import paths
from qwen_studio.core.atomic import write_atomic
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.core.errors import ConfigError, Reason
from qwen_studio.core.logs import register_secret
from qwen_studio.core.request import DEFAULT_MODELS, DEFAULT_STYLE, STYLES
from qwen_studio.core.text_safety import key_problem

log = logging.getLogger(__name__)

KEYRING_SERVICE = "qwen-studio"
ENV_ENDPOINT = "QWEN_STUDIO_ENDPOINT"
ENV_KEY = "QWEN_STUDIO_API_KEY"
ENV_STYLE = "QWEN_STUDIO_STYLE"
ENV_MODEL = "QWEN_STUDIO_MODEL"


@dataclass(frozen=True)
class Profile:
    """A saved connection (its key is in the key store, not here)."""

    name: str
    base_url: str
    style: str = DEFAULT_STYLE
    model: str = ""  # "" means the style's default model

    @property
    def effective_model(self) -> str:
        return self.model or DEFAULT_MODELS.get(self.style, DEFAULT_MODELS[DEFAULT_STYLE])


PRESET_PROFILES: tuple[Profile, ...] = (
    Profile("DashScope Beijing", "https://dashscope.aliyuncs.com", "dashscope"),
    Profile("DashScope Singapore", "https://dashscope-intl.aliyuncs.com", "dashscope"),
)


@dataclass(frozen=True)
class ResolvedConfig:
    """The endpoint and model an edit will use, with the key filled in."""

    endpoint: Endpoint
    model: str


class KeyStore:
    """API keys by profile name: keyring first, a private file when no keyring works."""

    def __init__(self, directory: Path) -> None:
        self._file = directory / "keys.json"

    def _keyring_usable(self) -> bool:
        try:
            import keyring
            from keyring.backends import fail, null

            backend = keyring.get_keyring()
            return not isinstance(backend, fail.Keyring | null.Keyring)
        except Exception:  # a broken keyring install must not stop the app
            return False

    def backend_note(self) -> str:
        if self._keyring_usable():
            return Reason("keys_in_keyring")
        return Reason("keys_in_file", path=self._file)

    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self._file.read_text(encoding="utf-8"))
            return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _write_file(self, keys: dict[str, str]) -> None:
        write_atomic(self._file, json.dumps(keys).encode())
        with contextlib.suppress(OSError):
            os.chmod(self._file, 0o600)

    def get(self, profile: str) -> str | None:
        value = self._get(profile)
        register_secret(value)  # from now on no log record can carry it
        return value

    def _get(self, profile: str) -> str | None:
        if self._keyring_usable():
            try:
                import keyring

                value = keyring.get_password(KEYRING_SERVICE, profile)
                if value:
                    return value
            except Exception as exc:  # keyring errors are environment problems, not fatal
                log.warning("keyring lookup failed: %s", type(exc).__name__)
        return self._read_file().get(profile) or None

    def set(self, profile: str, key: str) -> str:
        """Store the key; returns 'keyring' or 'file' so the UI can say where it went."""
        register_secret(key)
        if self._keyring_usable():
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, profile, key)
                self._forget_in_file(profile)
                return "keyring"
            except Exception as exc:
                log.warning("keyring store failed (%s); using the private file", type(exc).__name__)
        keys = self._read_file()
        keys[profile] = key
        self._write_file(keys)
        return "file"

    def delete(self, profile: str) -> None:
        if self._keyring_usable():
            with contextlib.suppress(Exception):
                import keyring

                keyring.delete_password(KEYRING_SERVICE, profile)
        self._forget_in_file(profile)

    def _forget_in_file(self, profile: str) -> None:
        keys = self._read_file()
        if profile in keys:
            del keys[profile]
            self._write_file(keys)


class ConfigStore:
    """Profiles in config_dir()/profiles.json (no keys in it) plus the KeyStore."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or paths.config_dir()
        self._file = self.directory / "profiles.json"
        self.keys = KeyStore(self.directory)

    def _load(self) -> dict:
        try:
            data = json.loads(self._file.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save(self, data: dict) -> None:
        write_atomic(self._file, json.dumps(data, indent=2, ensure_ascii=False).encode())

    def profiles(self) -> list[Profile]:
        out = []
        for item in self._load().get("profiles", []):
            with contextlib.suppress(TypeError, KeyError):
                out.append(Profile(**{k: item[k] for k in ("name", "base_url", "style", "model")}))
        return out

    def profile(self, name: str) -> Profile | None:
        return next((p for p in self.profiles() if p.name == name), None)

    def active(self) -> Profile | None:
        data = self._load()
        profiles = self.profiles()
        name = data.get("active")
        return next((p for p in profiles if p.name == name), profiles[0] if profiles else None)

    def set_active(self, name: str) -> None:
        data = self._load()
        data["active"] = name
        self._save(data)

    def save_profile(self, profile: Profile, api_key: str | None = None) -> None:
        if profile.style not in STYLES:
            raise ConfigError(f"unknown request style {profile.style!r}")
        if not profile.name.strip():
            raise ConfigError("a profile needs a name")
        data = self._load()
        items = [p for p in data.get("profiles", []) if p.get("name") != profile.name]
        items.append(asdict(profile))
        data["profiles"] = items
        data.setdefault("active", profile.name)
        self._save(data)
        if api_key:
            self.keys.set(profile.name, api_key)

    def delete_profile(self, name: str) -> None:
        data = self._load()
        data["profiles"] = [p for p in data.get("profiles", []) if p.get("name") != name]
        if data.get("active") == name:
            data.pop("active")
        self._save(data)
        self.keys.delete(name)

    # -- prices per image: the user's overrides of the model catalog's (core/spend.py) ----
    def price_overrides(self) -> dict[str, tuple[float, str]]:
        """Model name -> (amount per image, currency); entries that do not parse are left
        out (an estimate never uses a price it cannot read)."""
        raw = self._load().get("prices")
        out: dict[str, tuple[float, str]] = {}
        for model, item in (raw.items() if isinstance(raw, dict) else ()):
            with contextlib.suppress(TypeError, KeyError, ValueError, AttributeError):
                amount, currency = float(item["amount"]), str(item["currency"]).upper()
                if amount >= 0 and len(currency) == 3 and currency.isalpha():
                    out[str(model)] = (amount, currency)
        return out

    def set_price_override(self, model: str, amount: float | None,
                           currency: str = "USD") -> None:
        """Price `model`'s images at `amount` `currency` each; None removes the override."""
        if not model.strip():
            raise ConfigError("a price needs a model name")
        if amount is not None and not (amount >= 0 and amount != float("inf")):
            raise ConfigError(f"{amount!r} is not a price (it must be 0 or more)")
        data = self._load()
        stored = data.get("prices")
        prices: dict = stored if isinstance(stored, dict) else {}
        if amount is None:
            prices.pop(model, None)
        else:
            prices[model] = {"amount": float(amount), "currency": currency.upper()}
        data["prices"] = prices
        self._save(data)

    def get_key(self, profile_name: str) -> str | None:
        return self.keys.get(profile_name)

    def key_backend_note(self) -> str:
        return self.keys.backend_note()

    def has_endpoint(self) -> bool:
        return bool(os.environ.get(ENV_ENDPOINT, "").strip()) or self.active() is not None

    def resolve(
        self,
        *,
        endpoint: str | None = None,
        style: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
    ) -> ResolvedConfig:
        """Explicit arguments, then environment variables, then the active profile."""
        profile = self.active()
        override = endpoint or os.environ.get(ENV_ENDPOINT, "").strip()
        base = override or (profile.base_url if profile else "")
        if not base:
            raise ConfigError(
                "No endpoint is configured.",
                hint=f"Pass --endpoint URL, set {ENV_ENDPOINT}, add a profile in Settings, "
                "or try --demo.",
            )
        if not base.startswith(("http://", "https://")):
            raise ConfigError(f"The endpoint {base!r} is not an http(s) URL.")
        chosen_style = (
            style
            or os.environ.get(ENV_STYLE, "").strip()
            or (profile.style if profile else "")
            or DEFAULT_STYLE
        )
        if chosen_style not in STYLES:
            raise ConfigError(
                f"Unknown request style {chosen_style!r}; use one of {', '.join(STYLES)}."
            )
        chosen_model = model or os.environ.get(ENV_MODEL, "").strip()
        if not chosen_model:
            same_style = profile is not None and profile.style == chosen_style
            chosen_model = (profile.model if same_style and profile else "") or DEFAULT_MODELS[
                chosen_style
            ]
        key = api_key or os.environ.get(ENV_KEY, "").strip()
        if not key and profile:
            key = self.get_key(profile.name) or ""
        if not key:
            raise ConfigError(
                "No API key is configured.",
                hint=f"Set {ENV_KEY}, or save a key in Settings (stored in the system "
                "keyring), or try --demo.",
            )
        register_secret(key)
        problem = key_problem(key)
        if problem:  # never sent: httpx would quote it (escaped) in its error
            raise ConfigError(f"The API key {problem}.",
                              hint=f"Set {ENV_KEY} again, or paste the key again in Settings.")
        return ResolvedConfig(
            endpoint=Endpoint(
                base_url=base,
                style=chosen_style,
                api_key=key,
                profile_name="custom endpoint" if override else (profile.name if profile else ""),
            ),
            model=chosen_model,
        )
