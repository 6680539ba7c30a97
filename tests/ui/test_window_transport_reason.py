"""The window's error banner says why a request got no answer in the window's language.

The sandbox closes the connection before answering, every attempt: the banner used to end
in the httpx class name (": ReadError"), turned into words by parsing the message. Core now
gives a reason code (errors.TRANSPORT_REASONS) and the banner translates it. In Chinese:
the headline and the reason are Chinese, the host verbatim, no class name, no key."""

from __future__ import annotations

from pathlib import Path

from test_faults import (  # pyright: ignore[reportMissingImports]  (tests/core)
    ATTEMPTS,
    KEY,
    closed_port,
    faults_sandbox,  # noqa: F401  (the sb fixture)
)
from test_window_faults import drop_and_run, window_for  # noqa: F401  (the window_for fixture)
from window_helpers import make_jpeg

from qwen_studio.sandbox import SandboxServer
from qwen_studio.ui.history.model import FAILED


def test_a_mid_answer_close_reads_in_chinese_in_the_banner(chinese, sb: SandboxServer,
                                                           window_for,  # noqa: F811
                                                           qloop,
                                                           tmp_path: Path) -> None:
    window = window_for(sb.base_url)
    photo = make_jpeg(tmp_path / "photo.jpg", (400, 400))
    sb.inject("reset", ATTEMPTS)

    qloop.run(drop_and_run(window, photo), timeout=60)
    assert window.history_model.entries()[0].status == FAILED
    message = window.banner.message()
    assert "与 127.0.0.1 的连接中断了：回应还没收完就断开了" in message, message
    assert "ReadError" not in message and KEY not in message + window.banner.hint()


def test_a_refused_connection_reads_in_chinese_in_the_banner(chinese,
                                                             window_for,  # noqa: F811
                                                             qloop,
                                                             tmp_path: Path) -> None:
    """Nothing listens on the port: the transport's own text was "All connection attempts
    failed", shown in English; the reason code says it in Chinese."""
    window = window_for(f"http://127.0.0.1:{closed_port()}")
    photo = make_jpeg(tmp_path / "photo.jpg", (400, 400))

    qloop.run(drop_and_run(window, photo), timeout=60)
    message = window.banner.message()
    assert "无法连接 127.0.0.1：服务拒绝了连接（该地址和端口上没有服务应答）" in message, message
    assert "attempts failed" not in message and KEY not in message + window.banner.hint()
