"""The sandbox server over real loopback HTTP: styles, validation, faults, lifecycle."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from qwen_studio.sandbox import SandboxServer

KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
GATEWAY = "/v1/images/generations"
NATIVE = "/api/v1/services/aigc/multimodal-generation/generation"
REPO = Path(__file__).resolve().parents[2]


# -- helpers ------------------------------------------------------------------------------------
def data_uri(w: int = 512, h: int = 384, colour: tuple[int, int, int] = (30, 160, 90),
             fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), colour).save(buf, fmt)
    mime = "jpeg" if fmt == "JPEG" else fmt.lower()
    return f"data:image/{mime};base64,{base64.b64encode(buf.getvalue()).decode()}"


IMG = data_uri()


def _truncated_png_uri() -> str:
    buf = io.BytesIO()
    Image.effect_noise((512, 512), 64).save(buf, "PNG")
    cut = buf.getvalue()[: buf.tell() // 2]
    return "data:image/png;base64," + base64.b64encode(cut).decode()


def flat_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "qwen-image-edit-2509", "prompt": "put a duck on the shirt",
                            "image": IMG, "size": "512x512"}
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


def bailian_body(images: list[str] | None = None, text: str = "make it sunny",
                 model: str = "qwen-image-edit-plus", **params: Any) -> dict[str, Any]:
    content: list[dict[str, str]] = [{"image": u} for u in (images if images is not None
                                                           else [IMG])]
    content.append({"text": text})
    params.setdefault("size", "512*512")
    return {"model": model,
            "input": {"messages": [{"role": "user", "content": content}]},
            "parameters": {k: v for k, v in params.items() if v is not None}}


def decode_png(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(20.0)) as c:
        yield c


@pytest.fixture
def post(sandbox: SandboxServer, client: httpx.Client):
    def _post(body: Any, path: str = GATEWAY, headers: dict[str, str] | None = None
              ) -> httpx.Response:
        return client.post(sandbox.base_url + path, json=body,
                           headers=AUTH if headers is None else headers)

    return _post


# -- success, each style ------------------------------------------------------------------------
def test_flat_url_n3_gives_three_distinct_downloadable_pngs(post, client, sandbox):
    r = post(flat_body(n=3))
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["created"], int)
    assert set(body["usage"]) >= {"prompt_tokens", "completion_tokens", "total_tokens"}
    assert r.headers["X-Request-Id"]
    assert len(body["data"]) == 3
    pngs = []
    for item in body["data"]:
        assert item["b64_json"] == ""  # unused fields present but empty, like real gateways
        assert item["url"].startswith(sandbox.base_url + "/results/")
        got = client.get(item["url"])
        assert got.status_code == 200
        assert got.headers["content-type"] == "image/png"
        assert decode_png(got.content).size == (512, 512)
        pngs.append(got.content)
    assert len(set(pngs)) == 3


def test_flat_b64_json_inline_image(post):
    r = post(flat_body(response_format="b64_json", size="640*512"))
    assert r.status_code == 200, r.text
    (item,) = r.json()["data"]
    assert item["url"] == ""
    assert decode_png(base64.b64decode(item["b64_json"])).size == (640, 512)


def test_flat_accepts_an_array_of_images_in_common_formats(post):
    images = [data_uri(fmt="JPEG"), data_uri(fmt="WEBP"), data_uri(fmt="GIF")]
    r = post(flat_body(image=images))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("fmt", ["url", "b64_json"])
def test_bailian_success(post, client, fmt):
    body = bailian_body(images=[IMG, data_uri(600, 800)], n=2)
    body["response_format"] = fmt
    r = post(body)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert len(data) == 2
    for item in data:
        raw = client.get(item["url"]).content if fmt == "url" else base64.b64decode(
            item["b64_json"])
        assert decode_png(raw).size == (512, 512)


def test_dashscope_native_shape_and_default_size(post, client):
    body = bailian_body(images=[data_uri(1200, 900)], size=None, n=2)
    r = post(body, NATIVE)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["request_id"] == r.headers["X-Request-Id"]
    (choice,) = out["output"]["choices"]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    urls = [c["image"] for c in choice["message"]["content"]]
    assert len(urls) == 2 and out["usage"]["image_count"] == 2
    w, h = out["usage"]["width"], out["usage"]["height"]
    # Omitted size: about one megapixel at the aspect ratio of the (last) input.
    assert 0.9e6 < w * h < 1.15e6 and abs(w / h - 4 / 3) < 0.02
    img = decode_png(client.get(urls[0]).content)
    assert img.size == (w, h)


def test_old_edit_model_answers_about_1mp_at_the_inputs_aspect(post, client):
    r = post(bailian_body(images=[data_uri(800, 600)], model="qwen-image-edit", size=None))
    assert r.status_code == 200, r.text
    assert decode_png(client.get(r.json()["data"][0]["url"]).content).size == (1184, 880)


def test_text_to_image_takes_text_alone(post, client):
    r = post(bailian_body(images=[], model="qwen-image", size="928*1664"), NATIVE)
    assert r.status_code == 200, r.text
    url = r.json()["output"]["choices"][0]["message"]["content"][0]["image"]
    assert decode_png(client.get(url).content).size == (928, 1664)
    r = post(bailian_body(images=[IMG], model="qwen-image-plus", size=None))
    assert r.status_code == 400
    assert "text" in r.json()["error"]["message"]


# -- determinism and prompt_extend ---------------------------------------------------------------
def _image_bytes(post, client, body) -> bytes:
    r = post(body)
    assert r.status_code == 200, r.text
    return client.get(r.json()["data"][0]["url"]).content


def test_same_request_same_bytes_different_prompt_or_seed_different(post, client):
    a = _image_bytes(post, client, flat_body(seed=7))
    assert _image_bytes(post, client, flat_body(seed=7)) == a
    assert _image_bytes(post, client, flat_body(seed=7, prompt="a cat instead")) != a
    assert _image_bytes(post, client, flat_body(seed=8)) != a
    # Without a seed the result is still reproducible (the seed derives from the prompt).
    assert _image_bytes(post, client, flat_body()) == _image_bytes(post, client, flat_body())


def test_revised_prompt_follows_prompt_extend(post):
    for extend in (None, True):
        item = post(flat_body(prompt_extend=extend)).json()["data"][0]
        assert item["revised_prompt"].startswith("put a duck on the shirt")
        assert len(item["revised_prompt"]) > len("put a duck on the shirt")
    assert post(flat_body(prompt_extend=False)).json()["data"][0]["revised_prompt"] == ""


def test_long_prompt_is_truncated_not_refused(post, sandbox):
    r = post(flat_body(prompt="x" * 900, prompt_extend=False))
    assert r.status_code == 200, r.text
    assert sandbox.received[-1]["prompt"] == "x" * 900  # the body as sent is recorded
    assert sandbox.request_count == 1


# -- auth ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": "test-key"}])
def test_wrong_or_missing_key_is_401(post, headers):
    r = post(flat_body(), headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "InvalidApiKey"
    r = post(bailian_body(), NATIVE, headers=headers)
    assert r.status_code == 401
    assert r.json()["code"] == "InvalidApiKey"


def test_without_configured_key_any_token_works_but_not_none(client):
    with SandboxServer() as sb:
        url = sb.base_url + GATEWAY
        ok = client.post(url, json=flat_body(), headers={"Authorization": "Bearer anything"})
        assert ok.status_code == 200
        assert client.post(url, json=flat_body()).status_code == 401


# -- validation ---------------------------------------------------------------------------------
BARE = IMG.split(",", 1)[1]


@pytest.mark.parametrize(
    ("path", "body", "code", "message"),
    [
        (GATEWAY, flat_body(size="4000*4000"), "InvalidParameter",
         "size '4000*4000': each side must be between 512 and 2048"),
        (GATEWAY, bailian_body(size="1024x1024"), "InvalidParameter",
         "size '1024x1024' must be of the form W*H"),
        (NATIVE, bailian_body(size="1024x1024"), "InvalidParameter",
         "size '1024x1024' must be of the form W*H"),
        (GATEWAY, bailian_body(images=[IMG] * 4), "InvalidParameter",
         "input.messages[0].content must hold 1-3 image items then one text item"),
        (GATEWAY, flat_body(image=[IMG] * 4), "InvalidParameter", "image must hold 1-3 images"),
        (GATEWAY, flat_body(image=BARE), "InvalidParameter", "bare base64 is not accepted"),
        (GATEWAY, bailian_body(images=["https://example.com/a.png"]), "InvalidURL",
         "the URL cannot be downloaded by the service"),
        (GATEWAY, flat_body(negative_prompt="n" * 501), "InvalidParameter",
         "negative_prompt has 501 characters; the limit is 500"),
        (GATEWAY, flat_body(model="qwen-image-9.9-ultra"), "InvalidParameter",
         "Model not exist."),
        (GATEWAY, flat_body(n=7), "InvalidParameter", "n=7 is out of range"),
        (NATIVE, bailian_body(model="qwen-image-edit", n=2), "InvalidParameter",
         "parameters.n=2 is out of range"),
        (GATEWAY, flat_body(seed=-1), "InvalidParameter", "seed=-1"),
        (GATEWAY, flat_body(watermark="yes"), "InvalidParameter", "watermark must be a boolean"),
        (GATEWAY, flat_body(image=data_uri(300, 300)), "InvalidParameter",
         "each side must be between 384 and 3072"),
        (GATEWAY, flat_body(image="data:image/png;base64,aGVsbG8="), "InvalidParameter",
         "not a readable image"),
        (GATEWAY, flat_body(image=_truncated_png_uri()), "InvalidParameter",
         "not a readable image"),
        (GATEWAY, flat_body(model=None), "InvalidParameter", "model is required"),
        (GATEWAY, flat_body(image=None), "InvalidParameter", "image is required"),
        (GATEWAY, flat_body(response_format="png"), "InvalidParameter",
         "response_format must be 'url' or 'b64_json'"),
        (NATIVE, bailian_body(model="qwen-image", images=[], size="1024*1024"),
         "InvalidParameter", "is not supported by qwen-image"),
    ],
)
def test_validation_errors(post, path, body, code, message):
    r = post(body, path)
    assert r.status_code == 400, r.text
    payload = r.json()
    err = payload if path == NATIVE else payload["error"]
    assert err["code"] == code
    assert message in err["message"]
    if path == NATIVE:
        assert payload["request_id"] == r.headers["X-Request-Id"]
    else:
        assert err["type"] == "upstream_error" and err["param"] == "400"


def test_two_messages_or_wrong_role_refused(post):
    body = bailian_body()
    body["input"]["messages"].append(body["input"]["messages"][0])
    assert "exactly one message" in post(body).json()["error"]["message"]
    body = bailian_body()
    body["input"]["messages"][0]["role"] = "system"
    assert "role must be 'user'" in post(body).json()["error"]["message"]


def test_malformed_json_body_is_400(sandbox, client):
    r = client.post(sandbox.base_url + GATEWAY, content=b"{not json", headers=AUTH)
    assert r.status_code == 400
    assert "not valid JSON" in r.json()["error"]["message"]


def test_unknown_path_is_404_json_and_health_is_ok(sandbox, client, post):
    assert post(flat_body(), "/v1/v1/images/generations").status_code == 404
    r = client.get(sandbox.base_url + "/images/generations")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NotFound"
    health = client.get(sandbox.base_url + "/health")
    assert health.status_code == 200 and health.text == "ok"


def test_moderate_marker_in_prompt_is_always_flagged(post):
    r = post(flat_body(prompt="a photo [moderate] please"))
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "DataInspectionFailed"


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


# -- logging and CLI ----------------------------------------------------------------------------
def test_requests_are_logged_without_the_key(post, caplog):
    def lines() -> list[str]:
        return [rec.getMessage() for rec in caplog.records if rec.name == "qwen_studio.sandbox"]

    with caplog.at_level(logging.INFO, logger="qwen_studio.sandbox"):
        post(flat_body())
        post(flat_body(), headers={"Authorization": "Bearer sk-secret-123"})
        # The server's thread logs a request after its last byte is sent, so the client can
        # have its answer a moment before the line exists: wait for it, don't race it.
        deadline = time.monotonic() + 5
        while (not any(ln.startswith("POST /v1/images/generations 401") for ln in lines())
               and time.monotonic() < deadline):
            time.sleep(0.01)
    assert any(line.startswith("POST /v1/images/generations 200") for line in lines())
    assert any(line.startswith("POST /v1/images/generations 401") for line in lines())
    assert not any(KEY in line or "sk-secret" in line for line in caplog.text.splitlines())


def test_cli_runs_until_ctrl_c(studio_home: Path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "qwen_studio.sandbox", "--port", "0", "--key", "cli-secret",
         "--faults", "500x1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Qwen Studio sandbox listening on http://127.0.0.1:")
        assert "(styles: flat, bailian, dashscope)" in first
        base = first.split()[5]
        assert httpx.get(base + "/health", timeout=5).text == "ok"
        r = httpx.post(base + GATEWAY, json=flat_body(), timeout=20,
                       headers={"Authorization": "Bearer cli-secret"})
        assert r.status_code == 500  # --faults took effect
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "Traceback" not in err
    assert "cli-secret" not in out + err + first
    # The one logging set-up, as `qwen-studio sandbox` has it: the requests are in the log
    # file under QWEN_STUDIO_HOME (the key is not).
    log = (studio_home / "logs" / "qwen-studio.log").read_text("utf-8")
    assert "POST /v1/images/generations 500" in log and "cli-secret" not in log


def test_cli_rejects_a_bad_fault_spec(capsys):
    import argparse

    from qwen_studio.sandbox.cli import add_arguments, run

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert run(parser.parse_args(["--faults", "bogus"])) == 2
    assert "bogus" in capsys.readouterr().err
