"""`qwen-studio batch` end to end against the sandbox over loopback HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import cli_env_fixture  # noqa: F401  (env)
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core.png_metadata import read_png_metadata


def make_photo(path: Path, color: tuple[int, int, int] = (200, 120, 40), size=(640, 480)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, quality=90)
    return path


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    make_photo(folder / "a.jpg", (200, 30, 30))
    make_photo(folder / "b.jpg", (30, 200, 30))
    make_photo(folder / "nested" / "c.png", (30, 30, 200))
    (folder / "notes.txt").write_text("not an image")
    return folder


def run_cli(*args: str) -> int:
    return main(["batch", *args])


def test_folder_batch_writes_results_with_metadata_and_sidecars(
    env, photos: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = run_cli(str(photos), "--prompt", "make it moody", "--out", str(out), "--seed", "7")
    err = capsys.readouterr().err
    assert code == 0, err
    assert sorted(p.name for p in out.glob("*.png")) == ["a-1.png", "b-1.png", "c-1.png"]
    assert "notes.txt" in err and "skipped" in err  # noted, not silently ignored
    meta = read_png_metadata((out / "a-1.png").read_bytes())
    assert meta["parameters"].startswith("make it moody")
    assert "Seed: 7" in meta["parameters"]
    assert json.loads(meta["qwen_studio"])["request"]["prompt"] == "make it moody"
    sidecar = json.loads((out / "a-1.json").read_text())
    assert sidecar["request"]["prompt"] == "make it moody"
    assert sidecar["inputs"][0]["path"].endswith("a.jpg")
    assert len(sidecar["inputs"][0]["sha256"]) == 64
    assert sidecar["endpoint"].startswith("http://127.0.0.1")
    # Each result really is an image from the service.
    with Image.open(out / "b-1.png") as im:
        assert im.size[0] > 0


def test_rerun_resumes_and_changed_prompt_does_not(env, photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli(str(photos), "--prompt", "p1", "--out", str(out)) == 0
    sent = env.request_count
    assert run_cli(str(photos), "--prompt", "p1", "--out", str(out)) == 0
    # Resume: the only requests are none (results matched by content + request).
    assert env.request_count == sent
    assert len(list(out.glob("*.png"))) == 3
    assert run_cli(str(photos), "--prompt", "p2", "--out", str(out)) == 0
    assert len(list(out.glob("*.png"))) == 6  # new names, nothing overwritten
    assert {p.name for p in out.glob("a*.png")} == {"a-1.png", "a_2-1.png"}


def test_n_results_per_input_and_same_stems(env, tmp_path: Path) -> None:
    make_photo(tmp_path / "x" / "shot.jpg", (10, 10, 10))
    make_photo(tmp_path / "y" / "shot.jpg", (240, 240, 240))
    out = tmp_path / "out"
    assert run_cli(str(tmp_path / "x"), str(tmp_path / "y"), "--prompt", "p", "--n", "2",
                   "--out", str(out)) == 0
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == ["x_shot-1.png", "x_shot-2.png", "y_shot-1.png", "y_shot-2.png"]


def test_together_sends_one_multi_image_edit(env, photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    a, b = photos / "a.jpg", photos / "b.jpg"
    assert run_cli(str(a), str(b), "--together", "--prompt", "combine", "--out", str(out)) == 0
    body = env.received[-1]
    images = [c for c in body["input"]["messages"][0]["content"] if "image" in c]
    assert len(images) == 2
    assert len(list(out.glob("*.png"))) == 1


def test_together_with_four_is_a_usage_error(env, tmp_path: Path, capsys) -> None:
    files = [str(make_photo(tmp_path / f"{i}.jpg")) for i in range(4)]
    code = run_cli(*files, "--together", "--prompt", "p", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "at most 3" in capsys.readouterr().err


def test_missing_path_and_missing_key_are_exit_2(sandbox, tmp_path: Path, capsys,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_cli(str(tmp_path / "nope.jpg"), "--prompt", "p", "--out", str(tmp_path)) == 2
    assert "nope.jpg" in capsys.readouterr().err
    photo = make_photo(tmp_path / "a.jpg")
    monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", sandbox.base_url)
    assert run_cli(str(photo), "--prompt", "p", "--out", str(tmp_path / "o")) == 2
    err = capsys.readouterr().err
    assert "No API key" in err and "QWEN_STUDIO_API_KEY" in err
    assert "Traceback" not in err


def test_bad_file_fails_alone_with_its_name(env, photos: Path, tmp_path: Path, capsys) -> None:
    (photos / "broken.jpg").write_bytes(b"this is not a jpeg")
    out = tmp_path / "out"
    code = run_cli(str(photos), "--prompt", "p", "--out", str(out))
    err = capsys.readouterr().err
    assert code == 1
    assert len(list(out.glob("*.png"))) == 3  # the others carried on
    assert "broken.jpg" in err.split("Failures:")[1]
    assert "Traceback" not in err


def test_moderation_is_not_retried_and_is_reported(env, photos: Path, tmp_path: Path,
                                                   capsys) -> None:
    code = run_cli(str(photos / "a.jpg"), "--prompt", "[moderate] x", "--out", str(tmp_path / "o"))
    err = capsys.readouterr().err
    assert code == 1
    assert "moderation" in err.lower()
    assert env.request_count == 1


def test_transient_faults_are_retried(env, photos: Path, tmp_path: Path) -> None:
    env.inject("429", 1)
    env.inject("500", 1)
    out = tmp_path / "out"
    assert run_cli(str(photos / "a.jpg"), "--prompt", "p", "--out", str(out)) == 0
    assert (out / "a-1.png").is_file()


def test_demo_runs_without_any_configuration(photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli(str(photos / "a.jpg"), "--prompt", "p", "--out", str(out), "--demo") == 0
    assert (out / "a-1.png").is_file()


def test_key_never_reaches_output_or_files(env, photos: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert run_cli(str(photos), "--prompt", "p", "--out", str(out)) == 0
    captured = capsys.readouterr()
    assert "test-key" not in captured.out + captured.err
    for path in [*out.rglob("*"), *Path(str(tmp_path / "studio-home")).rglob("*")]:
        if path.is_file():
            assert b"test-key" not in path.read_bytes(), path


def test_console_entry_point_runs_as_a_process(tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "in" / "p.jpg")
    result = subprocess.run(
        [sys.executable, "-m", "qwen_studio", "batch", str(photo), "--prompt", "p",
         "--out", str(tmp_path / "out"), "--demo"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "1 done" in result.stderr


def test_batch_edits_join_the_library_history(env, photos: Path, tmp_path: Path,
                                              capsys) -> None:
    assert run_cli(str(photos), "--prompt", "into the archive", "--out", str(tmp_path / "o")) == 0
    capsys.readouterr()
    assert main(["history", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    done = [r for r in records if r["request"]["prompt"] == "into the archive"]
    assert len(done) == 3
    assert {r["status"] for r in done} == {"done"}
    assert len({r["batch_id"] for r in done}) == 1  # one run, one batch
