"""The seed contract with a batch's output folder: results carry the seed sent, and the
resume key stays the request as asked ("random"), so a re-run with the seed left random
finds its finished work instead of sending it again (and drawing a new seed)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from qwen_studio.core.image_metadata import request_from_image
from qwen_studio.core.output_folder import OutputFolder
from qwen_studio.core.request import EditRequest
from qwen_studio.core.seeds import seed_extra, seed_for_sending


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_a_rerun_with_random_seed_finds_the_results_of_the_first_run(tmp_path: Path) -> None:
    asked = EditRequest(inputs=("shoe.jpg",), prompt="studio backdrop")
    identity = asked.identity(("a" * 64,))
    folder = OutputFolder(tmp_path)
    to_send = seed_for_sending(None, None, asked, rng=lambda n: 4242)
    saved = folder.save(folder.reserve_base("shoe", 1), 1, png(), to_send,
                        {"identity": identity, "result_count": 1,
                         "request": to_send.to_dict(), **seed_extra(asked)})

    # The file and its sidecar say which seed was sent…
    assert request_from_image(saved.image.read_bytes()).seed == 4242
    sidecar = json.loads(saved.sidecar.read_text("utf-8"))
    assert sidecar["request"]["seed"] == 4242 and sidecar["seed_drawn"] is True
    # …and the second run, asking "random" again, knows this edit is done.
    rerun = EditRequest(inputs=("shoe.jpg",), prompt="studio backdrop")
    assert rerun.identity(("a" * 64,)) in OutputFolder(tmp_path).done_identities()
    assert to_send.identity(("a" * 64,)) != identity  # why the asked request is the key
