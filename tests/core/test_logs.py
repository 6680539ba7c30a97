"""The log file never holds a key, whatever a log call passes it."""

from __future__ import annotations

import logging

from qwen_studio.core.logs import register_secret, setup_logging


def test_keys_and_bearer_tokens_are_scrubbed_from_the_log_file() -> None:
    path = setup_logging(verbose=True, console=False)
    register_secret("sk-live-0123456789")
    log = logging.getLogger("qwen_studio.test")
    log.info("headers %s", {"Authorization": "Bearer sk-other-999"})
    log.warning("key was %s", "sk-live-0123456789")
    try:
        raise RuntimeError("failed with sk-live-0123456789")
    except RuntimeError:
        log.exception("boom")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "sk-live-0123456789" not in text
    assert "sk-other-999" not in text
    assert text.count("[redacted]") >= 3
    assert "RuntimeError" in text  # the traceback itself is kept
