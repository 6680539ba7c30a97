"""A batch budget on the window's path (EditService + library) and the user's price
overrides: edits that do not fit end SKIPPED with the reason in the history, a resume with
a larger budget (counting what the batch already cost) sends only those, and a price set
in Settings is what `qwen-studio usage` and `batch --budget` use."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.config import ConfigStore
from qwen_studio.core.editing.batches import new_batch_id, summarize
from qwen_studio.core.editing.budget import BudgetGate
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import LibrarySink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.core.spend import PriceBook, UnitPrice, user_prices
from qwen_studio.sandbox import SandboxServer

KEY = "test-key"
FAST = ClientSettings(max_attempts=1, read_timeout=20)
PRICES = PriceBook({"qwen-image-edit-plus": (0.25, "USD")})


def photos(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"b{i}.jpg"
        Image.new("RGB", (320, 240), (30 * i, 70, 200)).save(path)
        out.append(path)
    return out


def test_skipped_for_the_budget_then_resumed_with_a_larger_one(tmp_path: Path,
                                                               run_async) -> None:
    server = SandboxServer(api_key=KEY, latency=0.3).start()
    shots = photos(tmp_path / "in", 6)
    library = Library(tmp_path / "lib")
    pool = ThreadPoolExecutor(max_workers=3)
    batch = new_batch_id()

    async def session(go) -> None:
        async with make_http_client(FAST) as http:
            client = ImageClient(http, Endpoint(server.base_url, "bailian", KEY), FAST)
            recorder = EditRecorder(library)
            service = EditService(lambda: client, recorder, LibrarySink(recorder, pool), pool,
                                  concurrency=6)
            try:
                await go(service)
                await service.wait_idle()
            finally:
                await service.close()

    async def first(service: EditService) -> None:
        gate = BudgetGate(UnitPrice(1.0, "USD"), PRICES)  # four images at $0.25
        await service.submit([EditRequest(inputs=(str(p),), prompt="p") for p in shots],
                             batch_id=batch, budget=gate)

    async def resume(service: EditService) -> None:
        gate = BudgetGate.for_batch(library, batch, UnitPrice(1.5, "USD"), PRICES)
        assert gate.spent == pytest.approx(1.0)  # what the batch cost so far
        await service.resume_batch(batch, budget=gate)

    try:
        run_async(session(first))
        rows = library.query(batch_id=batch, limit=50)
        assert server.request_count == 4
        skipped = [r for r in rows if r.status is EditStatus.SKIPPED]
        assert len(skipped) == 2
        assert all(r.error.startswith("over the budget") for r in skipped)  # the history says why
        assert summarize(batch, sorted(rows, key=lambda r: r.id)).over_budget == 2

        run_async(session(resume))
        assert server.request_count == 6  # only the two skipped, nothing done twice
        rows = library.query(batch_id=batch, limit=50)
        assert {r.status for r in rows} == {EditStatus.DONE}
    finally:
        pool.shutdown()
        library.close()
        server.stop()


def test_a_single_edit_cannot_carry_a_budget(run_async) -> None:
    from qwen_studio.core.editing.recorder import NullRecorder

    service = EditService(lambda: None, NullRecorder(), LibrarySink(NullRecorder()))

    async def submit() -> None:
        try:
            await service.submit([EditRequest(inputs=("x.jpg",), prompt="p")],
                                 budget=BudgetGate(UnitPrice(1, "USD"), PRICES))
        finally:
            await service.close()

    with pytest.raises(ValueError, match="batch"):
        run_async(submit())


def test_price_overrides_live_in_the_config_and_price_usage_and_budgets(
        sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert main(["usage", "--set-price", "qwen-image-edit-plus=0.5 cny"]) == 0
    assert "¥0.50 per image (your setting)" in capsys.readouterr().err
    assert ConfigStore().price_overrides() == {"qwen-image-edit-plus": (0.5, "CNY")}
    assert user_prices()("qwen-image-edit-plus") == UnitPrice(0.5, "CNY")
    # --price replaces every price, the config's too.
    assert user_prices(UnitPrice(0.1, "USD"))("qwen-image-edit-plus") == UnitPrice(0.1, "USD")

    monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", sandbox.base_url + "/v1")
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", KEY)
    shots = photos(tmp_path / "in", 3)
    # No --price: the config's CNY price applies, and the budget is read in CNY.
    code = main(["batch", *map(str, shots), "--prompt", "p", "--out", str(tmp_path / "o"),
                 "--budget", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "¥0.50 per image" in err and "1 skipped (over budget)" in err
    assert sandbox.request_count == 2

    assert main(["usage", "--json"]) == 0
    usage = json.loads(capsys.readouterr().out)
    assert usage["total"]["amounts"] == {"CNY": 1.0} and usage["total"]["images"] == 2

    assert main(["usage", "--clear-price", "qwen-image-edit-plus"]) == 0
    assert ConfigStore().price_overrides() == {}
    with pytest.raises(SystemExit) as bad:
        main(["usage", "--set-price", "no-price-here"])
    assert bad.value.code == 2 and "is not MODEL=PRICE" in capsys.readouterr().err


def test_images_the_service_answered_with_count_even_if_their_download_fails(
        tmp_path: Path, run_async) -> None:
    # The first answer's result link has expired: the edit fails, but it was billed.
    server = SandboxServer(api_key=KEY, faults="expiredx1").start()
    shots = photos(tmp_path / "in", 3)
    library = Library(tmp_path / "lib")
    pool = ThreadPoolExecutor(max_workers=2)
    gate = BudgetGate(UnitPrice(0.5, "USD"), PRICES)  # two images at $0.25

    async def scenario() -> list[int]:
        async with make_http_client(FAST) as http:
            client = ImageClient(http, Endpoint(server.base_url, "bailian", KEY), FAST)
            recorder = EditRecorder(library)
            service = EditService(lambda: client, recorder, LibrarySink(recorder, pool), pool,
                                  concurrency=1)
            try:
                ids = await service.submit(
                    [EditRequest(inputs=(str(p),), prompt="p") for p in shots],
                    batch_id=new_batch_id(), budget=gate)
                await service.wait_idle()
                return [p.status for i in ids if (p := service.snapshot(i)) is not None]
            finally:
                await service.close()

    try:
        statuses = run_async(scenario())
        assert statuses == [EditStatus.FAILED, EditStatus.DONE, EditStatus.SKIPPED]
        assert server.request_count == 2 and gate.spent == pytest.approx(0.5)
    finally:
        pool.shutdown()
        library.close()
        server.stop()
