"""The batch budget: reserve before sending, so concurrent sends never overshoot; failed
edits cost nothing; what does not fit is skipped with a reason and a resume with a larger
budget sends only the rest."""

from __future__ import annotations

import asyncio
import base64
import io
import random

import pytest
from PIL import Image

from qwen_studio.core.client import ImageClient
from qwen_studio.core.editing.budget import BudgetGate, OverBudget
from qwen_studio.core.endpoint import ClientSettings, Endpoint
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.http_session import make_http_client
from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.request import EditRequest
from qwen_studio.core.spend import PriceBook, UnitPrice

PRICES = PriceBook({"qwen-image-edit-plus": (0.15, "USD"), "qwen-image-edit": (0.2, "CNY")})


def data_uri() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (512, 512), (40, 90, 160)).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


async def run_batch(gate: BudgetGate, requests: list[EditRequest], send, concurrency: int = 8):
    """What the queue does: up to `concurrency` edits in flight, each reserved right
    before it is sent, committed with the images returned or released when it fails."""
    limit = asyncio.Semaphore(concurrency)
    outcome: dict[int, str] = {}
    in_flight = peak = 0

    async def one(edit_id: int, request: EditRequest) -> None:
        nonlocal in_flight, peak
        async with limit:
            try:
                reservation = await gate.reserve(edit_id, request)
            except OverBudget as exc:
                assert exc.reason.code in ("over_budget", "no_price")
                outcome[edit_id] = "skipped: budget"
                return
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                images = await send(request)
            except QwenStudioError:
                gate.release(reservation)
                outcome[edit_id] = "failed"
            else:
                gate.commit(reservation, images)
                outcome[edit_id] = "done"
            finally:
                in_flight -= 1

    await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
    return outcome, peak


def test_no_overshoot_at_concurrency_8_against_the_sandbox(sandbox, run_async) -> None:
    sandbox.latency = 0.05  # answers overlap: eight requests are in flight together
    uri = data_uri()
    request = EditRequest(inputs=("a.png",), prompt="studio backdrop", n=2)
    requests = [request] * 24
    budget = UnitPrice(2.0, "USD")  # 0.30 per request: 6 fit (1.80), the 7th would not
    gate = BudgetGate(budget, PRICES)
    sent: list[int] = []

    async def scenario():
        async with make_http_client(ClientSettings()) as http:
            client = ImageClient(http, Endpoint(sandbox.base_url, "bailian", "test-key"))

            async def send(req: EditRequest) -> int:
                sent.append(1)
                result = await client.generate(req, [uri])
                return len(result.images)

            return await run_batch(gate, requests, send)

    outcome, peak = run_async(scenario())
    assert peak == 6  # as many in flight at once as the budget allows
    assert sum(sent) == len(sandbox.received) == 6
    assert list(outcome.values()).count("done") == 6
    assert list(outcome.values()).count("skipped: budget") == 18
    assert gate.spent == pytest.approx(1.80) and gate.spent <= budget.amount
    assert gate.reserved == 0


def test_failures_release_their_reservation_so_others_can_run(sandbox, run_async) -> None:
    sandbox.inject("moderation", times=3)  # three refusals: never retried, never billed
    uri = data_uri()
    request = EditRequest(inputs=("a.png",), prompt="x", n=1)
    gate = BudgetGate(UnitPrice(0.90, "USD"), PRICES)  # six images' worth

    async def scenario():
        async with make_http_client(ClientSettings(max_attempts=1)) as http:
            client = ImageClient(http, Endpoint(sandbox.base_url, "bailian", "test-key"),
                                 ClientSettings(max_attempts=1))

            async def send(req):
                return len((await client.generate(req, [uri])).images)

            return await run_batch(gate, [request] * 12, send)

    outcome, _ = run_async(scenario())
    values = list(outcome.values())
    assert values.count("failed") == 3
    assert values.count("done") == 6  # the failed ones' money went to others
    assert values.count("skipped: budget") == 3
    assert gate.spent == pytest.approx(0.90)


def test_random_interleavings_never_overshoot(run_async) -> None:
    rng = random.Random(7)
    models = ["qwen-image-edit-plus"]
    requests = [EditRequest(inputs=("a.png",), prompt="x", n=rng.randint(1, 6),
                            model=rng.choice(models)) for _ in range(60)]

    async def send(req: EditRequest) -> int:
        await asyncio.sleep(rng.random() / 200)
        if rng.random() < 0.2:
            raise QwenStudioError("boom")
        return rng.randint(0, req.n)  # the service may return fewer images than asked

    for budget in (0.0, 0.15, 1.0, 3.33, 20.0):
        gate = BudgetGate(UnitPrice(budget, "USD"), PRICES)
        run_async(run_batch(gate, requests, send))
        assert gate.spent <= budget + 1e-9 and gate.reserved == 0


def test_unknown_price_or_other_currency_is_skipped_with_the_reason() -> None:
    gate = BudgetGate(UnitPrice(5, "USD"), PRICES)
    with pytest.raises(OverBudget) as info:
        gate.reserve_now(1, EditRequest(inputs=("a",), prompt="x", model="qwen-image-2.0-pro"))
    assert info.value.reason.code == "no_price"
    assert "qwen-image-2.0-pro" in str(info.value) and "$5.00" in str(info.value)
    with pytest.raises(OverBudget, match="priced in CNY"):
        gate.reserve_now(2, EditRequest(inputs=("a",), prompt="x", model="qwen-image-edit"))
    # --price overrides the catalog for every model.
    gate = BudgetGate(UnitPrice(5, "USD"), PRICES.with_overrides({"*": (1.0, "USD")}))
    gate.reserve_now(3, EditRequest(inputs=("a",), prompt="x", model="qwen-image-2.0-pro"))
    with pytest.raises(OverBudget) as info:
        gate.reserve_now(4, EditRequest(inputs=("a",), prompt="x", n=5,
                                    model="qwen-image-2.0-pro"))
    assert info.value.reason.code == "over_budget"
    assert str(info.value) == ("over the budget: its $5.00 would take the batch to $6.00, "
                               "over $5.00")


def test_commit_books_the_images_returned_once() -> None:
    gate = BudgetGate(UnitPrice(1.0, "USD"), PRICES)
    r = gate.reserve_now(1, EditRequest(inputs=("a",), prompt="x", n=4))
    assert gate.remaining == pytest.approx(0.40)
    assert gate.commit(r, 2) == pytest.approx(0.30)
    assert gate.commit(r, 2) == 0.0  # twice is booked once
    gate.release(r)
    assert gate.spent == pytest.approx(0.30) and gate.remaining == pytest.approx(0.70)


def test_resume_counts_what_the_batch_already_cost(tmp_path) -> None:
    with Library() as lib:
        for _ in range(3):  # three done edits of the batch, 2 images each: $0.90
            eid = lib.create_edit(EditRequest(inputs=("a",), prompt="x", n=2),
                                  input_hashes=[], batch_id="b1")
            lib.set_status(eid, EditStatus.RUNNING)
            lib.complete_edit(eid, [b"\x89PNG\r\n\x1a\n1", b"\x89PNG\r\n\x1a\n2"])
        failed = lib.create_edit(EditRequest(inputs=("a",), prompt="x"), input_hashes=[],
                                 batch_id="b1")
        lib.set_status(failed, EditStatus.FAILED, error="no")
        gate = BudgetGate.for_batch(lib, "b1", UnitPrice(1.0, "USD"), PRICES)
    assert gate.spent == pytest.approx(0.90)
    with pytest.raises(OverBudget):
        gate.reserve_now(9, EditRequest(inputs=("a",), prompt="x", n=1))
