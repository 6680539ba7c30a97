"""The status bar's spend meter follows what the window's edits cost (catalog prices)."""

from __future__ import annotations

from pathlib import Path

from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until


def test_a_finished_edit_shows_in_todays_spend(make_window, sandbox, qloop, tmp_path: Path):
    window = make_window(sandbox_endpoint(sandbox))
    meter = window.spend.meter
    photo = make_jpeg(tmp_path / "street.jpg")

    async def scenario() -> None:
        await until(lambda: meter.label.text().startswith("Today"), 10, "the meter")
        before = meter.label.text()
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, what="input")
        window.params.set_model("qwen-image-edit-plus")  # priced in the catalog
        window.prompt_panel.prompt_edit.setPlainText("make it night")
        window.run_edit()
        await until(lambda: [e.status for e in window.history_model.entries()] == ["done"],
                    30, "the edit done")
        # Not "the text changed": choosing the model already turns "$0.00" into "¥0.00".
        await until(lambda: "0.20" in meter.label.text(), 10, "the meter to show ¥0.20")
        assert meter.label.text() != before

    qloop.run(scenario())
    assert "0.2" in meter.label.text() or "0.20" in meter.label.text(), meter.label.text()


def test_nothing_spent_is_said_in_the_chosen_models_currency(make_window, sandbox, qloop):
    """'$0.00' that turned into '¥0.20' after the first edit read as another meter: zero is
    said in the currency of the model the editor will use, and follows a change of model."""
    window = make_window(sandbox_endpoint(sandbox))
    meter = window.spend.meter

    async def scenario() -> None:
        window.params.set_model("qwen-image-edit-plus")  # priced in CNY in the catalog
        await until(lambda: "¥0.00" in meter.label.text(), 10, "zero in yuan")
        window.params.set_model("qwen-image-edit-max")  # priced in USD
        await until(lambda: "$0.00" in meter.label.text(), 10, "zero in dollars")

    qloop.run(scenario())
    assert "¥" not in meter.label.text(), meter.label.text()
