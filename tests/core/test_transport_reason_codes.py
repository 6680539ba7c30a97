"""A request that got no answer says why in plain words, from a reason code core gives it.

It used to end in the transport's own text, often a bare httpx class name ("The connection
to 127.0.0.1 was interrupted: ReadError"), which the window then parsed. Now the client
picks a code (errors.TRANSPORT_REASONS) from the httpx exception and what it was raised
from; `qwen-studio batch` prints its English and the window translates it by code. Real
sockets here: a closed port, a name that cannot resolve, TLS to a plain HTTP server, a proxy
that refuses, and the sandbox closing the connection mid-answer. The key appears nowhere."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from test_faults import READ_TIMEOUT, closed_port, make_photo, run_edit

from qwen_studio.__main__ import main
from qwen_studio.cli import batch as batch_cli
from qwen_studio.core.client import ClientSettings
from qwen_studio.core.client_errors import transport_error, transport_reason
from qwen_studio.core.errors import TRANSPORT_REASONS, ConnectionFailed, ErrorDetail
from qwen_studio.sandbox import SandboxServer

KEY = "sk-transport-4f9c2a7e1b"
HTTPX_NAMES = ("ReadError", "WriteError", "ConnectError", "ConnectTimeout", "ReadTimeout",
               "RemoteProtocolError", "ProxyError", "All connection attempts failed")


class _Refusing(BaseHTTPRequestHandler):
    """A plain HTTP server; as a proxy it refuses every CONNECT."""

    def do_CONNECT(self) -> None:
        self.send_response(403)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def plain_server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


async def failure(url: str, **client: object) -> httpx.RequestError:
    async with httpx.AsyncClient(timeout=5, **client) as http:  # type: ignore[arg-type]
        try:
            await http.get(url)
        except httpx.RequestError as exc:
            return exc
    raise AssertionError(f"{url} answered")


def test_real_connect_failures_get_their_own_code(plain_server: int, run_async) -> None:
    cases = {
        f"http://127.0.0.1:{closed_port()}/v1": ({}, "connection_refused"),
        "http://no-such-host.invalid/v1": ({}, "host_not_found"),
        f"https://127.0.0.1:{plain_server}/v1": ({}, "tls_failed"),
        "https://example.test/v1": ({"proxy": f"http://127.0.0.1:{plain_server}"},
                                    "proxy_failed"),
    }
    for url, (client, code) in cases.items():
        exc = run_async(failure(url, **client))
        assert transport_reason(exc).code == code, (url, repr(exc))
        err = transport_error(exc, url, download=False, api_key=KEY, read_timeout=30)
        assert err.transport is not None and err.transport.code == code
        assert err.user_message.endswith(": " + TRANSPORT_REASONS[code]), err.user_message


@pytest.mark.parametrize(("exc", "code"), [
    (httpx.ConnectTimeout(""), "connect_timeout"),
    (httpx.ReadTimeout(""), "read_timeout"),
    (httpx.WriteTimeout(""), "write_timeout"),
    (httpx.PoolTimeout(""), "pool_timeout"),
    (httpx.ReadError(""), "closed_reading"),
    (httpx.WriteError(""), "closed_sending"),
    (httpx.CloseError(""), "close_failed"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."),
     "protocol_broken"),
    (httpx.LocalProtocolError(""), "local_protocol"),
    (httpx.ProxyError(""), "proxy_failed"),
    (httpx.UnsupportedProtocol(""), "unsupported_scheme"),
    (httpx.TooManyRedirects(""), "too_many_redirects"),
    (httpx.DecodingError(""), "decoding_failed"),
    (httpx.ConnectError(""), "connect_failed"),
    (httpx.NetworkError(""), "network_failed"),
])
def test_each_httpx_failure_kind_has_a_code(exc: httpx.RequestError, code: str) -> None:
    assert transport_reason(exc).code == code
    for download in (False, True):
        err = transport_error(exc, "http://127.0.0.1:9/v1", download=download, api_key=KEY,
                              read_timeout=30)
        assert str(err).endswith(": " + TRANSPORT_REASONS[code]), str(err)
        assert type(exc).__name__ not in str(err)


def test_every_httpx_request_error_has_a_plain_reason() -> None:
    for name, cls in vars(httpx).items():
        if isinstance(cls, type) and issubclass(cls, httpx.RequestError):
            err = transport_error(cls(""), "http://h.example/v1", download=False,
                                  api_key=KEY, read_timeout=30)
            assert err.transport is not None and name not in str(err), (name, str(err))


def test_the_key_never_reaches_a_transport_failures_texts() -> None:
    """The transport's text named the key (a proxy echoing the request): it stays out of
    the message, the hint and the detail kept for the logs."""
    exc = httpx.ProxyError(f"CONNECT refused for Authorization: Bearer {KEY}")
    for download in (False, True):
        err = transport_error(exc, "https://dashscope.example/v1", download=download,
                              api_key=KEY, read_timeout=30)
        texts = (str(err), err.user_message, err.hint, err.detail.provider_message,
                 repr(err.args))
        assert all(KEY not in t for t in texts), texts
        assert str(err).endswith(TRANSPORT_REASONS["proxy_failed"])


def test_the_client_says_a_mid_answer_close_in_words(tmp_path: Path, run_async) -> None:
    """The sandbox closes the connection before answering, every attempt."""
    with SandboxServer(api_key="test-key") as sb:
        sb.inject("reset", 99)
        result, _ = run_async(run_edit(sb.base_url, make_photo(tmp_path / "in.jpg")))
    assert isinstance(result, ConnectionFailed)
    assert str(result) == ("The connection to 127.0.0.1 was interrupted: the answer stopped "
                           "before it was complete")
    assert result.transport is not None and result.transport.code == "closed_reading"
    assert result.detail.provider_message == "ReadError"  # the transport's own, for the logs


@pytest.fixture
def cli_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", KEY)
    monkeypatch.setattr(batch_cli, "ClientSettings", functools.partial(
        ClientSettings, backoff_base=0.01))


def test_cli_batch_prints_the_plain_reason(cli_settings, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`qwen-studio batch` against a service that closes mid-answer, then a closed port:
    each failure reads as a sentence, with neither an httpx class name nor the key."""
    photos = [str(make_photo(tmp_path / "in" / f"{n}.jpg", (40 * i, 90, 160)))
              for i, n in enumerate("ab")]
    with SandboxServer(api_key=KEY) as sb:
        monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", sb.base_url)
        sb.inject("reset", 99)
        code = main(["batch", *photos, "--prompt", "p", "--out", str(tmp_path / "out1"),
                     "--attempts", "2", "--timeout", str(READ_TIMEOUT)])
    closed = capsys.readouterr().err
    monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    code2 = main(["batch", *photos, "--prompt", "p", "--out", str(tmp_path / "out2"),
                  "--attempts", "2"])
    refused = capsys.readouterr().err
    assert code == code2 == 1
    for name in ("a.jpg", "b.jpg"):
        assert (f"{name}: The connection to 127.0.0.1 was interrupted: the answer stopped "
                "before it was complete") in closed, closed
        assert (f"{name}: Could not reach 127.0.0.1: the service refused the connection "
                "(nothing answers at that address and port)") in refused, refused
    for err in (closed, refused):
        assert "Traceback" not in err and KEY not in err
        assert not [n for n in HTTPX_NAMES if n in err], err


def test_an_api_error_without_a_transport_reason_keeps_its_detail() -> None:
    """Only transport failures carry a code; a service's own words still follow its
    message as before."""
    err = ConnectionFailed("Could not reach h", detail=ErrorDetail(
        provider_message="reset by peer"))
    assert err.transport is None and str(err) == "Could not reach h: reset by peer"
