"""The log records made before the first frame (app/launch.py holds them until the log
file exists): they reach the file redacted like every other record, also when start-up
fails before the frame, and each once."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from qwen_studio.app import launch
from qwen_studio.core import logs

KEY = "sk-early-0123456789abcdef"


@pytest.fixture
def clean_root():
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield root
    logs.remove_handlers()
    for h in list(root.handlers):
        if h not in before:
            root.removeHandler(h)
    root.setLevel(level)
    logs._secrets.discard(KEY)


def _fail_before_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    def first_frame(_args):
        logs.register_secret(KEY)
        logging.getLogger("qwen_studio.test").warning("loaded key %s", KEY)
        try:
            raise ValueError(f"bad header Bearer {KEY}")
        except ValueError:
            logging.getLogger("qwen_studio.test").exception("profile check failed")
        raise RuntimeError("no display")

    monkeypatch.setattr(launch, "_first_frame", first_frame)


def test_records_held_before_a_failed_first_frame_reach_the_file_redacted(
        monkeypatch, clean_root, capsys):
    _fail_before_frame(monkeypatch)
    with pytest.raises(RuntimeError, match="no display"):
        launch.main([])
    text = logs.log_file().read_text(encoding="utf-8")
    assert "loaded key [redacted]" in text and "profile check failed" in text
    assert KEY not in text and KEY not in capsys.readouterr().err
    assert not any(isinstance(h, launch._EarlyRecords) for h in clean_root.handlers)


def test_the_log_folder_problem_is_said_once(monkeypatch, clean_root, capsys, tmp_path):
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    monkeypatch.setenv("QWEN_STUDIO_HOME", str(home))  # no log folder can be made in it
    _fail_before_frame(monkeypatch)
    with pytest.raises(RuntimeError):
        launch.main([])
    err = capsys.readouterr().err
    assert KEY not in err
    assert err.count("cannot write the log file") == 1, err
    assert not Path(os.fspath(home)).is_dir()
