"""The API key leaks nowhere: not to the terminal, the logs, the config, the data or results.

The CLI is run the ways a user runs it (several commands, -v debug logging, faults that
produce errors, a gateway that echoes the key back), then every byte it could have written
is searched for the key.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core.logs import LOG_FILE_NAME
from qwen_studio.sandbox import SandboxServer

SECRET = "sk-test-SECRET-1234567890"
NEEDLES = (SECRET.encode(), SECRET.encode("utf-16-le"), b"SECRET-1234567890")


# `qwen-studio -v batch …` does not reach the batch command yet (see
# test_verbose_flag_before_the_command), so debug logging is switched on the way -v would.
_FORCE_VERBOSE = """
import sys
from qwen_studio.core import logs
_setup = logs.setup_logging
logs.setup_logging = lambda **kw: _setup(**{**kw, "verbose": True})
from qwen_studio.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def verbose(monkeypatch: pytest.MonkeyPatch) -> None:
    from qwen_studio.core import logs

    setup = logs.setup_logging
    monkeypatch.setattr(logs, "setup_logging", lambda **kw: setup(**{**kw, "verbose": True}))


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def assert_no_secret(text: str, *roots: Path) -> int:
    """Fail if the key is in `text` or in any file under `roots`; returns files searched."""
    assert SECRET not in text and "SECRET-1234567890" not in text
    n = 0
    for path in files_under(*roots):
        data = path.read_bytes()
        for needle in NEEDLES:
            assert needle not in data, f"the key is in {path}"
        n += 1
    return n


def photos(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        p = folder / f"p{i}.jpg"
        Image.new("RGB", (400, 400), (i * 40, 90, 160)).save(p)
        out.append(str(p))
    return out


class _Echo(BaseHTTPRequestHandler):
    """A careless gateway: its error message quotes the request's Authorization header."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization", "")
        body = json.dumps({"error": {"message": f"bad request; you sent {auth} and "
                                                f"key={auth.split()[-1]}",
                                     "code": "InvalidParameter"}}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_gateway() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                     daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_key_appears_nowhere_after_debug_runs_with_faults(
    tmp_path: Path, studio_home: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str], echo_gateway: str, verbose: None,
) -> None:
    inputs = photos(tmp_path / "in", 4)
    out = tmp_path / "out"
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", SECRET)
    # httpcore logs every request step at DEBUG; make sure those records are scrubbed too.
    monkeypatch.setattr(logging.getLogger("httpcore"), "setLevel", lambda level: None)
    logging.getLogger("httpcore").level = logging.DEBUG
    codes = []
    with SandboxServer(api_key=SECRET) as sb:
        monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", sb.base_url)
        for kind in ("500", "reset", "502html", "moderation", "expired", "empty_data"):
            sb.inject(kind)
        codes.append(main(["batch", *inputs, "--prompt", "p", "--out", str(out),
                           "--attempts", "2", "--concurrency", "2"]))
        codes.append(main(["batch", *inputs, "--prompt", "p", "--out", str(out)]))
        sb.inject("500", 99)
        codes.append(main(["batch", inputs[0], "--prompt", "again", "--out", str(out),
                           "--attempts", "2", "--style", "dashscope"]))
    # A server that wants another key: a refused key must not be quoted back.
    with SandboxServer(api_key="some-other-key") as other:
        monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", other.base_url)
        codes.append(main(["batch", inputs[0], "--prompt", "x", "--out", str(out)]))
    monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", echo_gateway)
    codes.append(main(["batch", inputs[0], "--prompt", "y", "--out", str(out)]))
    codes.append(main(["history", "--json"]))
    codes.append(main(["history", "--limit", "5"]))
    logging.getLogger("httpcore").level = logging.WARNING

    captured = capfd.readouterr()
    text = captured.out + captured.err
    # Errors in runs 1, 3, 4, 5 (run 2 resumes run 1 and finishes what failed); history works.
    assert codes == [1, 0, 1, 1, 1, 0, 0], text
    assert "The API key was refused (HTTP 401)" in text
    # The echoing gateway's message is shown, with the key masked.
    assert "you sent Bearer *** and key=***" in text
    log = (studio_home / "logs" / LOG_FILE_NAME).read_text("utf-8")
    assert "attempt 1/2 failed" in log and "POST " in log  # debug logging really ran
    searched = assert_no_secret(text, studio_home, out, tmp_path)
    assert searched > 10


def test_key_appears_nowhere_in_a_real_process(tmp_path: Path, studio_home: Path) -> None:
    """The same check for a separate process: its own logging setup, stderr and log file."""
    inputs = photos(tmp_path / "in", 2)
    out = tmp_path / "out"
    env = {**os.environ, "QWEN_STUDIO_API_KEY": SECRET, "QWEN_STUDIO_HOME": str(studio_home)}
    with SandboxServer(api_key=SECRET, faults="500x1,reset x1".replace(" ", "")) as sb:
        env["QWEN_STUDIO_ENDPOINT"] = sb.base_url
        result = subprocess.run(
            [sys.executable, "-c", _FORCE_VERBOSE, "batch", *inputs, "--prompt", "p",
             "--out", str(out), "--concurrency", "1"],
            capture_output=True, text=True, env=env, timeout=60,
        )
        requests = sb.request_count
    assert result.returncode == 0, result.stderr
    assert requests == 4  # two retried faults, two edits: the debug log had things to say
    assert "DEBUG" in result.stderr
    assert_no_secret(result.stdout + result.stderr, studio_home, out)


def test_reprs_and_errors_do_not_carry_the_key() -> None:
    from qwen_studio.core.client import Endpoint, ImageClient, make_http_client

    endpoint = Endpoint("http://127.0.0.1:9", "bailian", SECRET)
    client = ImageClient(make_http_client(), endpoint)
    assert SECRET not in repr(endpoint) and SECRET not in repr(client)


def test_verbose_flag_before_the_command(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`qwen-studio -v batch …` (as --help shows it) must run the batch with debug logging."""
    src = photos(tmp_path / "in", 1)[0]
    code = main(["-v", "batch", src, "--prompt", "p", "--out", str(tmp_path / "out"), "--demo"])
    err = capfd.readouterr().err
    assert code == 0, err
    assert "DEBUG" in err
