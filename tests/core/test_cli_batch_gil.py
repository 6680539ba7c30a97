"""`qwen-studio batch` runs its threads with a short GIL switch interval (its event loop
waited up to Python's 5 ms for the GIL after each socket call while pool threads ran),
and puts the interval back when it returns: `main()` is also called in-process."""

from __future__ import annotations

import sys
from pathlib import Path

from cli_helpers import cli_env_fixture  # noqa: F401  (env)
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.cli import batch
from qwen_studio.core.editing.service import EditService


def test_the_batch_hands_the_gil_over_sooner_and_puts_it_back(
        env, tmp_path: Path, monkeypatch) -> None:
    Image.new("RGB", (64, 48), (10, 20, 30)).save(tmp_path / "a.jpg")
    seen: list[float] = []
    submit = EditService.submit

    async def watching(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(sys.getswitchinterval())
        return await submit(self, *args, **kwargs)

    monkeypatch.setattr(EditService, "submit", watching)
    before = sys.getswitchinterval()
    code = main(["batch", str(tmp_path / "a.jpg"), "--prompt", "dusk",
                 "--out", str(tmp_path / "out")])
    assert code == 0 and len(list((tmp_path / "out").glob("*.png"))) == 1
    assert seen == [batch.LOOP_SWITCH_INTERVAL_S] and before > batch.LOOP_SWITCH_INTERVAL_S
    assert sys.getswitchinterval() == before
