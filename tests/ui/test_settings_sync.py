"""The window's settings are written in the pool without holding the GIL
(qt/settings_sync.py): Python threads (the GUI thread among them) run on while Qt writes
and fdatasyncs the file."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from qwen_studio.qt.settings_sync import native_sync, sync_without_gil


def _filled(path: Path, blob: QByteArray) -> QSettings:
    s = QSettings(str(path), QSettings.Format.IniFormat)
    s.setValue("window/geometry", blob)
    s.setValue("params/model", "qwen-image-edit-plus")
    s.setValue("params/n", 2)
    return s


def test_the_file_written_without_the_gil_reads_back(tmp_path: Path) -> None:
    blob = QByteArray(os.urandom(200))
    s = _filled(tmp_path / "s.ini", blob)
    sync_without_gil(s)
    again = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert again.value("window/geometry") == blob
    assert again.value("params/model") == "qwen-image-edit-plus"
    assert int(again.value("params/n")) == 2  # type: ignore[arg-type]


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux wheel's symbol is checked")
def test_other_python_threads_run_while_the_file_is_written(tmp_path: Path) -> None:
    assert native_sync() is not None  # the GIL-free path is the one taken here
    # A few MB (Qt escapes them) and two fdatasync() calls: tens of ms in which the other
    # thread counts if it can take the GIL; through PySide6's own sync() it cannot.
    s = _filled(tmp_path / "big.ini", QByteArray(os.urandom(3_000_000)))
    count = [0]
    stop = threading.Event()

    def tick() -> None:  # wakes every ms and needs the GIL for each count
        while not stop.is_set():
            time.sleep(0.001)
            count[0] += 1

    # The GUI thread takes the GIL back between bytecodes only every switch interval:
    # made long, only a call that releases the GIL lets the other thread count.
    old = sys.getswitchinterval()
    sys.setswitchinterval(5.0)
    th = threading.Thread(target=tick)
    th.start()
    try:
        while count[0] < 3:  # it runs (sleep releases the GIL here)
            time.sleep(0.001)
        before = count[0]
        sync_without_gil(s)
        during = count[0] - before
    finally:
        stop.set()
        th.join()
        sys.setswitchinterval(old)
    assert during >= 5
