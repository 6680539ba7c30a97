"""A start with a saved profile shows the editor under the profile's name at once and reads
its API key (keyring: ~50 ms to import and find a backend) in the pool once the loop runs;
Run before that reads it there and then (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from window_helpers import until

from qwen_studio.core.config import ConfigStore, KeyStore, Profile
from qwen_studio.ui.notices import NoticeKind


@pytest.fixture
def key_reads(monkeypatch) -> list[str]:
    """Profile names whose key was read (the keyring's or the private file's)."""
    reads: list[str] = []
    original = KeyStore.get

    def get(self: KeyStore, profile: str) -> str | None:
        reads.append(profile)
        return original(self, profile)

    monkeypatch.setattr(KeyStore, "get", get)
    return reads


def _shown_kind(w) -> NoticeKind | None:
    notice = w.notices.current()
    return notice.kind if notice is not None else None


def _store(studio_home: Path, key: str | None = "saved-key") -> ConfigStore:
    store = ConfigStore(studio_home / "config")
    store.save_profile(Profile("Local", "http://127.0.0.1:9", "bailian"), key)
    store.set_active("Local")
    return store


def test_saved_profile_shows_the_editor_and_reads_the_key_once_the_loop_runs(
        make_window, qloop, studio_home, key_reads):
    w = make_window(config_store=_store(studio_home), staged=True)
    # The first frame: the editor under the profile's name, the key not read yet.
    assert key_reads == []
    assert w.profile_label.text() == "● Local"
    assert w.canvas_stack.currentWidget() is w.compare_view
    assert w.endpoint is None
    w.tasks.release()  # app.main does this once the loop runs
    qloop.run(until(lambda: w.endpoint is not None, 10, "the saved profile's key"))
    ep = w.endpoint
    assert ep is not None and ep.api_key == "saved-key" and ep.profile_name == "Local"
    assert key_reads == ["Local"]
    assert w.profile_label.text() == "● Local"


def test_run_before_the_key_was_read_reads_it_there_and_then(
        make_window, studio_home, key_reads):
    w = make_window(config_store=_store(studio_home), staged=True)
    assert w.endpoint is None
    assert w.run_edit() is None  # nothing to edit yet, but connected: the prompt is missing
    assert w.endpoint is not None and w.endpoint.api_key == "saved-key"
    assert "not connected" not in w.banner.message().lower()
    assert "can't run yet" in w.banner.message().lower()
    assert key_reads == ["Local"]


def test_saved_profile_without_a_key_ends_not_connected(make_window, qloop, studio_home):
    w = make_window(config_store=_store(studio_home, key=None), staged=True)
    assert w.profile_label.text() == "● Local"
    w.tasks.release()
    qloop.run(until(lambda: w.profile_label.text() == "○ Not connected", 10, "the result"))
    assert w.endpoint is None
    assert w.canvas_stack.currentWidget() is w.welcome  # set up a key, or try the demo


# Not only the main Run: every way to start an edit reads the key on demand (one place:
# Connection.endpoint_now), so none says "not connected" before the pool's read lands.
def test_a_history_rerun_before_the_key_was_read_reads_it_there_and_then(
        make_window, studio_home, key_reads):
    from qwen_studio.core.request import EditRequest

    w = make_window(config_store=_store(studio_home), staged=True)
    assert w.endpoint is None and key_reads == []
    held = w.tasks.pending()
    w.history.rerun(EditRequest(inputs=("a.png",), prompt="warmer"), None)
    assert w.tasks.pending() == held + 1  # the re-run was queued, not refused
    assert w.statusBar().currentMessage() == "Re-running the edit"
    assert key_reads == ["Local"] and w.endpoint is not None
    assert _shown_kind(w) is not NoticeKind.NOT_CONNECTED


def test_the_batch_resume_offer_before_the_key_was_read_reads_it_there_and_then(
        make_window, studio_home, key_reads):
    w = make_window(config_store=_store(studio_home), staged=True)
    w.batch.resume("a-batch-left-unfinished")
    assert _shown_kind(w) is not NoticeKind.BATCH  # not "Connect to a service…"
    assert key_reads == ["Local"] and w.endpoint is not None


def test_a_batch_retry_before_the_key_was_read_gets_a_client(
        make_window, studio_home, key_reads):
    w = make_window(config_store=_store(studio_home), staged=True)
    client = w.edit_session.current_client()  # what Retry failed / skipped photos run with
    assert client is not None and w.endpoint is not None
    assert key_reads == ["Local"]


def test_an_endpoint_set_before_the_key_was_read_is_not_replaced_by_it(
        make_window, qloop, studio_home, key_reads):
    """The demo (or any endpoint) that comes up while the pool still reads the saved key
    stays: the late read must not switch the window back to the saved profile."""
    from qwen_studio.core.endpoint import Endpoint

    w = make_window(config_store=_store(studio_home), staged=True)
    demo = Endpoint("http://127.0.0.1:8", "bailian", "demo-key", "Demo sandbox")
    w.connection.set_endpoint(demo)  # e.g. Help ▸ Try the demo, up before the key read
    w.tasks.release()
    qloop.run(until(lambda: not w.tasks.pending(), 10, "start-up's tasks"))
    assert w.endpoint == demo
