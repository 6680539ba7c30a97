"""`qwen-studio batch --budget` as a process against the sandbox over real HTTP: at
concurrency 8 the batch never spends past its budget (each request reserves its images
before it goes), what did not fit is "skipped (over budget)" with exit code 1, and running the
same command with a larger budget sends only what was skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import KEY, batch
from PIL import Image

from qwen_studio.sandbox import SandboxServer

PRICE = 0.1


def photos(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.new("RGB", (320, 240), (i * 12 % 256, 80, 140)).save(folder / f"p{i:02d}.jpg")
    return folder


@pytest.fixture
def slow_sb() -> Iterator[SandboxServer]:
    # Every answer takes a while, so eight requests really are in flight together.
    server = SandboxServer(api_key=KEY, latency=0.6).start()
    try:
        yield server
    finally:
        server.stop()



def images_sent(sb: SandboxServer) -> int:
    """Images the service was asked for (a request's n; 1 when not given)."""
    return sum(int((body.get("parameters") or {}).get("n", 1)) for body in sb.received)


def test_concurrency_8_never_spends_past_the_budget(slow_sb, tmp_path: Path) -> None:
    inputs = photos(tmp_path / "in", 20)
    out = tmp_path / "out"
    # 2 images per edit at $0.10: $1.10 fits five edits ($1.00), never a sixth.
    run = batch(slow_sb, str(inputs), "--prompt", "studio backdrop", "--out", str(out),
                "--n", "2", "--concurrency", "8", "--budget", "1.10", "--price", str(PRICE))
    assert run.returncode == 1, run.stderr  # something was skipped for the budget
    assert images_sent(slow_sb) * PRICE <= 1.10 + 1e-9
    assert slow_sb.request_count == 5
    assert len(list(out.glob("*.png"))) == 10
    # The window's words, on each line and in the summary.
    assert "5 done, 0 already done, 15 skipped (over budget), 0 failed of 20" in run.stderr
    skipped = [line for line in run.stderr.splitlines()
               if line.startswith("[") and "] skipped (over budget)  " in line]
    assert len(skipped) == 15
    assert all(" — over the budget: " in line for line in skipped)
    assert "15 skipped (over budget): run the same command with a larger --budget" in run.stderr
    assert "skipped: budget" not in run.stderr
    assert "Estimated spend: $1.00 (10 image(s) × $0.10)" in run.stderr


def test_failed_edits_free_their_reservation_and_the_spend_still_fits(tmp_path: Path) -> None:
    server = SandboxServer(api_key=KEY, latency=0.4, faults="500:0.4", seed=3).start()
    try:
        inputs = photos(tmp_path / "in", 16)
        out = tmp_path / "out"
        run = batch(server, str(inputs), "--prompt", "p", "--out", str(out), "--attempts", "1",
                    "--concurrency", "8", "--budget", "0.6", "--price", str(PRICE))
        results = len(list(out.glob("*.png")))
        # Only returned images are billed: failures cost nothing and made room for others.
        assert results * PRICE <= 0.6 + 1e-9
        assert results == 6, run.stderr
        assert server.request_count > 6  # the failed ones were sent, and more after them
        assert run.returncode == 1
    finally:
        server.stop()


@pytest.mark.slow
def test_a_larger_budget_sends_only_what_was_skipped(slow_sb, tmp_path: Path) -> None:
    inputs = photos(tmp_path / "in", 6)
    out = tmp_path / "out"
    common = [str(inputs), "--prompt", "p", "--out", str(out), "--concurrency", "8",
              "--price", str(PRICE)]
    first = batch(slow_sb, *common, "--budget", "0.2")
    assert first.returncode == 1 and slow_sb.request_count == 2, first.stderr
    # Same budget again: the two results in the folder are spent already; nothing is sent.
    again = batch(slow_sb, *common, "--budget", "0.2")
    assert again.returncode == 1 and slow_sb.request_count == 2, again.stderr
    assert "0 done, 2 already done, 4 skipped (over budget)" in again.stderr
    larger = batch(slow_sb, *common, "--budget", "0.6")
    assert larger.returncode == 0, larger.stderr
    assert slow_sb.request_count == 6  # the four skipped ones, nothing twice
    assert len(list(out.glob("*.png"))) == 6
    assert "4 done, 2 already done, 0 skipped (over budget), 0 failed" in larger.stderr


def test_a_budget_needs_a_price_and_its_currency(sandbox, tmp_path: Path) -> None:
    inputs = photos(tmp_path / "in", 1)
    out = tmp_path / "out"
    # The model catalog prices the default model (qwen-image-edit-plus); it gives none for
    # qwen-image-edit.
    no_price = batch(sandbox, str(inputs), "--prompt", "p", "--out", str(out), "--budget", "5",
                     "--model", "qwen-image-edit")
    assert no_price.returncode == 2
    assert "--budget needs a price per image" in no_price.stderr
    assert "Traceback" not in no_price.stderr
    wrong = batch(sandbox, str(inputs), "--prompt", "p", "--out", str(out), "--budget", "5 CNY",
                  "--price", "0.1")
    assert wrong.returncode == 2 and "priced in USD" in wrong.stderr
    assert sandbox.request_count == 0
    fits = batch(sandbox, str(inputs), "--prompt", "p", "--out", str(out), "--budget", "5",
                 "--price", "0.1")
    assert fits.returncode == 0, fits.stderr
    assert "0 skipped (over budget)" in fits.stderr
