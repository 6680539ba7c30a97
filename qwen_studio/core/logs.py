"""Logging to a rotating file in the log folder, with secrets scrubbed from every record.

Keys are registered as they are loaded (register_secret), and anything shaped like a bearer
token is masked too, so even a careless log call cannot write a key to disk.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
from pathlib import Path

from qwen_studio.core import paths

LOG_FILE_NAME = "qwen-studio.log"
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\"]+")
_secrets: set[str] = set()
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MIN_PIECE = 6  # a piece of a key split by a control character, still worth hiding


@functools.lru_cache(maxsize=64)
def secret_spellings(secret: str) -> tuple[str, ...]:
    """Every way `secret` may be quoted in an error text, longest first.

    httpx quotes an illegal header as bytes (b'Bearer k\\ney'), JSON escapes it, URLs
    percent-encode it, and a key holding a newline may be cut at it: each spelling is hidden.
    """
    if not secret or len(secret) < 4:
        return ()
    from urllib.parse import quote, quote_plus

    forms = {
        secret,
        secret.encode("unicode_escape").decode("ascii"),
        repr(secret.encode("utf-8", "surrogatepass"))[2:-1],
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }
    forms.update(piece for piece in _CONTROL.split(secret) if len(piece) >= _MIN_PIECE)
    return tuple(sorted((f for f in forms if len(f) >= 4), key=len, reverse=True))


def scrub(text: str, secret: str, mask: str = "***") -> str:
    """`text` with every spelling of `secret` replaced by `mask`."""
    for form in secret_spellings(secret):
        if form in text:
            text = text.replace(form, mask)
    return text


def register_secret(value: str | None) -> None:
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    text = _BEARER.sub(r"\1[redacted]", text)
    for secret in _secrets:
        text = scrub(text, secret, "[redacted]")
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
    handlers: list[logging.Handler] = []
    problem = ""
    # Imported here: logging.handlers loads socket and pickle (~5 ms), and the window
    # imports this module (register_secret) before its first frame; it logs to a file after.
    from logging.handlers import RotatingFileHandler

    try:
        path = log_file()
        file_handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                           encoding="utf-8")
    except OSError as exc:  # an unwritable QWEN_STUDIO_HOME must not stop the app
        path = Path(os.environ.get(paths.HOME_ENV, "") or ".") / "logs" / LOG_FILE_NAME
        problem = f"cannot write the log file in {path.parent} ({exc.strerror or exc})"
        console = True
    else:
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        handlers.append(file_handler)
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
    if problem:
        logging.getLogger(__name__).warning("%s; logging to the terminal only", problem)
    return path
