"""Reuse seed and Vary on a history row: the seed actually sent, and the next one."""

from __future__ import annotations

from pathlib import Path

from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.core import seeds
from qwen_studio.core.request import SEED_MAX


def test_reuse_seed_and_vary_from_the_history(make_window, sandbox, qloop, tmp_path: Path):
    window = make_window(sandbox_endpoint(sandbox))
    panel = window.history_panel
    photo = make_jpeg(tmp_path / "street.jpg")
    reuse = window.findChild(object, "historyReuseSeedAction")
    vary = window.findChild(object, "historyVaryAction")
    assert reuse is not None and vary is not None
    # The user is told what a seed does not promise.
    assert seeds.NOT_PROMISED in reuse.toolTip() and seeds.NOT_PROMISED in vary.toolTip()
    assert seeds.NOT_PROMISED in window.params.seed_spin.toolTip()
    sent: list[int] = []

    async def scenario() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, what="input")
        window.prompt_panel.prompt_edit.setPlainText("make it night")
        window.run_edit()  # the seed box says Random: the app draws one and sends it
        await until(lambda: [e.status for e in window.history_model.entries()] == ["done"],
                    30, "the edit done")
        first = window.history_model.entries()[0]
        record = window.library.get(first.edit_id)
        assert record is not None and record.request.seed is None
        assert record.seed_sent is not None
        sent.append(record.seed_sent)
        assert window.params.seed() is None
        panel.select_row(0)
        await until(lambda: reuse.isEnabled(), 5, "Reuse seed enabled")
        reuse.trigger()
        await until(lambda: window.params.seed() == record.seed_sent, 10, "the seed reused")
        vary.trigger()
        await until(lambda: len(window.history_model.entries()) == 2
                    and all(e.status == "done" for e in window.history_model.entries()),
                    30, "the varied edit done")

    qloop.run(scenario())
    ids = sorted(e.edit_id for e in window.history_model.entries())
    varied = window.library.get(ids[1])
    assert varied is not None
    expected = 0 if sent[0] >= SEED_MAX else sent[0] + 1
    assert varied.request.seed == expected and varied.seed == expected
    assert varied.request.prompt == "make it night"
    first = window.library.get(ids[0])
    assert first is not None and varied.parent_id == first.parent_id  # beside it
