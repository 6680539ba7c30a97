"""The sandbox server over real loopback HTTP: styles, validation, auth, logging and its
command line (its faults: test_sandbox_faults.py)."""

from __future__ import annotations

import base64
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sandbox_helpers import (
    AUTH,
    GATEWAY,
    IMG,
    KEY,
    NATIVE,
    bailian_body,
    client_fixture,  # noqa: F401  (the client fixture)
    data_uri,
    decode_png,
    flat_body,
    post_fixture,  # noqa: F401  (the post fixture)
    truncated_png_uri,
)

from qwen_studio.sandbox import SandboxServer

REPO = Path(__file__).resolve().parents[2]


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
        (GATEWAY, flat_body(image=truncated_png_uri()), "InvalidParameter",
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
