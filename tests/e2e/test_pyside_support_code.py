"""PySide's support modules' code is kept after a start and used by the next one
(qt/support_code.py): the next start compiles none of them, and PySide works the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from damaged_marshal import damage_silently, framed, system_error_body

# Runs in the child: PySide6 imported as the entry point does, then what its support code
# does (a wrong call's text lists the signatures its parser reads), the counts and a save.
_CHILD = r"""
import json, sys
from qwen_studio.qt import support_code

with support_code.serving():
    from PySide6 import QtCore, QtWidgets  # noqa: F401

try:
    QtCore.QObject().setObjectName(1)
    error = ""
except TypeError as exc:
    error = str(exc)
served, compiled = support_code.counts()
same = all(code == compile(source, filename, "exec", flags, True)
           for (filename, flags, source), code in support_code._codes.items())
print("REPORT " + json.dumps({
    "served": served, "compiled": compiled, "same_as_compile": same,
    "error": error, "saved": support_code.save(),
}), flush=True)
"""


def _run(pycache: Path) -> dict:
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(pycache), QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app writes its bytecode
    proc = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT ")]
    assert lines, proc.stderr[-3000:]
    return json.loads(lines[0].removeprefix("REPORT "))


def test_the_next_start_compiles_none_of_pyside_s_support_modules(tmp_path):
    first = _run(tmp_path / "pycache")
    assert first["served"] == 0 and first["compiled"] > 10  # the bootstrap and ~13 modules
    assert first["saved"] is True
    second = _run(tmp_path / "pycache")
    assert second["compiled"] == 0 and second["served"] == first["compiled"]
    assert second["saved"] is False  # nothing new to keep
    assert second["same_as_compile"] is True
    # PySide's own Python works the same from the kept code: a wrong call's text.
    assert second["error"] == first["error"]
    assert "Supported signatures:" in second["error"] and "name: str" in second["error"]


def test_a_damaged_file_is_compiled_afresh(tmp_path):
    _run(tmp_path / "pycache")
    [kept] = (tmp_path / "pycache").rglob("pyside-support-code.*.marshal")
    header = kept.read_bytes()[:5]  # interpreter version, optimisation level
    for junk in (b"", b"garbage", header + b"\x00broken",
                 framed(header, system_error_body()),  # marshal raises SystemError
                 header + system_error_body()):  # the same without the checksum
        kept.write_bytes(junk)
        report = _run(tmp_path / "pycache")
        assert report["served"] == 0 and report["compiled"] > 10 and report["error"]


def test_a_damaged_byte_marshal_reads_without_complaint_is_compiled_afresh(tmp_path):
    # marshal reads most damaged bytes silently: a changed constant or opcode in PySide's
    # signature parser would be served to every start.
    first = _run(tmp_path / "pycache")
    [kept] = (tmp_path / "pycache").rglob("pyside-support-code.*.marshal")
    damage_silently(kept, kept.read_bytes()[:5])
    report = _run(tmp_path / "pycache")
    assert report["served"] == 0 and report["compiled"] == first["compiled"]
    assert report["error"] == first["error"]


def test_nothing_is_written_when_python_writes_no_bytecode(tmp_path):
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path / "pycache"),
               QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '"saved": false' in proc.stdout
    assert not list(tmp_path.rglob("pyside-support-code.*"))
