"""Seeds you can reproduce: a random seed is drawn and sent, recorded as the edit's
outcome, and shown everywhere instead of "random"; the request keeps "random" as its
identity."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

from PIL import Image

from qwen_studio.cli.history_commands import add_history_arguments, run_history
from qwen_studio.core.gallery import export_gallery
from qwen_studio.core.image_metadata import request_from_image
from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.png_metadata import read_png_metadata
from qwen_studio.core.request import SEED_MAX, EditRequest
from qwen_studio.core.seeds import (
    draw_seed,
    next_seed,
    reuse_seed,
    seed_for_sending,
    sent_request,
    vary,
)

ASKED = EditRequest(inputs=("a.png",), prompt="relight to golden hour")  # seed: random


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 120, 40)).save(buf, "PNG")
    return buf.getvalue()


def run_edit(lib: Library, asked: EditRequest = ASKED, rng=None) -> tuple[int, EditRequest]:
    """What the runner does: record as asked, draw and record the seed, send, complete."""
    eid = lib.create_edit(asked, input_hashes=[])
    lib.set_status(eid, EditStatus.RUNNING)
    to_send = seed_for_sending(lib, eid, asked, rng=rng)
    lib.complete_edit(eid, [png()])
    return eid, to_send


def test_a_random_seed_is_drawn_sent_and_recorded_while_the_request_stays_random() -> None:
    with Library() as lib:
        eid, to_send = run_edit(lib, rng=lambda n: 123456)
        rec = lib.get(eid)
    assert to_send.seed == 123456 and to_send.with_changes(seed=None) == ASKED
    assert rec.request == ASKED and rec.request.seed is None  # the identity: as asked
    assert rec.request.identity(()) == ASKED.identity(())
    assert rec.seed_sent == 123456 and rec.seed == 123456
    assert sent_request(rec) == to_send


def test_a_retry_sends_the_same_drawn_seed_and_an_asked_seed_is_untouched() -> None:
    with Library() as lib:
        eid = lib.create_edit(ASKED, input_hashes=[])
        first = seed_for_sending(lib, eid, ASKED)
        again = seed_for_sending(lib, eid, ASKED)
        assert first.seed == again.seed is not None
        fixed = ASKED.with_changes(seed=7)
        other = lib.create_edit(fixed, input_hashes=[])
        assert seed_for_sending(lib, other, fixed) is fixed
        assert lib.get(other).seed_sent == 7


def test_drawn_seeds_are_in_range_and_vary() -> None:
    seeds = {draw_seed() for _ in range(50)}
    assert len(seeds) > 45 and all(0 <= s <= SEED_MAX for s in seeds)
    assert draw_seed(lambda n: n - 1) == SEED_MAX
    assert next_seed(SEED_MAX) == 0 and next_seed(41) == 42


def test_reuse_and_vary_use_the_seed_sent() -> None:
    with Library() as lib:
        eid, _ = run_edit(lib, rng=lambda n: 500)
        rec = lib.get(eid)
    assert reuse_seed(rec).seed == 500
    other = EditRequest(inputs=("b.png",), prompt="studio backdrop")
    assert reuse_seed(rec, other) == other.with_changes(seed=500)
    assert vary(rec) == ASKED.with_changes(seed=501)


def test_history_json_and_gallery_show_the_seed_sent_never_random(tmp_path: Path,
                                                                   capsys) -> None:
    with Library() as lib:
        eid, _ = run_edit(lib, rng=lambda n: 98765)
        rec = lib.get(eid)
        out = export_gallery([rec], tmp_path / "g")
    parser = argparse.ArgumentParser()
    add_history_arguments(parser)
    assert run_history(parser.parse_args(["--json"])) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["request"]["seed"] == 98765 and row["seed_drawn"] is True

    page = (out / "index.html").read_text("utf-8")
    assert "seed 98765" in page and "random" not in page
    manifest = json.loads((out / "gallery.json").read_text("utf-8"))
    assert manifest["items"][0]["request"]["seed"] == 98765
    assert manifest["items"][0]["seed_drawn"] is True
    (image,) = (out / "images").iterdir()
    texts = read_png_metadata(image.read_bytes())
    assert "Seed: 98765" in texts["parameters"]
    assert json.loads(texts["qwen_studio"])["seed_drawn"] is True
    assert request_from_image(image.read_bytes()).seed == 98765  # recall reproduces it
