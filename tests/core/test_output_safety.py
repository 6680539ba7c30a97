"""Issue 14, items 1, 3, 4 and 12 (output side): nothing paid for is lost to the output
folder: a live run's temps, a read-only or full folder, an undecodable file name, a
failed save. Full-disk and read-only folders are real tmpfs mounts (root only; skipped
where mounting is impossible)."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import sandbox_in_env
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core import atomic
from qwen_studio.core.output_folder import OutputFolder
from qwen_studio.sandbox import SandboxServer

KEY = "sk-output-safety-1234"


@pytest.fixture
def sb(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    with sandbox_in_env(monkeypatch, KEY) as server:
        yield server


@contextlib.contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def inputs(folder: Path, n: int, size: tuple[int, int] = (500, 400)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"in{i:02d}.png"
        Image.effect_noise(size, 40 + i).convert("RGB").save(p)
        out.append(p)
    return out


def statuses(home: Path) -> dict[str, int]:
    conn = sqlite3.connect(home / "data" / "library" / "library.sqlite3")
    try:
        return dict(conn.execute("SELECT status, count(*) FROM edits GROUP BY status"))
    finally:
        conn.close()


def test_a_live_process_temp_survives_a_second_run(tmp_path: Path) -> None:
    """Item 1: a second OutputFolder on the folder must not delete our half-written file."""
    mine = atomic._write_temp(tmp_path, b"half of a paid-for result")
    folder = OutputFolder(tmp_path)
    assert mine.exists()
    assert folder.stale_temps_removed == 0


def test_results_follow_the_umask(tmp_path: Path) -> None:
    """Item 12: result files are the user's files: 0644 under umask 022, not 0600."""
    cached = getattr(atomic, "_umask", None)  # read once per process; re-read here
    old = os.umask(0o022)
    try:
        if cached is not None:
            cached.cache_clear()
        path = atomic.write_new(tmp_path / "r.png", b"x")
    finally:
        os.umask(old)
        if cached is not None:
            cached.cache_clear()
    assert path.stat().st_mode & 0o777 == 0o644


def test_read_only_output_sends_nothing(sb: SandboxServer, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    srcs = inputs(tmp_path / "in", 3, (64, 64))
    with tmpfs(tmp_path / "ro", "ro,size=1m") as out:
        code = main(["batch", *map(str, srcs), "--prompt", "p", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "cannot write into the output folder" in err and "not writable" in err
    assert sb.request_count == 0
    assert "Traceback" not in err


def test_full_disk_keeps_the_result_stops_and_the_resume_pays_nothing_twice(
        sb: SandboxServer, tmp_path: Path, studio_home: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    srcs = inputs(tmp_path / "in", 10)
    with tmpfs(tmp_path / "small", "size=12m") as out:
        code = main(["batch", *map(str, srcs), "--prompt", "p", "--out", str(out),
                     "--concurrency", "1"])
        err = capsys.readouterr().err
        assert code == 1, err
        assert "the disk is full" in err and "kept in " in err
        first = sb.request_count
        assert 1 <= first < 10, err  # it stopped sending after the first ENOSPC
        assert "not sent" in err
        # The edit whose save failed is done in the history (its result is there), not
        # left "running".
        st = statuses(studio_home)
        assert st.get("running", 0) == 0 and st.get("done", 0) == first, st
        saved_before = len(list(out.glob("*.png")))

        subprocess.run(["mount", "-o", "remount,size=64m", str(out)], check=True)
        code = main(["batch", *map(str, srcs), "--prompt", "p", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 0, err
        results = sorted(out.glob("*.png"))
        assert len(results) == 10 > saved_before
        # Every input was paid for exactly once over both runs: the kept result was put
        # into the folder from the library, not bought again.
        assert sb.request_count == 10
        identities = [json.loads(p.read_text())["identity"] for p in out.glob("*.json")]
        assert len(set(identities)) == 10


def test_an_undecodable_file_name_is_edited_and_named(sb: SandboxServer, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(str(folder)) + b"/caf\xe9-\xff.png"  # Latin-1 bytes, not UTF-8
    Image.new("RGB", (64, 64), (1, 2, 3)).save(os.fsdecode(raw), "PNG")
    out = tmp_path / "out"
    code = main(["batch", str(folder), "--prompt", "p", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    (png,) = out.glob("*.png")
    assert png.name.startswith("caf_-_")
    meta = json.loads(png.with_suffix(".json").read_bytes())  # valid JSON, exact path
    assert os.fsencode(meta["inputs"][0]["path"]) == raw


def _png_with_text(key: str, text: str) -> bytes:
    import io

    from qwen_studio.core.png_metadata import embed_png_metadata

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (5, 5, 5)).save(buf, "PNG")
    return embed_png_metadata(buf.getvalue(), {key: text})


def test_a_png_with_deep_metadata_in_the_output_folder_does_not_stop_batches(
        sb: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 8: a PNG in --out whose qwen_studio chunk is 100,000 brackets deep."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "trap.png").write_bytes(_png_with_text("qwen_studio", "[" * 100_000))
    (src,) = inputs(tmp_path / "in", 1, (64, 64))
    code = main(["batch", str(src), "--prompt", "p", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "RecursionError" not in err and "Traceback" not in err


def test_recall_refuses_deep_json_and_oversized_parameters() -> None:
    """Item 8: the window's recall on drop (request_from_png) must neither raise nor chew
    on megabytes of `parameters` text."""
    from qwen_studio.core.png_metadata import request_from_png

    assert request_from_png(_png_with_text("qwen_studio", "[" * 100_000)) is None
    huge = "a boat\n" + "Size: 1x1, " * 200_000  # 2 MB: no real A1111 text is this long
    assert request_from_png(_png_with_text("parameters", huge)) is None
    assert request_from_png(_png_with_text("parameters", "a boat\nSeed: 5")).seed == 5


def test_the_same_photo_twice_in_one_run_is_paid_once(sb: SandboxServer, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    (src,) = inputs(tmp_path / "in", 1, (64, 64))
    copy = tmp_path / "in" / "copy.png"
    copy.write_bytes(src.read_bytes())
    code = main(["batch", str(src), str(copy), "--prompt", "p", "--out", str(tmp_path / "o"),
                 "--concurrency", "2"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert sb.request_count == 1
    assert "the same edit as another input of this run" in err
