"""A lost connection in Chinese: the client's messages that name the host ("The connection
to 127.0.0.1 was interrupted") were shown in English in the zh_CN banner, beside a
translated hint. The host and the transport's own words stay verbatim."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qwen_studio import i18n
from qwen_studio.core import errors
from qwen_studio.core.errors import ErrorDetail
from qwen_studio.ui.error_text import error_message


@pytest.fixture
def chinese(qapp, monkeypatch) -> Iterator[None]:
    monkeypatch.setenv(i18n.ENV_LANG, "zh_CN")
    assert i18n.install(qapp) == "zh_CN"
    yield
    i18n.uninstall(qapp)


def failed(cls: type[errors.ApiError], message: str, detail: str = "") -> errors.ApiError:
    return cls(message, detail=ErrorDetail(provider_message=detail))


CASES = [
    (errors.ConnectionFailed, "The connection to 127.0.0.1 was interrupted", "ReadError",
     "与 127.0.0.1 的连接中断了: ReadError"),
    (errors.ConnectionFailed, "Could not reach api.example.com (connection timed out)", "",
     "无法连接 api.example.com（连接超时）"),
    (errors.ConnectionFailed, "Could not reach api.example.com", "ConnectError",
     "无法连接 api.example.com: ConnectError"),
    (errors.RequestTimeout, "No answer from api.example.com within 120 s", "ReadTimeout",
     "api.example.com 在 120 秒内没有回应: ReadTimeout"),
]


@pytest.mark.parametrize(("cls", "message", "detail", "shown"), CASES)
def test_connection_messages_speak_chinese(chinese, cls, message, detail, shown):
    assert error_message(failed(cls, message, detail)) == shown


@pytest.mark.parametrize(("cls", "message", "detail", "_shown"), CASES)
def test_english_is_the_clients_text(qapp, cls, message, detail, _shown):
    exc = failed(cls, message, detail)
    assert error_message(exc) == exc.user_message
