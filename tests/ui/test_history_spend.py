"""Spend in the history: a finished edit's row shows its estimate (images returned x the
price per image), a failed one shows none, a batch row shows the batch's total once, and a
price changed in Settings shows in every row at once."""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import Qt
from window_helpers import until

from qwen_studio.core.config import ConfigStore
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history.entries import BatchGroup, HistoryEntry

MODEL = "qwen-image-edit-plus"


def png(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (48, 32), color).save(buf, "PNG")
    return buf.getvalue()


def edit(lib: Library, prompt: str, *, results: int = 1, batch_id: str | None = None,
         failed: bool = False) -> int:
    sha, path = lib.store_bytes(png((90, 60, 120)), "png")
    req = EditRequest(inputs=(str(path),), prompt=prompt, model=MODEL)
    eid = lib.create_edit(req, input_hashes=(sha,), batch_id=batch_id)
    if failed:
        lib.set_status(eid, EditStatus.FAILED, error="moderation")
    else:
        lib.complete_edit(eid, [png((200, i * 40, 10)) for i in range(results)])
    return eid


def accessible(model, row: int) -> str:
    return model.data(model.index(row), Qt.ItemDataRole.AccessibleTextRole)


def test_rows_show_estimates_and_follow_a_new_price(make_window, qloop):
    ConfigStore().set_price_override(MODEL, 0.05, "USD")
    with Library() as lib:
        edit(lib, "a failed one", failed=True)
        for i in range(3):
            edit(lib, f"batch photo {i}", results=2, batch_id="b-1")
        edit(lib, "two results", results=2)
    window = make_window()
    model = window.history_model

    def row_of(prompt: str) -> int:
        return next(r for r in range(model.rowCount())
                    if isinstance(e := model.item(r), HistoryEntry) and e.request.prompt == prompt)

    async def scenario() -> None:
        await until(lambda: model.fully_loaded() and model.rowCount() == 3, 10, "3 rows")
        await until(lambda: window.spend.prices.loaded, 10, "the prices")
        await until(lambda: model.item(row_of("two results")).spend, 10, "a spend text")

    qloop.run(scenario())
    done, failed = model.item(row_of("two results")), model.item(row_of("a failed one"))
    group = model.item(1)
    assert isinstance(group, BatchGroup)
    assert done.spend == "≈ $0.10"  # 2 images x $0.05
    assert "≈ $0.10" in accessible(model, row_of("two results"))
    assert failed.spend == "" and "≈" not in accessible(model, row_of("a failed one"))
    assert group.spend == "≈ $0.30"  # the batch's total, once, on its row: 6 images
    model.set_expanded(group, True)
    assert [m.spend for m in group.members] == ["≈ $0.10"] * 3

    # An edit of the batch written by another process joins the row with its estimate.
    with Library() as other:
        edit(other, "batch photo 3", results=2, batch_id="b-1")

    async def joined() -> None:
        await until(lambda: len(group.members) == 4, 15, "the fourth photo of the batch")
        await until(lambda: group.spend == "≈ $0.40", 10, "the batch's new total")

    qloop.run(joined())
    assert [m.spend for m in group.members] == ["≈ $0.10"] * 4

    # Settings ▸ Prices: the same object every estimate reads; every row follows.
    ConfigStore().set_price_override(MODEL, 0.5, "CNY")
    window.spend.prices.reload()

    async def follow() -> None:
        await until(lambda: group.spend == "≈ ¥4.00", 10, "the batch total in the new price")

    qloop.run(follow())
    assert done.spend == "≈ ¥1.00"
    assert failed.spend == ""


def test_zh_cn_has_the_spend_and_budget_words(qapp, monkeypatch):
    """The kit's words in Chinese: the history's estimate, the queue's budget, Settings."""
    from PySide6.QtCore import QCoreApplication

    from qwen_studio import i18n

    monkeypatch.setenv(i18n.ENV_LANG, "zh_CN")
    assert i18n.install(qapp) == "zh_CN"
    try:
        tr = QCoreApplication.translate
        assert tr("HistoryModel", "≈ {amount}") == "约 {amount}"
        assert tr("EditProgress", "Skipped (over budget)") == "已跳过（超出预算）"
        assert tr("BudgetField", "Budget") == "预算"
        assert tr("PriceSettings", "Prices per image") == "单张价格"
        assert tr("BatchPanel", "{n} skipped (over budget)") == "{n} 张因超出预算跳过"
        assert tr("HistoryModel", "{n} over budget") == "{n} 张超出预算"
    finally:
        i18n.uninstall(qapp)
