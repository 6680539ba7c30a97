"""ImageClient against httpx.MockTransport: retries, downloads, limits and key hygiene."""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
from collections.abc import Callable

import httpx
import pytest
from PIL import Image

from qwen_studio.core import client as client_module
from qwen_studio.core.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ConnectionFailed,
    InvalidRequestError,
    ModerationError,
    RateLimitError,
    RequestTimeout,
    ResultDownloadError,
    ServerError,
)
from qwen_studio.core.request import EditRequest
from qwen_studio.core.styles.base import ResultRef

KEY = "sk-TESTSECRET-0123456789abcdef"
BASE = "https://gw.example.com"
GEN_URL = BASE + "/v1/images/generations"
RESULT_URL = "https://oss.example.com/results/abc.png?Expires=1&Signature=xyz"
REQ = EditRequest(inputs=("a.png",), prompt="make it snow")
IMAGES = ["data:image/png;base64,iVBORw0KGgo="]


def png_bytes(size: tuple[int, int] = (8, 6), color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def ok_body(url: str = RESULT_URL) -> dict:
    return {"created": 1, "data": [{"url": url, "b64_json": "", "revised_prompt": ""}]}


def err_body(code: str, message: str) -> dict:
    return {"error": {"message": message, "type": "upstream_error", "param": "", "code": code}}


class Harness:
    """A client over a scripted transport; records requests, sleeps and retries."""

    def __init__(self, script: list, *, style: str = "bailian", key: str = KEY,
                 settings: client_module.ClientSettings | None = None) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self.retries: list[client_module.RetryInfo] = []
        self.http = httpx.AsyncClient(transport=httpx.MockTransport(self._handle))
        self.client = client_module.ImageClient(
            self.http, client_module.Endpoint(BASE, style, key, "test"),
            settings or client_module.ClientSettings(),
            sleep=self._sleep, rng=lambda: 0.5)

    async def _sleep(self, delay: float) -> None:
        self.sleeps.append(delay)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        if callable(step):
            return step(request)
        return step

    async def generate(self, **kw):
        try:
            return await self.client.generate(REQ, IMAGES, on_retry=self.retries.append, **kw)
        finally:
            await self.http.aclose()

    async def fetch(self, ref: ResultRef) -> bytes:
        try:
            return await self.client.fetch_image(ref)
        finally:
            await self.http.aclose()


def json_response(status: int, body: object, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


# -- generate ----------------------------------------------------------------------------------
def test_rate_limit_then_success_honours_retry_after(run_async):
    h = Harness([json_response(429, err_body("Throttling", "slow down"), {"Retry-After": "3"}),
                 json_response(200, ok_body())])
    result = run_async(h.generate())
    assert result.images[0].url == RESULT_URL
    assert h.sleeps == [3.0]
    assert len(h.requests) == 2
    [info] = h.retries
    assert (info.attempt, info.max_attempts, info.delay) == (1, 4, 3.0)
    assert isinstance(info.error, RateLimitError)


def test_retry_after_is_capped(run_async):
    h = Harness([json_response(429, {}, {"Retry-After": "86400"}), json_response(200, ok_body())])
    run_async(h.generate())
    assert h.sleeps == [client_module.RETRY_AFTER_CAP]


def test_server_error_gives_up_after_exactly_max_attempts_with_backoff(run_async):
    h = Harness([json_response(500, err_body("InternalError", "boom"))])
    with pytest.raises(ServerError) as info:
        run_async(h.generate())
    assert len(h.requests) == 4
    assert h.sleeps == [1.0, 2.0, 4.0]  # base * 2**(attempt-1) * (0.5 + 0.5)
    assert [r.attempt for r in h.retries] == [1, 2, 3]
    assert "boom" in str(info.value)


def test_backoff_is_bounded_by_backoff_max(run_async):
    settings = client_module.ClientSettings(max_attempts=6, backoff_base=4, backoff_max=10)
    h = Harness([httpx.Response(503, text="busy")], settings=settings)
    with pytest.raises(ServerError):
        run_async(h.generate())
    assert h.sleeps == [4.0, 8.0, 10.0, 10.0, 10.0]


@pytest.mark.parametrize(("status", "code", "cls"), [
    (400, "InvalidParameter", InvalidRequestError),
    (400, "DataInspectionFailed", ModerationError),
    (401, "InvalidApiKey", AuthError),
    (404, "", InvalidRequestError),
])
def test_client_errors_and_moderation_are_never_retried(run_async, status, code, cls):
    h = Harness([json_response(status, err_body(code, "no"))])
    with pytest.raises(cls):
        run_async(h.generate())
    assert len(h.requests) == 1
    assert h.sleeps == [] and h.retries == []


@pytest.mark.parametrize("exc", [
    httpx.ConnectError("connection refused"),
    httpx.ReadTimeout("timed out"),
    httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
    httpx.ReadError("reset by peer"),
])
def test_connection_failures_are_retried(run_async, exc):
    h = Harness([exc, json_response(200, ok_body())])
    result = run_async(h.generate())
    assert len(result.images) == 1
    assert len(h.requests) == 2 and len(h.sleeps) == 1


def test_persistent_connection_failure_is_connection_failed(run_async):
    h = Harness([httpx.ConnectError("All connection attempts failed")])
    with pytest.raises(ConnectionFailed) as info:
        run_async(h.generate())
    assert "gw.example.com" in str(info.value)
    assert len(h.requests) == 4


def test_read_timeout_reports_the_timeout_setting(run_async):
    settings = client_module.ClientSettings(read_timeout=45, max_attempts=2)
    h = Harness([httpx.ReadTimeout("timed out")], settings=settings)
    with pytest.raises(RequestTimeout, match="45 s"):
        run_async(h.generate())


def test_malformed_200_is_retried_once_only(run_async):
    h = Harness([httpx.Response(200, text='{"created": 1, "data": [{"url": "ht')])
    with pytest.raises(BadResponseError, match="not JSON"):
        run_async(h.generate())
    assert len(h.requests) == 2


def test_malformed_200_then_good_answer_succeeds(run_async):
    h = Harness([httpx.Response(200, text="<html>gateway hiccup</html>"),
                 json_response(200, ok_body())])
    assert run_async(h.generate()).images[0].url == RESULT_URL


def test_well_formed_answer_without_images_is_not_retried(run_async):
    h = Harness([json_response(200, {"created": 1, "data": []})])
    with pytest.raises(BadResponseError):
        run_async(h.generate())
    assert len(h.requests) == 1


def test_request_carries_key_json_and_style_body(run_async):
    h = Harness([json_response(200, ok_body(), {"x-request-id": "hdr-7"})])
    result = run_async(h.generate(response_format="url"))
    [req] = h.requests
    assert str(req.url) == GEN_URL and req.method == "POST"
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.headers["content-type"] == "application/json"
    body = json.loads(req.content)
    assert body["input"]["messages"][0]["content"][-1] == {"text": "make it snow"}
    assert body["response_format"] == "url"
    assert result.request_id == "hdr-7"


def test_dashscope_style_posts_to_native_path(run_async):
    answer = {"output": {"choices": [{"message": {"content": [{"image": RESULT_URL}]}}]},
              "usage": {"image_count": 1}, "request_id": "ds-1"}
    h = Harness([json_response(200, answer)], style="dashscope")
    result = run_async(h.generate(response_format="b64_json"))
    assert h.requests[0].url.path == "/api/v1/services/aigc/multimodal-generation/generation"
    assert "response_format" not in json.loads(h.requests[0].content)
    assert result.request_id == "ds-1"


def test_no_authorization_header_without_a_key(run_async):
    h = Harness([json_response(200, ok_body())], key="")
    run_async(h.generate())
    assert "authorization" not in h.requests[0].headers


# -- fetch_image -------------------------------------------------------------------------------
def test_b64_result_is_returned_byte_for_byte(run_async):
    png = png_bytes()
    h = Harness([httpx.Response(500)])
    assert run_async(h.fetch(ResultRef(b64_json=base64.b64encode(png).decode()))) == png
    assert h.requests == []  # inline results need no network


def test_url_result_is_returned_byte_for_byte_without_the_key(run_async):
    png = png_bytes((40, 30), "blue")
    h = Harness([httpx.Response(200, content=png, headers={"content-type": "image/png"})])
    assert run_async(h.fetch(ResultRef(url=RESULT_URL))) == png
    assert "authorization" not in h.requests[0].headers  # result hosts never see the key


def test_invalid_base64_and_non_image_b64_are_bad_responses(run_async):
    with pytest.raises(BadResponseError, match="base64"):
        run_async(Harness([httpx.Response(500)]).fetch(ResultRef(b64_json="not base64!!")))
    junk = base64.b64encode(b"hello, not an image").decode()
    with pytest.raises(BadResponseError, match="not an image"):
        run_async(Harness([httpx.Response(500)]).fetch(ResultRef(b64_json=junk)))


def test_downloaded_non_image_is_refused(run_async):
    h = Harness([httpx.Response(200, text="<html>Access denied</html>")])
    with pytest.raises(ResultDownloadError, match="not an image"):
        run_async(h.fetch(ResultRef(url=RESULT_URL)))


def test_truncated_png_is_refused(run_async):
    h = Harness([httpx.Response(200, content=png_bytes((64, 64))[:-40])])
    with pytest.raises(ResultDownloadError, match="not an image"):
        run_async(h.fetch(ResultRef(url=RESULT_URL)))


def test_image_check_runs_off_the_event_loop_thread(run_async, monkeypatch):
    threads: list[int] = []
    original: Callable[[bytes], str | None] = client_module._decode_problem

    def spy(data: bytes) -> str | None:
        threads.append(threading.get_ident())
        return original(data)

    monkeypatch.setattr(client_module, "_decode_problem", spy)
    png = png_bytes()
    run_async(Harness([httpx.Response(200, content=png)]).fetch(ResultRef(url=RESULT_URL)))
    assert threads and threads[0] != threading.get_ident()


def test_redirects_are_followed_up_to_five_hops(run_async):
    png = png_bytes()
    hops = [httpx.Response(302, headers={"location": f"/hop/{i}"}) for i in range(5)]
    h = Harness([*hops, httpx.Response(200, content=png)])
    assert run_async(h.fetch(ResultRef(url=RESULT_URL))) == png
    assert [r.url.path for r in h.requests][-1] == "/hop/4"

    endless = Harness([httpx.Response(302, headers={"location": "/again"})])
    with pytest.raises(ResultDownloadError, match="redirected more than 5"):
        run_async(endless.fetch(ResultRef(url=RESULT_URL)))
    assert len(endless.requests) == 6


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://files.example.com/x.png",
                                    "javascript:alert(1)"])
def test_redirect_to_a_non_web_scheme_is_refused(run_async, target):
    h = Harness([httpx.Response(302, headers={"location": target}),
                 httpx.Response(200, content=png_bytes())])
    with pytest.raises(ResultDownloadError, match="Refused"):
        run_async(h.fetch(ResultRef(url=RESULT_URL)))
    assert len(h.requests) == 1


def test_result_url_with_a_non_web_scheme_is_refused(run_async):
    h = Harness([httpx.Response(200, content=png_bytes())])
    with pytest.raises(ResultDownloadError):
        run_async(h.fetch(ResultRef(url="file:///etc/passwd")))
    assert h.requests == []


def test_size_cap_aborts_a_stream_early(run_async):
    produced: list[int] = []

    async def endless_chunks():
        for i in range(1000):
            produced.append(i)
            yield b"\x89PNG" + b"\0" * 1020

    settings = client_module.ClientSettings(max_result_bytes=8 * 1024)
    h = Harness([lambda request: httpx.Response(200, content=endless_chunks())],
                settings=settings)
    with pytest.raises(ResultDownloadError, match="larger than"):
        run_async(h.fetch(ResultRef(url=RESULT_URL)))
    assert len(produced) < 20  # stopped reading, did not download 1 MB
    assert len(h.requests) == 1  # a too-large result is not retried


def test_size_cap_refuses_a_declared_length_at_once(run_async):
    settings = client_module.ClientSettings(max_result_bytes=2 * 2**20)
    h = Harness([httpx.Response(200, content=b"x" * (3 * 2**20))], settings=settings)
    with pytest.raises(ResultDownloadError, match="larger than 2 MB"):
        run_async(h.fetch(ResultRef(url=RESULT_URL)))


@pytest.mark.parametrize("status", [403, 404])
def test_expired_link_is_explained_and_not_retried(run_async, status):
    h = Harness([httpx.Response(status, text="<Error><Code>AccessDenied</Code></Error>")])
    with pytest.raises(ResultDownloadError, match="expired or was not found") as info:
        run_async(h.fetch(ResultRef(url=RESULT_URL)))
    assert info.value.status == status
    assert len(h.requests) == 1


def test_download_server_errors_and_resets_are_retried(run_async):
    png = png_bytes()
    h = Harness([httpx.Response(503), httpx.ReadError("reset"), httpx.Response(200, content=png)])
    assert run_async(h.fetch(ResultRef(url=RESULT_URL))) == png
    assert len(h.requests) == 3 and len(h.sleeps) == 2


# -- check_connection --------------------------------------------------------------------------
def _check(h: Harness):
    async def go():
        try:
            return await h.client.check_connection()
        finally:
            await h.http.aclose()
    return go()


def test_check_connection_treats_invalid_parameter_as_success(run_async):
    h = Harness([json_response(400, err_body("InvalidParameter", "prompt must not be empty"))])
    text = run_async(_check(h))
    assert "gw.example.com" in text and "accepted" in text
    assert len(h.requests) == 1
    assert json.loads(h.requests[0].content)["input"]["messages"][0]["content"] == [{"text": ""}]


@pytest.mark.parametrize(("script", "cls"), [
    (json_response(401, err_body("InvalidApiKey", "Invalid API-key provided.")), AuthError),
    (json_response(403, {"code": "AccessDenied", "message": "denied"}), AuthError),
    (httpx.ConnectError("refused"), ConnectionFailed),
    (httpx.Response(404, text="not found"), InvalidRequestError),
])
def test_check_connection_failures(run_async, script, cls):
    h = Harness([script])
    with pytest.raises(cls):
        run_async(_check(h))
    assert len(h.requests) == 1  # a check is one quick request, never retried


# -- the key stays secret ----------------------------------------------------------------------
def test_key_never_appears_in_reprs_exceptions_or_logs(run_async, caplog):
    caplog.set_level(logging.DEBUG, logger="qwen_studio.client")
    echo = err_body("InvalidApiKey", f"Incorrect API key provided: {KEY}")
    scenarios = [
        (Harness([json_response(401, echo)]), "generate"),
        (Harness([json_response(400, {"code": "X", "message": f"key={KEY}"})]), "generate"),
        (Harness([json_response(500, err_body("InternalError", "boom"))]), "generate"),
        (Harness([httpx.ConnectError("refused")]), "generate"),
        (Harness([httpx.Response(200, text="garbage")]), "generate"),
        (Harness([json_response(401, echo)]), "check"),
        (Harness([httpx.Response(404)]), "fetch"),
        (Harness([httpx.Response(302, headers={"location": "file:///x"})]), "fetch"),
    ]
    raised: list[ApiError] = []
    for h, kind in scenarios:
        coro = {"generate": h.generate, "check": lambda h=h: _check(h),
                "fetch": lambda h=h: h.fetch(ResultRef(url=RESULT_URL))}[kind]()
        with pytest.raises(ApiError) as info:
            run_async(coro)
        raised.append(info.value)
        assert KEY not in repr(h.client) and KEY not in repr(h.client.endpoint)
    assert len(raised) == len(scenarios)
    for err in raised:
        texts = [str(err), repr(err), err.user_message, err.hint,
                 err.detail.provider_message, repr(err.detail), *map(str, err.args)]
        assert not any(KEY in t for t in texts), type(err).__name__
    assert caplog.records, "the client logs its requests at DEBUG"
    assert KEY not in caplog.text
    assert "authorization" not in caplog.text.lower()
    assert "Signature=" not in caplog.text  # signed result links are logged without query
