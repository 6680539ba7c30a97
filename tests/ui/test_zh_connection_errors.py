"""A lost connection in Chinese: the client's messages that name the host ("The connection
to 127.0.0.1 was interrupted") were shown in English in the zh_CN banner, beside a
translated hint. The host and the transport's own words stay verbatim. A transport failure
with no words of its own used to end in its class name (": ReadError"); it now ends in a
plain reason, in either language."""

from __future__ import annotations

import httpx
import pytest

from qwen_studio import i18n
from qwen_studio.core import errors
from qwen_studio.core.errors import ErrorDetail
from qwen_studio.ui.error_text import error_message


def failed(cls: type[errors.ApiError], message: str, detail: str = "") -> errors.ApiError:
    return cls(message, detail=ErrorDetail(provider_message=detail))


CASES = [
    (errors.ConnectionFailed, "The connection to 127.0.0.1 was interrupted", "ReadError",
     "与 127.0.0.1 的连接中断了: 回应还没收完就断开了"),
    (errors.ConnectionFailed, "Could not reach api.example.com (connection timed out)", "",
     "无法连接 api.example.com（连接超时）"),
    (errors.ConnectionFailed, "Could not reach api.example.com", "ConnectError",
     "无法连接 api.example.com: 无法建立连接（服务可能未运行，或地址有误）"),
    (errors.RequestTimeout, "No answer from api.example.com within 120 s", "ReadTimeout",
     "api.example.com 在 120 秒内没有回应: 没有及时收到服务的数据"),
    (errors.ConnectionFailed, "The connection to 127.0.0.1 was interrupted", "reset by peer",
     "与 127.0.0.1 的连接中断了: reset by peer"),
]


@pytest.mark.parametrize(("cls", "message", "detail", "shown"), CASES)
def test_connection_messages_speak_chinese(chinese, cls, message, detail, shown):
    assert error_message(failed(cls, message, detail)) == shown


def test_english_is_the_clients_text_with_the_transports_own_words(qapp):
    exc = failed(errors.ConnectionFailed, "Could not reach api.example.com",
                 "[Errno 111] Connection refused")
    assert error_message(exc) == exc.user_message


def test_a_wordless_transport_failure_reads_as_a_sentence(qapp):
    exc = failed(errors.ConnectionFailed, "The connection to 127.0.0.1 was interrupted",
                 "ReadError")
    # "it", not "the connection" said twice in one sentence
    assert error_message(exc) == ("The connection to 127.0.0.1 was interrupted: it closed "
                                  "before the whole answer arrived")


TRANSPORT_ERRORS = sorted(name for name, cls in vars(httpx).items()
                          if isinstance(cls, type) and issubclass(cls, httpx.RequestError))


@pytest.mark.parametrize("name", TRANSPORT_ERRORS)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_httpx_transport_error_has_a_plain_reason(qapp, monkeypatch, language, name):
    """What the client makes of a wordless httpx failure (core/client.py puts the class name
    where the transport's words would be) never shows the class name, in either language."""
    monkeypatch.setenv(i18n.ENV_LANG, language)
    i18n.install(qapp)
    try:
        for cls in (errors.ConnectionFailed, errors.ResultDownloadError):
            shown = error_message(failed(cls, "Could not reach 127.0.0.1", name))
            head, _, reason = shown.rpartition(": ")
            assert name not in shown and head and len(reason) >= 6, shown
            if language == "zh_CN":
                assert not reason.isascii(), shown
    finally:
        i18n.uninstall(qapp)
