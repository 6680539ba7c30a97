"""A batch row's figures (counts, needs-you, star, picture, spend) are kept up to date as its
edits change, not summed over every edit on each change: a 1,000-photo batch in the window
spent a quarter of its GUI thread re-reading the whole batch for every edit's update
(issue 18). What the row says must stay exactly what a count from scratch says."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from history_helpers import pool_fixture  # noqa: F401  (pool)

from qwen_studio.core.editing.progress import EditProgress, EditResult, Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import QwenStudioError, Reason
from qwen_studio.core.request import EditRequest
from qwen_studio.core.spend import Spend, UnitPrice, money_text
from qwen_studio.ui.history.entries import BatchGroup, HistoryEntry
from qwen_studio.ui.history.model import HistoryModel

PLUS, MAX = "qwen-image-edit-plus", "qwen-image-max"


def book(plus: float, max_: float = 0.2, max_currency: str = "CNY"):
    table = {PLUS: UnitPrice(plus, "USD"), MAX: UnitPrice(max_, max_currency)}
    return table.get  # an unknown model: no price (its images add no amount)


def batch_edits(n: int, batch_id: str = "b1", first_id: int = 1000) -> list[EditProgress]:
    out = []
    for i in range(n):
        model = (PLUS, MAX, "unpriced-model")[i % 3]
        req = EditRequest(inputs=(f"photo{i}.png",), prompt=f"photo {i}", model=model)
        out.append(EditProgress(first_id + i, req, f"photo{i}.png", batch_id=batch_id))
    return out


def running(p: EditProgress) -> EditProgress:
    return replace(p, status=EditStatus.RUNNING, stage=Stage.SENDING, started_at=1.0)


def done(p: EditProgress, images: int = 1) -> EditProgress:
    paths = tuple(Path(f"/results/{p.edit_id}_{k}.png") for k in range(images))
    return replace(p, status=EditStatus.DONE, stage=Stage.FINISHED, started_at=1.0,
                   finished_at=3.0, result=EditResult(paths))


def failed(p: EditProgress) -> EditProgress:
    return replace(p, status=EditStatus.FAILED, stage=Stage.FINISHED,
                   error=QwenStudioError("moderation"))


def over_budget(p: EditProgress) -> EditProgress:
    return replace(p, status=EditStatus.SKIPPED, stage=Stage.FINISHED,
                   note=Reason("no_price", model=p.request.model, budget="$1.00"))


def shown(group: BatchGroup) -> tuple:
    """Everything the batch's row shows or is painted from."""
    return (group.status_text(), dict(group.counts()), group.status, group.reason,
            group.favourite, group.after_path(), group.before_path(), group.active,
            group.spend)


def spend_from_scratch(members: list[HistoryEntry], prices) -> str:
    """The batch's total summed edit by edit (images returned x price; done edits only)."""
    spend = Spend()
    for m in members:
        if m.status is EditStatus.DONE and m.result_paths:
            p = prices(m.request.model)
            spend.add(len(m.result_paths), p and UnitPrice(p.amount, p.currency))
    if not spend.amounts:
        return ""
    return "≈ " + " + ".join(money_text(a, c) for c, a in sorted(spend.amounts.items()))


def from_scratch(group: BatchGroup, prices) -> tuple:
    """The same figures counted again over every member, by a group that never saw an
    update (and the spend summed edit by edit, as it was before the tally)."""
    fresh = BatchGroup(group.batch_id, list(group.members), created=group.created)
    fresh.price(prices)
    assert fresh.spend == spend_from_scratch(fresh.members, prices)
    return shown(fresh)


@pytest.fixture
def model(pool, qapp):
    m = HistoryModel(None, pool)
    yield m
    m.close()


def test_a_big_batch_row_follows_every_change_like_a_count_from_scratch(model):
    prices = book(0.035)
    model.set_prices(prices)
    live = batch_edits(500)
    for p in live:
        model.apply_progress(p)
    group = model.groups()[0]
    assert len(group.members) == 500

    def check() -> None:
        model._flush_repaint()  # what the repaint timer does: spend texts, then the rows
        assert shown(group) == from_scratch(group, prices)

    check()
    assert group.status_text() == "0/500 done · 500 queued"
    steps: list[EditProgress] = []
    for i, p in enumerate(live):  # the batch runs: oldest first, as the queue sends them
        steps.append(running(p))
        if i % 7 == 3:
            steps.append(failed(p))
        elif i % 11 == 5:
            steps.append(over_budget(p))
        else:
            steps.append(done(p, images=1 + i % 2))
    for k, step in enumerate(steps):
        model.apply_progress(step)
        if k % 37 == 0 or k > len(steps) - 5:
            check()
    assert "500 queued" not in group.status_text() and "over budget" in group.status_text()
    assert "$" in group.spend and "¥" in group.spend  # two currencies, each summed

    # Sent again (Run skipped): no longer over its budget; a failed one re-run and done.
    again = [p for i, p in enumerate(live) if i % 11 == 5 and i % 7 != 3][:5]
    for p in again:
        model.apply_progress(running(p))
        check()
        model.apply_progress(done(p))
    check()
    retried = next(p for i, p in enumerate(live) if i % 7 == 3)
    model.apply_progress(running(retried))
    model.apply_progress(done(retried, images=2))
    check()

    # Stars: the batch row is starred only when all of its edits are.
    model.set_favourite(group.members, True)
    check()
    assert group.favourite
    model.set_favourite(group.members[250:251], False)
    check()
    assert not group.favourite

    # A price changed in Settings, then edits deleted (the first one with a result too).
    prices = book(0.05, 0.3, "USD")
    model.set_prices(prices)
    check()
    assert " + " not in group.spend  # one currency now
    first = next(m for m in group.members if m.result_paths)
    middle = group.members[100]
    model.remove([first, group.members[-1], middle])
    check()
    assert len(group.members) == 497 and group.after_path() != first.after_path()
    model.restore([first, middle])  # undo delete: back where they were, one in the middle
    check()
    assert group.after_path() == first.after_path() and group.members[100] is middle

    # Opened (its edits shown under it), then new edits of the batch arrive.
    model.set_expanded(group, True)
    for p in batch_edits(503)[500:]:
        model.apply_progress(replace(p, edit_id=p.edit_id + 10_000))
        check()
    assert len(group.members) == 502 and "· 3 queued" in group.status_text()
    top = model.row_of(group)
    assert model.rows_between(top + 1, top + 502) == group.members  # listed under its row


def test_one_edit_update_reads_the_same_few_members_in_a_batch_of_10_or_500(
        pool, qapp, monkeypatch):
    """The work of one edit's update (its row marked, the repaint's spend texts, the batch
    row painted, whether a second ticks) must not grow with the batch: count the reads of
    the edits' fields (and of their latest progress)."""
    prices = book(0.035)
    reads = {"n": 0}
    looked_at = {"status", "reason", "result_paths", "favourite", "request"}
    plain_get = object.__getattribute__

    def counting_get(self: HistoryEntry | EditProgress, name: str):
        if name in looked_at:  # what any per-edit count has to read
            reads["n"] += 1
        return plain_get(self, name)

    def update_cost(n: int, batch_id: str) -> int:
        model = HistoryModel(None, pool)  # each its own: only this batch in the window
        model.set_prices(prices)
        live = batch_edits(n, batch_id)
        for p in live:
            model.apply_progress(p)
        for p in live[: n // 2]:
            model.apply_progress(done(p))
        group = model.group(batch_id)
        assert group is not None
        model._flush_repaint()
        shown(group)  # every figure counted once, before the update measured
        monkeypatch.setattr(HistoryEntry, "__getattribute__", counting_get)
        monkeypatch.setattr(EditProgress, "__getattribute__", counting_get)  # the ticker's
        reads["n"] = 0
        model.apply_progress(running(live[n // 2]))  # one edit of the batch starts
        model._flush_repaint()
        figures = shown(group)
        used = reads["n"]
        monkeypatch.undo()
        assert figures == from_scratch(group, prices)
        model.close()
        return used

    small, big = update_cost(10, "small"), update_cost(500, "big")
    assert big == small, (small, big)
    assert big < 60


def test_the_seconds_tick_while_an_edit_of_the_batch_runs_and_stop_after(model):
    live = batch_edits(50)
    for p in live:
        model.apply_progress(p)
    assert not model._ticker.isActive()  # queued only: nothing counts seconds
    model.apply_progress(running(live[3]))
    model.apply_progress(running(live[4]))
    assert model._ticker.isActive()
    model.apply_progress(done(live[3]))
    assert model._ticker.isActive()  # one still runs
    model.remove([model.entry_for_edit(live[4].edit_id)])  # deleted while it ran
    model._tick()
    assert not model._ticker.isActive()
    model.apply_progress(running(live[5]))
    assert model._ticker.isActive()
    model.apply_progress(failed(live[5]))
    assert not model._ticker.isActive()
