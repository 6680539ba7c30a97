"""`qwen-studio batch` on the EditService: the output folder is what counts, the library
record beside it is a convenience that never stops a batch, and a batch's edits have one
id each in the library from the moment they are queued."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from cli_helpers import cli_env_fixture  # noqa: F401  (env)
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core import paths
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library


def photos(folder: Path, n: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.new("RGB", (480, 360), (i * 60, 120, 200)).save(folder / f"p{i}.jpg")
    return folder


def test_a_library_that_cannot_open_does_not_stop_the_batch(env, tmp_path, monkeypatch,
                                                            caplog, capsys) -> None:
    def refuse(*_a: object, **_k: object) -> Library:
        raise RuntimeError("the library is locked by a newer version")

    monkeypatch.setattr("qwen_studio.cli.batch.Library", refuse)
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        code = main(["batch", str(photos(tmp_path / "in")), "--prompt", "p", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert len(list(out.glob("*.png"))) == 3
    assert "not recorded in the history" in caplog.text


def test_a_library_write_that_fails_is_logged_and_the_results_stay(env, tmp_path, monkeypatch,
                                                                   caplog, capsys) -> None:
    def full(*_a: object, **_k: object) -> list[Path]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Library, "complete_edit", full)
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        code = main(["batch", str(photos(tmp_path / "in")), "--prompt", "p", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "3 done" in err and len(list(out.glob("*.png"))) == 3
    assert "No space left on device" in caplog.text


def test_every_edit_is_recorded_queued_then_done_under_one_id(env, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["batch", str(photos(tmp_path / "in")), "--prompt", "archive",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    with Library(paths.library_dir()) as lib:
        [batch_id] = lib.batch_ids()
        records = lib.query(batch_id=batch_id, limit=100)
    assert sorted(r.status for r in records) == [EditStatus.DONE] * 3
    # The sidecars in the folder and the library rows describe the same three edits.
    sidecars = [json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")]
    assert len(sidecars) == 3
    assert sorted(r.input_hashes[0] for r in records) == sorted(
        s["inputs"][0]["sha256"] for s in sidecars)

    # A rerun skips what is in the folder, and says so in the library too.
    assert main(["batch", str(tmp_path / "in"), "--prompt", "archive", "--out", str(out)]) == 0
    assert "3 already done" in capsys.readouterr().err
    with Library(paths.library_dir()) as lib:
        rerun = next(b for b in lib.batch_ids() if b != batch_id)
        again = lib.query(batch_id=rerun, limit=100)
    assert sorted(r.status for r in again) == [EditStatus.SKIPPED] * 3
