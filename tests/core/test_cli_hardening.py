"""Issue 14, items 9, 10 and 12: secrets, terminal escapes and odd arguments, from the
command line, against a loopback sandbox."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import sandbox_in_env
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.errors import ApiError
from qwen_studio.core.library import Library
from qwen_studio.core.logs import redact, register_secret
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer

GOOD_KEY = "sk-cli-hardening-1234"
BAD_KEY = "sk-line-one-secret\nline-two-secret-9876"


@pytest.fixture
def sb(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    with sandbox_in_env(monkeypatch, GOOD_KEY, checks_key=False) as server:
        yield server


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    p = tmp_path / "photo.png"
    Image.new("RGB", (64, 64), (9, 9, 9)).save(p)
    return p


def _spellings_absent(text: str, key: str) -> None:
    for piece in (key, key.encode("unicode_escape").decode(), json.dumps(key)[1:-1],
                  *key.split("\n")):
        assert piece not in text, piece


# -- 9: secrets ------------------------------------------------------------------------------

def test_a_key_with_a_newline_is_a_configuration_error(sb: SandboxServer, photo: Path,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", BAD_KEY)
    code = main(["batch", str(photo), "--prompt", "p", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "line break" in err
    assert sb.request_count == 0
    _spellings_absent(err, BAD_KEY)
    assert main(["history", "--json"]) == 0
    _spellings_absent(capsys.readouterr().out, BAD_KEY)


@pytest.mark.parametrize("key", ["sk-ctrl\x07-key-1234", "sk-ключ-1234567", "sk-nul\x00key1234"])
def test_keys_that_cannot_travel_in_a_header_are_refused(sb: SandboxServer, photo: Path,
                                                         tmp_path: Path, key: str,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    if "\x00" in key:  # an environment variable cannot hold NUL: give it to the client
        async def go() -> None:
            settings = ClientSettings(max_attempts=1)
            async with make_http_client(settings) as http:
                client = ImageClient(http, Endpoint(sb.base_url, "bailian", key), settings)
                await client.generate(EditRequest(inputs=(), prompt="p"), [])
        with pytest.raises(ApiError) as caught:
            asyncio.run(go())
        _spellings_absent(str(caught.value), key)
        assert sb.request_count == 0
        return
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", key)
    code = main(["batch", str(photo), "--prompt", "p", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and sb.request_count == 0
    _spellings_absent(err, key)


def test_every_spelling_of_a_key_is_scrubbed() -> None:
    from qwen_studio.core.logs import scrub

    quoted = "Illegal header value b'Bearer sk-line-one-secret\\nline-two-secret-9876'"
    assert "secret" not in scrub(quoted, BAD_KEY)
    assert "secret" not in scrub(json.dumps({"k": BAD_KEY}), BAD_KEY)
    assert "secret" not in scrub("key=sk-line-one-secret%0Aline-two-secret-9876", BAD_KEY)
    register_secret(BAD_KEY)
    assert "secret" not in redact(f"oops {BAD_KEY!r}")


# -- 10: terminal escapes --------------------------------------------------------------------

@pytest.mark.parametrize("prompt", ["make it \x1b[2Jred", "title\x1b]0;pwned\x07",
                                    "nul\x00byte", "del\x7fete", "abc\u202etxt.exe",
                                    "c1\x9b31m"])
def test_prompts_with_control_characters_are_refused(sb: SandboxServer, photo: Path,
                                                     tmp_path: Path, prompt: str,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    if "\x00" in prompt:
        from qwen_studio.core.text_safety import prompt_problems  # argv cannot hold NUL
        assert prompt_problems(prompt)
        return
    code = main(["batch", str(photo), "--prompt", prompt, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and sb.request_count == 0
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "\x9b" not in err


def test_history_prints_stored_escapes_escaped(studio_home: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    nasty = "boat \x1b]0;pwned\x07 \x1b[31mred \u202eexe.png \x9b2J"
    with Library() as lib:  # an edit recorded by an older version, before the checks
        lib.create_edit(EditRequest(inputs=(), prompt=nasty), input_hashes=())
    for args in (["history"], ["history", "--json"]):
        assert main(args) == 0
        out = capsys.readouterr().out
        for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert raw not in out, (args, raw)
    assert main(["history", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["request"]["prompt"] == nasty


def test_progress_lines_escape_file_names(sb: SandboxServer, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("RGB", (64, 64)).save(folder / "evil\x1b]0;pwned\x07.png")
    assert main(["batch", str(folder), "--prompt", "p", "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "\x1b]0;" not in err and "\\x1b]0;pwned\\x07" in err


# -- 12: odd arguments and files -------------------------------------------------------------

@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf"])
def test_nonsense_timeouts_are_usage_errors(sb: SandboxServer, photo: Path, tmp_path: Path,
                                            timeout: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["batch", str(photo), "--prompt", "p", "--out", str(tmp_path / "o"),
                 "--timeout", timeout])
    assert code == 2 and sb.request_count == 0
    assert "--timeout" in capsys.readouterr().err


def test_a_fifo_in_an_input_folder_is_named_for_what_it_is(sb: SandboxServer, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("RGB", (64, 64)).save(folder / "a.png")
    os.mkfifo(folder / "b.png")
    code = main(["batch", str(folder), "--prompt", "p", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "b.png" in err and "pipe" in err and "empty" not in err


def test_an_unusable_home_is_one_clear_line(photo: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home-is-a-file"
    home.write_text("not a folder")
    monkeypatch.setenv("QWEN_STUDIO_HOME", str(home))
    for args in (["history"], ["batch", str(photo), "--prompt", "p", "--out",
                               str(tmp_path / "o"), "--demo"]):
        code = main(args)
        err = capsys.readouterr().err
        assert code == 2, err
        assert "Traceback" not in err and "cannot use the folder" in err
