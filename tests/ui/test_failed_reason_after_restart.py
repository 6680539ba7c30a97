"""A failed edit's row says why in the window's language after a restart too. The library
kept only the English message, so a row read back showed 'The connection to 127.0.0.1 was
interrupted: …' under a Chinese window; it now keeps the error's codes (kind, HTTP status,
transport reason, the service's own words verbatim) and the row says them again. Rows of
a library from before keep their stored text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
from test_faults import (  # pyright: ignore[reportMissingImports]  (tests/core)
    ATTEMPTS,
    faults_sandbox,  # noqa: F401  (the sb fixture)
)
from test_window_faults import drop_and_run, window_for  # noqa: F401  (the window_for fixture)
from window_helpers import make_jpeg, until

from qwen_studio.core.api_errors import error_from_response
from qwen_studio.core.client_errors import transport_error
from qwen_studio.core.editing.paid import KEPT_HINT, why_params
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import InputImageError, NoteError, QwenStudioError, Reason
from qwen_studio.core.library import Library
from qwen_studio.core.library_schema import MIGRATIONS
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer
from qwen_studio.ui.error_text import banner_message, error_message
from qwen_studio.ui.history.entries import HistoryEntry
from qwen_studio.ui.history.model import FAILED

CUT_ZH = "与 127.0.0.1 的连接中断了：回应还没收完就断开了"
CUT_EN = ("The connection to 127.0.0.1 was interrupted: the answer stopped before it was "
          "complete")


def cut() -> QwenStudioError:
    return transport_error(httpx.ReadError(""), "http://127.0.0.1:8080/v1", download=False,
                           api_key="sk-x", read_timeout=120)


def stored_row(root: Path, failure: QwenStudioError) -> HistoryEntry:
    """`failure` recorded as an edit's, the library closed, opened again, the row read."""
    with Library(root) as lib:
        eid = lib.create_edit(EditRequest(inputs=(), prompt="night sky"), input_hashes=())
        lib.set_status(eid, EditStatus.FAILED, error=failure.user_message,
                       reason=getattr(failure, "reason", None), failure=failure)
    with Library(root) as again:
        (rec,) = again.query(limit=5)
    return HistoryEntry.from_record(rec)


def test_a_stored_cut_connection_reads_in_chinese(chinese, tmp_path: Path) -> None:
    assert stored_row(tmp_path / "lib", cut()).note == CUT_ZH


def test_and_in_english_as_the_library_keeps_it(qapp, tmp_path: Path) -> None:
    assert stored_row(tmp_path / "lib", cut()).note == CUT_EN


def test_an_http_refusal_keeps_the_services_words_verbatim(chinese, tmp_path: Path) -> None:
    body = b'{"error": {"message": "Upstream overloaded, try later", "code": "busy"}}'
    refusal = error_from_response(500, {}, body)
    note = stored_row(tmp_path / "lib", refusal).note
    assert note == error_message(refusal), note  # the live banner's words
    assert not note.startswith("The service") and "(HTTP 500)" in note, note
    assert note.endswith("：Upstream overloaded, try later"), note  # the Chinese colon


def test_a_stored_input_failure_names_the_file_in_chinese(chinese, tmp_path: Path) -> None:
    gone = InputImageError("/photos/lake.jpg", Reason("file_missing"))
    note = stored_row(tmp_path / "lib", gone).note
    assert note.startswith("/photos/lake.jpg") and "the file" not in note, note


def test_a_paid_notes_reason_is_chinese_live_and_stored(chinese, tmp_path: Path) -> None:
    paid = NoteError(Reason("paid_not_downloaded", **why_params(cut())), hint=KEPT_HINT)
    assert banner_message(paid) == "已付费的结果未能下载：" + CUT_ZH
    assert CUT_ZH in stored_row(tmp_path / "lib", paid).note


def test_a_row_of_an_older_library_keeps_its_stored_text(chinese, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    conn = sqlite3.connect(root / "library.sqlite3")
    for step in MIGRATIONS[:4]:  # the schema before error codes were kept
        step(conn)
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO edits(created_at, status, error, request_json)"
                 " VALUES (1, 'failed', ?, ?)",
                 (CUT_EN, EditRequest(inputs=(), prompt="x").to_json()))
    conn.commit()
    conn.close()
    with Library(root) as lib:
        (rec,) = lib.query(limit=5)
    assert rec.failure is None and HistoryEntry.from_record(rec).note == CUT_EN


def test_a_failed_edit_reads_in_chinese_in_a_new_window(chinese, sb: SandboxServer,
                                                        window_for,  # noqa: F811
                                                        make_window, qloop,
                                                        tmp_path: Path) -> None:
    window = window_for(sb.base_url)
    photo = make_jpeg(tmp_path / "photo.jpg", (400, 400))
    sb.inject("reset", ATTEMPTS)

    qloop.run(drop_and_run(window, photo), timeout=60)
    assert window.history_model.entries()[0].status == FAILED
    make_window.close(window)  # a restart
    again = make_window()

    async def row() -> None:
        await until(lambda: again.history_model.entries(), 20, "the stored row")

    qloop.run(row(), timeout=30)
    entry = again.history_model.entries()[0]
    assert entry.status == FAILED and entry.note == CUT_ZH, entry.note
