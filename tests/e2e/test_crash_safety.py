"""Kill -9 in the middle of a batch: nothing under a final name is broken, and the rerun
finishes the rest with exactly one result per input.

The library database is not involved: `batch` writes to an output folder only (the
PRAGMA integrity_check after a kill belongs with the GUI's tests).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.core.atomic import TEMP_PREFIX, write_new
from qwen_studio.core.output_folder import OutputFolder
from qwen_studio.core.png_metadata import read_png_metadata
from qwen_studio.core.request import EditRequest

N_INPUTS = 20


@pytest.fixture
def sandbox_process(tmp_path: Path) -> Iterator[str]:
    """`qwen-studio sandbox` as its own process; yields the URL it prints."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "qwen_studio", "sandbox", "--port", "0", "--latency", "0.3"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "QWEN_STUDIO_HOME": str(tmp_path / "sandbox-home")},
    )
    try:
        assert proc.stdout is not None
        url = ""
        deadline = time.monotonic() + 20
        while not url and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if m := re.search(r"listening on (http://\S+)", line):
                url = m.group(1)
        assert url, "the sandbox did not print its URL"
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)


def make_inputs(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(N_INPUTS):
        p = folder / f"img{i:02d}.jpg"
        Image.new("RGB", (400, 400), (i * 12, 255 - i * 12, 90)).save(p, quality=60)
        paths.append(p)
    return paths


def check_final_names(out: Path) -> None:
    """Every image under its final name decodes; every sidecar parses and has its image."""
    for png in out.glob("*.png"):
        with Image.open(png) as im:
            im.load()
    for sidecar in out.glob("*.json"):
        meta = json.loads(sidecar.read_text("utf-8"))
        assert (out / meta["image"]).is_file(), sidecar


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun(sandbox_process: str, tmp_path: Path,
                                      studio_home: Path) -> None:
    inputs = make_inputs(tmp_path / "in")
    out = tmp_path / "out"
    env = {**os.environ, "QWEN_STUDIO_ENDPOINT": sandbox_process,
           "QWEN_STUDIO_API_KEY": "crash-test-key", "QWEN_STUDIO_HOME": str(studio_home)}
    cmd = [sys.executable, "-m", "qwen_studio", "batch", *map(str, inputs), "--prompt",
           "make it dusk", "--out", str(out), "--concurrency", "4"]

    victim = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and victim.poll() is None:
        if len([p for p in out.glob("*.png")]) >= 3:
            break
        time.sleep(0.02)
    assert victim.poll() is None, "the batch finished before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    killed_with = len(list(out.glob("*.png")))
    temps_left = len(list(out.glob(TEMP_PREFIX + "*")))  # often 0: writes take milliseconds
    assert 3 <= killed_with < N_INPUTS
    check_final_names(out)

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=25)
    assert rerun.returncode == 0, rerun.stderr
    check_final_names(out)
    assert not list(out.glob(TEMP_PREFIX + "*"))
    if temps_left:
        assert f"removed {temps_left} temporary file(s) left by a killed run" in rerun.stderr
    # Exactly one result per input, whatever state the kill left: every result on disk
    # counts as done (sidecar or not), only the rest is edited, nothing twice.
    identities = [json.loads(p.read_text("utf-8"))["identity"] for p in out.glob("*.json")]
    assert len(identities) == len(set(identities)) == N_INPUTS
    assert len(list(out.glob("*.png"))) == N_INPUTS
    assert (f"{N_INPUTS - killed_with} done, {killed_with} already done, 0 failed "
            f"of {N_INPUTS}") in rerun.stderr


# -- the states a kill can leave, built by hand (deterministic, no processes) -----------------

def _png(seed: int) -> bytes:
    import io

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (seed, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


def _sidecar(identity: str, k: int, count: int) -> dict:
    return {"identity": identity, "result_index": k, "result_count": count}


def test_killed_between_image_and_sidecar_is_adopted_not_redone(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    request = EditRequest(inputs=("a.jpg",), prompt="p")
    saved = folder.save("a", 1, _png(1), request, _sidecar("id-a", 1, 1))
    saved.sidecar.unlink()  # the kill came right after the image was linked into place
    assert json.loads(read_png_metadata(saved.image.read_bytes())["qwen_studio"])[
        "identity"] == "id-a"

    again = OutputFolder(tmp_path)
    assert again.done_identities() == {"id-a"}
    meta = json.loads(saved.sidecar.read_text("utf-8"))
    assert meta["image"] == "a-1.png" and meta["request"]["prompt"] == "p"
    assert OutputFolder(tmp_path).recover_orphans() == 0  # adopted once, not again


def test_a_multi_result_edit_is_done_only_when_every_result_is_there(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    request = EditRequest(inputs=("a.jpg",), prompt="p", n=3)
    for k in (1, 2):  # killed before the third result was saved
        saved = folder.save("a", k, _png(k), request, _sidecar("id-n3", k, 3))
    assert "id-n3" not in OutputFolder(tmp_path).done_identities()
    folder.save("a", 3, _png(3), request, _sidecar("id-n3", 3, 3))
    assert "id-n3" in OutputFolder(tmp_path).done_identities()
    saved.image.unlink()  # a result the user deleted: that edit is no longer complete
    assert "id-n3" not in OutputFolder(tmp_path).done_identities()


def test_stale_temps_and_user_json_files(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from qwen_studio.core.ownership import host_tag

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a killed run's temp names a process that no longer exists
    (tmp_path / f"{TEMP_PREFIX}{host_tag()}-{gone.pid}-abc").write_bytes(b"half a png")
    legacy = tmp_path / f"{TEMP_PREFIX}old"  # an old version's unnamed temp, hours old
    legacy.write_bytes(b"half a png")
    os.utime(legacy, (time.time() - 3 * 3600,) * 2)
    (tmp_path / "notes.json").write_text('{"identity": "x", "image": "../../etc/passwd"}')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "photo.png").write_bytes(_png(7))  # a user's PNG without our metadata
    folder = OutputFolder(tmp_path)
    assert folder.stale_temps_removed == 2
    assert folder.done_identities() == set()  # user files are not taken for results
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.json", "notes.json",
                                                          "photo.png"]
    # write_new never replaces: a second file of the same name gets a new one.
    assert write_new(tmp_path / "photo.png", b"x").name == "photo (2).png"
    assert (tmp_path / "photo.png").read_bytes() == _png(7)
