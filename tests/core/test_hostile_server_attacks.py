"""Issue 14, items 5-8: a hostile or broken server must not make the client fetch inside
the user's network, hang, eat memory or crash on a parser. Loopback servers only."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import time
import zlib

import pytest
from hostile_server import HostileServer, Req
from PIL import Image

from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.errors import ApiError, BadResponseError, ResultDownloadError
from qwen_studio.core.request import EditRequest
from qwen_studio.core.styles import ResultRef

KEY = "sk-hostile-test-key-123"
REQUEST = EditRequest(inputs=("a.png",), prompt="p", model="qwen-image-edit", style="flat")


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


PNG = _png()


def _run(coro, timeout: float = 60.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def _generate(base_url: str, settings: ClientSettings | None = None):
    settings = settings or ClientSettings(max_attempts=1, connect_timeout=2, read_timeout=3)
    async with make_http_client(settings) as http:
        client = ImageClient(http, Endpoint(base_url, "flat", KEY), settings)
        return await client.generate(REQUEST, ["data:image/png;base64,AAAA"])


async def _fetch(base_url: str, url: str, settings: ClientSettings | None = None) -> bytes:
    settings = settings or ClientSettings(max_attempts=1, connect_timeout=2, read_timeout=3)
    async with make_http_client(settings) as http:
        client = ImageClient(http, Endpoint(base_url, "flat", KEY), settings)
        return await client.fetch_image(ResultRef(url=url))


# -- 5: SSRF ---------------------------------------------------------------------------------

@pytest.fixture
def secret_service():
    """Something on another loopback port that must never be read as 'the result'."""
    with HostileServer(lambda r: r.send_raw(PNG)) as srv:
        yield srv


@pytest.mark.parametrize("spelling", ["127.0.0.1", "localhost", "2130706433", "0x7f.1",
                                      "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]"])
def test_result_link_to_another_loopback_port_is_refused(secret_service: HostileServer,
                                                         spelling: str) -> None:
    with HostileServer(lambda r: r.send_raw(PNG)) as gateway:
        url = f"http://{spelling}:{secret_service.port}/secret.png"
        with pytest.raises(ResultDownloadError, match="private address"):
            _run(_fetch(gateway.base_url, url))
    assert secret_service.hits == []  # not a single byte was asked of it


def test_redirect_to_loopback_is_refused_at_the_hop(secret_service: HostileServer) -> None:
    target = f"http://127.0.0.1:{secret_service.port}/secret.png"

    def public_then_redirect(r: Req) -> None:
        r.send_raw(b"", 302, extra={"Location": target})

    # The gateway's own origin is trusted (it serves results); its redirect is not.
    with HostileServer(public_then_redirect) as gateway, \
            pytest.raises(ResultDownloadError, match="private address"):
        _run(_fetch(gateway.base_url, f"{gateway.base_url}/r.png"))
    assert secret_service.hits == []


def test_link_local_metadata_address_is_never_requested() -> None:
    with HostileServer(lambda r: r.send_raw(PNG)) as gateway:
        started = time.monotonic()
        with pytest.raises(ResultDownloadError, match="private address"):
            _run(_fetch(gateway.base_url, "http://169.254.169.254/latest/meta-data/"))
        assert time.monotonic() - started < 2  # refused, not tried and timed out


def test_dns_that_changes_its_answer_is_checked_at_connect_time(
        secret_service: HostileServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that resolves public when checked and to loopback when connecting."""
    from qwen_studio.core import address_policy

    real = address_policy._resolve
    calls = []

    async def rebinding(host: str, port: int):
        calls.append(host)
        if host == "rebind.example" and len(calls) == 1:
            return [address_policy.ipaddress.ip_address("93.184.216.34")]
        if host == "rebind.example":
            return [address_policy.ipaddress.ip_address("127.0.0.1")]
        return await real(host, port)

    monkeypatch.setattr(address_policy, "_resolve", rebinding)
    with HostileServer(lambda r: r.send_raw(PNG)) as gateway:
        url = f"http://rebind.example:{secret_service.port}/x.png"
        with pytest.raises(ResultDownloadError, match="private address"):
            _run(_fetch(gateway.base_url, url))
    assert calls.count("rebind.example") == 2
    assert secret_service.hits == []


def test_the_endpoint_origin_itself_may_serve_results() -> None:
    with HostileServer(lambda r: r.send_raw(PNG)) as gateway:
        assert _run(_fetch(gateway.base_url, f"{gateway.base_url}/results/1.png")) == PNG


# -- 6: deadlines ------------------------------------------------------------------------------

def test_a_trickling_answer_hits_the_overall_deadline() -> None:
    settings = ClientSettings(max_attempts=1, connect_timeout=1, read_timeout=2)
    with HostileServer(lambda r: r.trickle(30)) as gateway:
        started = time.monotonic()
        with pytest.raises(ApiError, match="No complete answer"):
            _run(_generate(gateway.base_url, settings))
        assert time.monotonic() - started < 10  # deadline = connect + read = 3 s


def test_a_trickling_download_hits_the_overall_deadline() -> None:
    settings = ClientSettings(max_attempts=1, connect_timeout=1, read_timeout=2)
    with HostileServer(lambda r: r.trickle(30, "image/png")) as gateway:
        started = time.monotonic()
        with pytest.raises(ResultDownloadError, match="took longer"):
            _run(_fetch(gateway.base_url, f"{gateway.base_url}/r.png", settings))
        assert time.monotonic() - started < 10


# -- 7: size caps ------------------------------------------------------------------------------

def test_a_huge_inline_answer_is_refused_while_reading() -> None:
    from qwen_studio.core.client import MAX_ANSWER_BYTES

    def huge(r: Req) -> None:
        r.send_response(200)
        r.send_header("Content-Type", "application/json")
        r.end_headers()  # no length: the client cannot refuse it up front
        r.wfile.write(b'{"data": [{"b64_json": "')
        chunk = b"A" * (1 << 20)
        for _ in range(MAX_ANSWER_BYTES // len(chunk) + 8):
            r.wfile.write(chunk)
        r.wfile.write(b'"}]}')

    with HostileServer(huge) as gateway, pytest.raises(BadResponseError, match="larger than"):
        _run(_generate(gateway.base_url))


def test_a_gzip_bomb_is_refused_after_the_cap_not_expanded_whole() -> None:
    from qwen_studio.core.client import MAX_ANSWER_BYTES

    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"0" * (1 << 20)
    bomb = b"".join(packer.compress(zeros) for _ in range(400)) + packer.flush()
    assert len(bomb) < 2 * 2**20  # ~400 KB on the wire, 400 MB expanded

    def gzipped(r: Req) -> None:
        r.send_raw(bomb, ctype="application/json", extra={"Content-Encoding": "gzip"})

    with HostileServer(gzipped) as gateway, \
            pytest.raises(BadResponseError, match=f"larger than {MAX_ANSWER_BYTES // 2**20}"):
        _run(_generate(gateway.base_url))


def test_a_doubly_encoded_answer_is_refused() -> None:
    body = gzip.compress(gzip.compress(json.dumps({"data": []}).encode()))

    def twice(r: Req) -> None:
        r.send_raw(body, ctype="application/json", extra={"Content-Encoding": "gzip, gzip"})

    with HostileServer(twice) as gateway, \
            pytest.raises(BadResponseError, match="unexpected encoding"):
        _run(_generate(gateway.base_url))


def test_an_honest_gzipped_answer_still_works() -> None:
    import base64

    payload = json.dumps({"data": [{"b64_json": base64.b64encode(PNG).decode()}]}).encode()

    def honest(r: Req) -> None:
        r.send_raw(gzip.compress(payload), ctype="application/json",
                   extra={"Content-Encoding": "gzip"})

    with HostileServer(honest) as gateway:
        result = _run(_generate(gateway.base_url))
    assert len(result.images) == 1


# -- 8: depth ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [200, 400, 500])
def test_deeply_nested_json_is_a_clear_error_not_a_recursion_error(status: int) -> None:
    deep = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with HostileServer(lambda r: r.send_json(deep, status)) as gateway, \
            pytest.raises(ApiError) as caught:
        _run(_generate(gateway.base_url))
    assert "Recursion" not in str(caught.value)
    assert "unexpected" not in str(caught.value).lower()


def test_an_answer_naming_thousands_of_results_is_refused() -> None:
    """Each named result would be downloaded at once (up to 64 MB each)."""
    items = [{"url": f"http://127.0.0.1:1/{i}.png"} for i in range(5000)]
    with HostileServer(lambda r: r.send_json({"data": items})) as gateway, \
            pytest.raises(BadResponseError, match="5000 result images"):
        _run(_generate(gateway.base_url))
