"""A lost connection in Chinese: the client's messages that name the host ("The connection
to 127.0.0.1 was interrupted") were shown in English in the zh_CN banner, beside a
translated hint. The host stays verbatim. Why the request got no answer is a reason code
core gives (errors.TRANSPORT_REASONS); the window translates it by code (it used to parse a
bare httpx class name, ": ReadError", off the end of the message)."""

from __future__ import annotations

import httpx
import pytest

from qwen_studio import i18n
from qwen_studio.core import errors
from qwen_studio.core.client_errors import transport_error
from qwen_studio.core.errors import TRANSPORT_REASONS, ErrorDetail
from qwen_studio.ui import transport_reasons
from qwen_studio.ui.error_text import error_message

KEY = "sk-zh-test-5d1e"


def refused() -> httpx.ConnectError:
    exc = httpx.ConnectError("All connection attempts failed")
    exc.__context__ = ConnectionRefusedError(111, "Connect call failed")
    return exc


def failed(exc: httpx.RequestError, url: str = "http://127.0.0.1:8080/v1", *,
           download: bool = False) -> errors.ApiError:
    """What the client raises for `exc` (core/client_errors.py, as ImageClient calls it)."""
    return transport_error(exc, url, download=download, api_key=KEY, read_timeout=120)


CASES = [
    (lambda: failed(httpx.ReadError("")),
     "与 127.0.0.1 的连接中断了：回应还没收完就断开了"),
    (lambda: failed(httpx.ConnectTimeout(""), "https://api.example.com/v1"),
     "无法连接 api.example.com：服务没有及时接受连接"),
    (lambda: failed(refused(), "https://api.example.com/v1"),
     "无法连接 api.example.com：服务拒绝了连接（该地址和端口上没有服务应答）"),
    (lambda: failed(httpx.ReadTimeout(""), "https://api.example.com/v1"),
     "api.example.com 在 120 秒内没有回应：没有及时收到服务的数据"),
    (lambda: failed(httpx.ReadError("reset by peer"), download=True),
     "结果下载失败：回应还没收完就断开了"),
    (lambda: failed(httpx.UnsupportedProtocol(""), "ftp://h.example/v1"),
     "无法向 h.example 发送此请求：地址必须以 http:// 或 https:// 开头"),
    # Not a transport failure the client made: the transport's own words stay verbatim.
    (lambda: errors.ConnectionFailed("The connection to 127.0.0.1 was interrupted",
                                     detail=ErrorDetail(provider_message="reset by peer")),
     "与 127.0.0.1 的连接中断了：reset by peer"),
]


@pytest.mark.parametrize(("make", "shown"), CASES)
def test_connection_messages_speak_chinese(chinese, make, shown):
    assert error_message(make()) == shown


def test_english_is_the_clients_text(qapp):
    exc = failed(refused(), "https://api.example.com/v1")
    assert error_message(exc) == exc.user_message == (
        "Could not reach api.example.com: the service refused the connection (nothing "
        "answers at that address and port)")


def test_a_cut_connection_is_said_once_after_either_head(qapp):
    # "The connection to X was interrupted: the connection was closed while..." named the
    # connection twice; the reason must read on after the download's head too.
    cut = failed(httpx.ReadError(""))
    assert error_message(cut) == ("The connection to 127.0.0.1 was interrupted: the answer "
                                  "stopped before it was complete")
    assert error_message(cut).count("connection") == 1
    assert error_message(failed(httpx.ReadError(""), download=True)) == (
        "The result download failed: the answer stopped before it was complete")


def test_the_window_knows_every_transport_reason_core_can_give():
    """transport_reasons repeats core's texts for lupdate; the two must not drift apart,
    and the codes are their own (no other table's code means something else)."""
    assert transport_reasons._TRANSPORT_REASONS == TRANSPORT_REASONS
    others = (errors.INPUT_REASONS, errors.REQUEST_PROBLEMS, errors.STATUS_NOTES,
              errors.REQUEST_NOTES)
    assert not any(set(TRANSPORT_REASONS) & set(t) for t in others)


TRANSPORT_ERRORS = sorted(name for name, cls in vars(httpx).items()
                          if isinstance(cls, type) and issubclass(cls, httpx.RequestError))


@pytest.mark.parametrize("name", TRANSPORT_ERRORS)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_httpx_transport_error_has_a_plain_reason(qapp, monkeypatch, language, name):
    """What the client makes of a wordless httpx failure never shows the class name, in
    either language; in Chinese the reason is Chinese."""
    monkeypatch.setenv(i18n.ENV_LANG, language)
    i18n.install(qapp)
    try:
        for download in (False, True):
            shown = error_message(failed(getattr(httpx, name)(""), download=download))
            head, _, reason = shown.rpartition(": " if language == "en" else "：")
            assert name not in shown and head and len(reason) >= 6, shown
            assert KEY not in shown
            if language == "zh_CN":
                assert not reason.isascii() and not head.isascii(), shown
    finally:
        i18n.uninstall(qapp)
