"""A proxy's 502/503/504 and an endpoint that is not one, in Chinese: core names them in
words of their own ("The service is temporarily unavailable (HTTP 503)"), and the zh banner
showed those in English beside a Chinese hint. The status stays verbatim."""

from __future__ import annotations

import re

import pytest

from qwen_studio.core.api_errors import error_for
from qwen_studio.core.errors import ErrorDetail
from qwen_studio.ui.error_text import error_hint, error_message

STATUSES = [502, 503, 504, 404, 405, 413]


@pytest.mark.parametrize("status", STATUSES)
def test_proxy_headlines_speak_chinese(chinese, status):
    exc = error_for(status, ErrorDetail())
    shown = error_message(exc)
    assert shown.endswith(f"(HTTP {status})")
    # Nothing English is left but the status.
    assert not re.search(r"[A-Za-z]{3,}", shown.replace("HTTP", "")), shown
    assert not re.search(r"[A-Za-z]{3,}", error_hint(exc).replace("URL", "")), error_hint(exc)


@pytest.mark.parametrize("status", STATUSES)
def test_english_stays_cores_words(qapp, status):
    exc = error_for(status, ErrorDetail())
    assert error_message(exc) == exc.user_message
    assert error_hint(exc) == exc.hint
