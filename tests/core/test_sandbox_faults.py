"""The sandbox's faults over real loopback HTTP: injected errors, broken and expired
results, fault specs, rate limits, latency and stopping mid-request."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from sandbox_helpers import (
    AUTH,
    GATEWAY,
    KEY,
    NATIVE,
    bailian_body,
    client_fixture,  # noqa: F401  (the client fixture)
    flat_body,
    post_fixture,  # noqa: F401  (the post fixture)
)

from qwen_studio.sandbox import SandboxServer


# -- faults -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "status", "check"),
    [
        ("429", 429, lambda r: r.headers["Retry-After"] == "1"
         and r.json()["error"]["code"].startswith("Throttling")),
        ("429bare", 429, lambda r: "Retry-After" not in r.headers),
        ("500", 500, lambda r: r.json()["error"]["code"] == "InternalError"),
        ("502html", 502, lambda r: r.headers["content-type"].startswith("text/html")
         and "502 Bad Gateway" in r.text),
        ("503", 503, lambda r: r.json()["error"]["param"] == "503"),
        ("504", 504, lambda r: r.text == "Gateway Timeout"),
        ("moderation", 400, lambda r: r.json()["error"] == {
            "message": "Input data may contain inappropriate content.",
            "type": "upstream_error", "param": "400", "code": "DataInspectionFailed"}),
        ("empty_data", 200, lambda r: r.json()["data"] == []),
        ("no_image", 200, lambda r: [(i["url"], i["b64_json"]) for i in r.json()["data"]]
         == [("", "")]),
    ],
)
def test_generation_faults_then_normal(sandbox, post, kind, status, check):
    sandbox.inject(kind)
    r = post(flat_body())
    assert r.status_code == status, r.text
    assert check(r)
    assert r.headers["X-Request-Id"]
    assert post(flat_body()).status_code == 200  # one-shot: the next request is normal


def test_dashscope_faults_use_the_native_envelope(sandbox, post):
    sandbox.inject("500")
    r = post(bailian_body(), NATIVE)
    assert r.status_code == 500
    assert r.json()["code"] == "InternalError" and r.json()["request_id"]
    sandbox.inject("empty_data")
    assert post(bailian_body(), NATIVE).json()["output"]["choices"] == []


def test_malformed_is_200_with_invalid_json(sandbox, post):
    sandbox.inject("malformed")
    r = post(flat_body())
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


def test_reset_is_a_transport_error(sandbox, post):
    sandbox.inject("reset")
    with pytest.raises(httpx.TransportError):
        post(flat_body())
    assert post(flat_body()).status_code == 200


def test_truncated_body_fails_on_read(sandbox, post):
    sandbox.inject("truncated")
    with pytest.raises(httpx.RemoteProtocolError):
        post(flat_body())
    assert post(flat_body()).status_code == 200


def _result_response(sandbox, post, client, kind) -> httpx.Response:
    sandbox.inject(kind)
    r = post(flat_body(n=2))
    assert r.status_code == 200
    urls = [i["url"] for i in r.json()["data"]]
    got = client.get(urls[1])
    # Only the marked generation is affected.
    fresh = post(flat_body()).json()["data"][0]["url"]
    assert client.get(fresh).status_code == 200
    return got


def test_expired_result_is_oss_403(sandbox, post, client):
    r = _result_response(sandbox, post, client, "expired")
    assert r.status_code == 403
    assert "<Code>AccessDenied</Code>" in r.text and "Request has expired." in r.text


def test_notfound_result_is_404(sandbox, post, client):
    assert _result_response(sandbox, post, client, "notfound").status_code == 404


def test_not_image_result_is_text(sandbox, post, client):
    r = _result_response(sandbox, post, client, "not_image")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")


def test_redirect_scheme_points_at_a_local_file(sandbox, post, client):
    r = _result_response(sandbox, post, client, "redirect_scheme")
    assert r.status_code == 302 and r.headers["Location"] == "file:///etc/passwd"


def test_huge_result_streams_more_than_64_mib(sandbox, post, client):
    sandbox.inject("huge")
    url = post(flat_body()).json()["data"][0]["url"]
    limit = 64 * 2**20
    received = 0
    with client.stream("GET", url) as r:
        assert r.status_code == 200
        assert int(r.headers["Content-Length"]) > limit
        for chunk in r.iter_raw(1 << 20):
            received += len(chunk)
            if received > limit:
                break  # stop early, as a careful client would
    assert received > limit


def test_result_ttl_expires_urls(client):
    with SandboxServer(api_key=KEY, result_ttl=0) as sb:
        r = client.post(sb.base_url + GATEWAY, json=flat_body(), headers=AUTH)
        got = client.get(r.json()["data"][0]["url"])
        assert got.status_code == 403 and "Request has expired." in got.text


def test_unknown_result_id_is_404(sandbox, client):
    assert client.get(sandbox.base_url + "/results/nope.png").status_code == 404


def test_spec_queued_faults_then_normal(client):
    with SandboxServer(api_key=KEY, faults="500x2,503") as sb:
        statuses = [client.post(sb.base_url + GATEWAY, json=flat_body(),
                                headers=AUTH).status_code for _ in range(4)]
    assert statuses == [500, 500, 503, 200]


def test_spec_probabilities_are_seeded(client):
    def run(seed: int) -> list[int]:
        with SandboxServer(api_key=KEY, faults="429bare:0.5", seed=seed) as sb:
            return [client.post(sb.base_url + GATEWAY, json=flat_body(size="512*512"),
                                 headers=AUTH).status_code for _ in range(8)]

    first = run(3)
    assert first == run(3)
    assert set(first) == {200, 429}  # with p=0.5 and this seed, both happen
    with SandboxServer(api_key=KEY, faults="500:1") as sb:
        assert client.post(sb.base_url + GATEWAY, json=flat_body(),
                           headers=AUTH).status_code == 500


def test_bad_fault_specs_are_refused():
    with pytest.raises(ValueError, match="not KIND:PROB or KINDxN"):
        SandboxServer(faults="teapot x2")
    with pytest.raises(ValueError, match="unknown fault kind"):
        SandboxServer(faults="418x2")
    with pytest.raises(ValueError, match="probability"):
        SandboxServer(faults="500:1.5")
    with pytest.raises(ValueError):
        SandboxServer().inject("nope")


def test_rate_limit_answers_429_with_retry_after(client):
    with SandboxServer(api_key=KEY, rate_limit_per_second=2) as sb:
        # Empty bodies are cheap to refuse (400), yet still count against the rate.
        rs = [client.post(sb.base_url + GATEWAY, json={}, headers=AUTH) for _ in range(3)]
    assert [r.status_code for r in rs] == [400, 400, 429]
    assert rs[2].headers["Retry-After"] == "1"
    assert rs[2].json()["error"]["code"] == "Throttling.RateQuota"


def test_latency_delays_each_generation(client):
    with SandboxServer(api_key=KEY, latency=0.3) as sb:
        t0 = time.monotonic()
        r = client.post(sb.base_url + GATEWAY, json=flat_body(), headers=AUTH)
        assert r.status_code == 200
        assert time.monotonic() - t0 >= 0.25


def test_stop_returns_quickly_while_a_slow_request_is_pending():
    sb = SandboxServer(api_key=KEY).start()
    sb.inject("slow")  # 30 s by default
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(httpx.post(sb.base_url + GATEWAY, json=flat_body(), headers=AUTH,
                                      timeout=60))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    t = threading.Thread(target=call, daemon=True)
    t.start()
    deadline = time.monotonic() + 5
    while sb.request_count == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)  # let it reach the sleep
    t0 = time.monotonic()
    sb.stop()
    assert time.monotonic() - t0 < 5
    t.join(5)
    assert not t.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], httpx.TransportError)
    with pytest.raises(httpx.ConnectError):
        httpx.get(sb.base_url + "/health", timeout=2)


def test_received_is_capped(client):
    with SandboxServer(api_key=KEY) as sb:
        sb.received.extend([{}] * 1000)
        client.post(sb.base_url + GATEWAY, json={"model": "nope", "prompt": "p"}, headers=AUTH)
        assert len(sb.received) == 1000
        assert sb.received[-1] == {"model": "nope", "prompt": "p"}
