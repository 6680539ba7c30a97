"""The window with today's models: catalog limits, text to image, unknown names, the
endpoint's model list and what a relay would lose, end to end against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.core.catalog import default_catalog, default_output_size
from qwen_studio.core.client import Endpoint
from qwen_studio.sandbox import SandboxServer
from qwen_studio.ui.editor.parameters_panel import HEADER_ROLE
from qwen_studio.ui.history.model import DONE, FAILED


def statuses(window) -> list[str]:
    return [e.status for e in window.history_model.entries()]


def results(window) -> list[Path]:
    return [p for e in window.history_model.entries() for p in e.result_paths]


def test_qwen_image_2_pro_runs_from_text_alone(make_window, sandbox, qloop):
    window = make_window(sandbox_endpoint(sandbox))
    window.params.set_model("qwen-image-2.0-pro")
    assert window.params.count_spin.maximum() == 6
    sizes = [window.params.size_combo.itemText(i) for i in range(window.params.size_combo.count())]
    assert "2048*2048" in sizes
    window.params.count_spin.setValue(2)
    window.params.set_size("2048*2048")

    async def scenario() -> None:
        window.prompt_panel.prompt_edit.setPlainText("a red fox in fresh snow")
        assert window.run_edit() is not None  # no input image: a generation
        await until(lambda: DONE in statuses(window) and len(results(window)) == 2, 30,
                    "two generated results")

    qloop.run(scenario())
    body = sandbox.received[-1]
    assert body["input"]["messages"][0]["content"] == [{"text": "a red fox in fresh snow"}]
    assert body["parameters"]["n"] == 2 and body["parameters"]["size"] == "2048*2048"
    assert [Image.open(p).size for p in results(window)] == [(2048, 2048)] * 2


def test_each_family_sets_its_own_limits_in_the_window(make_window, sandbox, qloop, tmp_path):
    window = make_window(sandbox_endpoint(sandbox))
    params = window.params
    params.set_model("qwen-image-edit")
    assert params.count_spin.maximum() == 1 and not params.size_combo.isEnabled()
    assert not params.prompt_extend_check.isEnabled() and params.prompt_extend() is None
    params.set_model("qwen-image-edit-max")
    assert params.count_spin.maximum() == 6 and params.size_combo.isEnabled()
    assert params.prompt_extend() is True
    params.set_model("qwen-image-max")
    sizes = [params.size_combo.itemText(i) for i in range(params.size_combo.count())]
    assert "1104*1472" in sizes and params.count_spin.maximum() == 1
    photo = make_jpeg(tmp_path / "a.jpg")

    async def scenario() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.drop_zone.message(), 15, "the refusal")

    qloop.run(scenario())
    assert "makes images from text" in window.drop_zone.message()
    assert window.inputs == []
    # Photos added for an edit model, then a text-to-image model chosen: Run says what to do.
    params.set_model("qwen-image-edit-plus")

    async def add_then_switch() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, 15, "the input")

    qloop.run(add_then_switch())
    params.set_model("qwen-image-plus")
    window.prompt_panel.prompt_edit.setPlainText("a poster")
    assert window.run_edit() is None
    assert "takes no input image" in window.banner.message()
    assert "Remove the input images" in window.banner.hint()
    window.drop_zone.removeRequested.emit(0)  # the thumbnail's remove button
    # The edit models still need their photo.
    params.set_model("qwen-image-edit-plus")
    window.prompt_panel.prompt_edit.setPlainText("add a hat")
    assert window.run_edit() is None
    assert "at least one input image" in window.banner.message()


def test_an_unknown_model_is_sent_with_a_visible_note(make_window, sandbox, qloop, tmp_path):
    window = make_window(sandbox_endpoint(sandbox))
    window.params.set_model("qwen-image-9.9-ultra")
    assert "not in Qwen Studio's model catalog" in window.params.model_note.text()
    photo = make_jpeg(tmp_path / "a.jpg")

    async def scenario() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, 15, "the input")
        window.prompt_panel.prompt_edit.setPlainText("add a hat")
        assert window.run_edit() is not None  # not refused by name
        assert "limits are not checked" in window.banner.message()
        await until(lambda: FAILED in statuses(window), 20, "the service's verdict")

    qloop.run(scenario())
    assert sandbox.received[-1]["model"] == "qwen-image-9.9-ultra"
    assert "Model not exist" in window.banner.message()


def test_the_model_list_adds_the_endpoints_models_grouped(make_window, qloop):
    listed = ["qwen-image-edit-plus", "qwen-image-4.0-preview", "qwen-image-edit-max-2027-01-01"]
    with SandboxServer(api_key="test-key", listed_models=listed) as server:
        endpoint = Endpoint(server.base_url, "bailian", "test-key", "Relay")
        window = make_window(endpoint)
        params = window.params
        assert "qwen-image-4.0-preview" not in params.model_ids()  # the catalog until it is asked
        first = params.model_ids()
        assert first[:2] == ["qwen-image-2.0-pro", "qwen-image-2.0"]  # recommended first
        assert params.models.item(0).text() == "Recommended"  # no glyph: the star icon
        assert params.models.item(0).icon().name() == "starred"
        assert "Best quality" in params.models.item(1).toolTip()

        async def scenario() -> None:
            params.modelListWanted.emit()  # what opening the list does
            await until(lambda: "qwen-image-4.0-preview" in params.model_ids(), 15, "the listing")

        qloop.run(scenario())
        ids = params.model_ids()
        assert "qwen-image-edit-max-2027-01-01" in ids
        headers = [params.models.item(i).text() for i in range(params.models.rowCount())
                   if params.models.item(i).data(HEADER_ROLE)]
        assert headers == ["Recommended", "Edit photos", "Make images from text",
                           "Also on this endpoint (not in the catalog)"]
        # Cached per profile: a second profile starts from the catalog again.
        window.set_endpoint(Endpoint(server.base_url, "bailian", "test-key", "Other"))
        assert "qwen-image-4.0-preview" not in params.model_ids()
        window.set_endpoint(endpoint)
        assert "qwen-image-4.0-preview" in params.model_ids()


def test_test_connection_refreshes_the_model_list(make_window, qloop):
    with SandboxServer(api_key="test-key", list_models=False) as server:
        endpoint = Endpoint(server.base_url, "bailian", "test-key", "Relay")
        window = make_window(endpoint)

        async def scenario() -> None:
            window.load_model_list()
            await until(lambda: window.model_lists and window.model_lists.cached(endpoint),
                        15, "the (empty) listing")
            assert "qwen-image-4.0-preview" not in window.params.model_ids()  # no listing: no error
            server.list_models, server.listed_models = True, ["qwen-image-4.0-preview"]
            await window.test_connection(endpoint)
            await until(lambda: "qwen-image-4.0-preview" in window.params.model_ids(), 15,
                        "the refreshed listing")

        qloop.run(scenario())
        assert not window.banner.isVisible() or window.banner.kind != "error"


def test_the_window_says_what_a_flat_body_loses_before_sending(make_window, sandbox, qloop,
                                                               tmp_path):
    endpoint = Endpoint(sandbox.base_url, "flat", "test-key", "Flat relay")
    window = make_window(endpoint)
    window.params.set_model("qwen-image-edit-plus")
    window.params.seed_spin.setValue(7)
    photo = make_jpeg(tmp_path / "a.jpg")

    async def scenario() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, 15, "the input")
        window.prompt_panel.prompt_edit.setPlainText("add a hat")
        assert window.run_edit() is not None
        message = window.banner.message()
        assert "flat request style loses input images, seed on new-api" in message, message
        assert "bailian style keeps them" in message
        await until(lambda: DONE in statuses(window), 20, "the edit")

    qloop.run(scenario())


@pytest.mark.parametrize("model", [f.id for f in default_catalog().families])
def test_every_family_runs_from_the_window(make_window, sandbox, qloop, tmp_path, model):
    family = default_catalog().lookup(model)
    window = make_window(sandbox_endpoint(sandbox))
    window.params.set_model(model)
    assert window.params.count_spin.maximum() == family.n_max
    n = min(family.n_max, 2)
    window.params.count_spin.setValue(n)
    photo = make_jpeg(tmp_path / "a.jpg")

    async def scenario() -> None:
        if family.inputs[0] > 0:  # an edit model: its photo first
            drop_files(window.drop_zone, [photo])
            await until(lambda: window.inputs, 15, "the input")
        window.prompt_panel.prompt_edit.setPlainText("a lantern by the sea")
        assert window.run_edit() is not None
        await until(lambda: DONE in statuses(window) and len(results(window)) == n, 30,
                    f"{n} result(s)")

    qloop.run(scenario())
    assert sandbox.received[-1]["model"] == model
    expected = default_output_size(family, [(640, 480)] if family.inputs[0] > 0 else [])
    assert [Image.open(p).size for p in results(window)] == [expected] * n
