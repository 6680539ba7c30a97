"""Logging to a rotating file in the log folder, with secrets scrubbed from every record.

Keys are registered as they are loaded (register_secret), and anything shaped like a bearer
token is masked too, so even a careless log call cannot write a key to disk.
"""

from __future__ import annotations

import logging
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from qwen_studio.core import paths

LOG_FILE_NAME = "qwen-studio.log"
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\"]+")
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    text = _BEARER.sub(r"\1[redacted]", text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.exc_info:
            record.msg, record.args = clean, None
        if record.exc_info:
            # Format the traceback now, scrubbed, and drop the raw exception.
            formatted = logging.Formatter().formatException(record.exc_info)
            record.msg = f"{record.msg}\n{redact(formatted)}"
            record.exc_info = None
            record.exc_text = None
        return True


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (it may be swapped, e.g. by test capture)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def log_file() -> Path:
    return paths.log_dir() / LOG_FILE_NAME


def remove_handlers() -> None:
    """Detach what setup_logging attached (tests call this between runs)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_qwen_studio", False):
            root.removeHandler(handler)
            handler.close()


def setup_logging(*, verbose: bool = False, console: bool = True) -> Path:
    """Configure the root logger once; returns the log file path."""
    remove_handlers()
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    scrub = RedactingFilter()
    path = log_file()
    file_handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    file_handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        stream = _CurrentStderrHandler()
        stream.setLevel(logging.DEBUG if verbose else logging.WARNING)
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(stream)
    for handler in handlers:
        handler.addFilter(scrub)
        handler._qwen_studio = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # httpx logs request lines at INFO; they are ours to decide on, at DEBUG.
    logging.getLogger("httpx").setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
