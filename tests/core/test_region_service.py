"""Region edits through the EditService against the sandbox over loopback and a real library:
the crop is what is sent, each result is a full-size composite with its metadata, every pixel
outside the mask and its feather is the original's, the mask is stored content-addressed with
the edit, and a re-run of the recorded edit finds and applies it."""

from __future__ import annotations

import base64
import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import LibrarySink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.png_metadata import read_png_metadata
from qwen_studio.core.region import changed_pixels, mask_png
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.core.request import EditRequest

FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=2, read_timeout=20)
SIZE = (1600, 1200)
BLOB = (1000, 300, 1300, 600)  # the painted part of the mask (an ellipse's box)
FEATHER = 8


def _photo(path: Path) -> Image.Image:
    im = Image.effect_noise(SIZE, 40).convert("RGB")
    ImageDraw.Draw(im).rectangle((100, 100, 700, 900), fill=(30, 120, 200))
    im.save(path)
    return im


def _mask() -> tuple[Image.Image, bytes, str]:
    # Drawn at half the photo's size, as a window's working-resolution mask can be.
    m = Image.new("L", (SIZE[0] // 2, SIZE[1] // 2), 0)
    ImageDraw.Draw(m).ellipse(tuple(v // 2 for v in BLOB), fill=255)
    data, sha = mask_png(m)
    return m, data, sha


def _keep() -> Image.Image:
    """255 where nothing may change: beyond the mask's box grown by the feather (+4 for
    the scaling of the half-size mask and the ellipse's inclusive edge)."""
    keep = Image.new("L", SIZE, 255)
    x0, y0, x1, y1 = BLOB
    g = FEATHER + 4
    keep.paste(0, (x0 - g, y0 - g, x1 + g, y1 + g))
    return keep


def _sent_size(body: dict) -> tuple[int, int]:
    uri = body["input"]["messages"][0]["content"][0]["image"]
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).size


class Harness:
    def __init__(self, base_url: str, root: Path) -> None:
        self.base_url, self.root = base_url, root
        self.events: list[EditProgress] = []

    async def run(self, requests: list[EditRequest], masks: list[bytes] | None = None
                  ) -> list[int]:
        library = Library(self.root)
        pool = ThreadPoolExecutor(max_workers=3)
        try:
            async with make_http_client(FAST) as http:
                client = ImageClient(http, Endpoint(self.base_url, "bailian", "test-key"), FAST)
                recorder = EditRecorder(library)
                service = EditService(lambda: client, recorder, LibrarySink(recorder, pool),
                                      pool, 2)
                service.subscribe(self.events.append)
                try:
                    ids = await service.submit(requests, masks=masks or ())
                    await service.wait_idle()
                finally:
                    await service.close()
            return ids
        finally:
            pool.shutdown(wait=True)
            library.close()

    def last(self, edit_id: int) -> EditProgress:
        return [p for p in self.events if p.edit_id == edit_id][-1]


def test_a_masked_edit_gives_full_size_composites_and_keeps_its_mask(
        sandbox, run_async, tmp_path: Path) -> None:
    src = _photo(tmp_path / "photo.png")
    _m, mask, sha = _mask()
    spec = RegionSpec(mask_sha256=sha, feather=FEATHER)
    asked = EditRequest(inputs=(str(tmp_path / "photo.png"),), prompt="a red balloon", n=2,
                        region=spec)
    h = Harness(sandbox.base_url, tmp_path / "lib")
    [edit_id] = run_async(h.run([asked], [mask]))

    last = h.last(edit_id)
    assert last.status is EditStatus.DONE, last.error
    body = sandbox.received[-1]
    sent = _sent_size(body)
    assert sent[0] < SIZE[0] and sent[1] < SIZE[1]  # the crop went, not the photo
    assert body["parameters"]["size"] != asked.size  # the crop's aspect was asked
    with Library(tmp_path / "lib") as lib:
        rec = lib.get(edit_id)
        assert rec is not None and rec.status is EditStatus.DONE
        assert rec.request.region == spec and rec.request.size is None  # the user's request
        # The mask is stored content-addressed: recalled with the edit, byte for byte.
        stored = lib.path_for_hash(sha)
        assert stored is not None and stored.read_bytes() == mask
        assert len(rec.result_files) == 2
        outs = []
        for k, path in enumerate(rec.result_files, start=1):
            png = path.read_bytes()
            assert png.startswith(b"\x89PNG")
            out = Image.open(io.BytesIO(png))
            assert out.size == SIZE
            out = out.convert("RGB")
            # Outside the mask and its feather: the original's pixels, exactly.
            moved = ImageChops.multiply(changed_pixels(src, out), _keep())
            assert moved.getbbox() is None
            assert changed_pixels(src.crop(BLOB), out.crop(BLOB)).getbbox() is not None
            meta = json.loads(read_png_metadata(png)["qwen_studio"])
            assert meta["request"]["region"] == spec.to_dict()
            x0, y0, x1, y1 = meta["region"]["crop"]
            assert x0 <= BLOB[0] and y0 <= BLOB[1] and x1 >= BLOB[2] and y1 >= BLOB[3]
            assert meta["result_index"] == k and meta["region"]["mask_sha256"] == sha
            outs.append(out)
        # n = 2: each result is its own composite of its own answer.
        assert changed_pixels(outs[0].crop(BLOB), outs[1].crop(BLOB)).getbbox() is not None

        # A purge of deleted edits keeps a mask a live edit names.
        assert lib.purge_deleted(0) == 0
        assert lib.path_for_hash(sha) is not None and stored.is_file()
        recorded = rec.request.with_changes(inputs=tuple(str(p) for p in rec.input_files))

    # Re-run the recorded edit (a new session, no mask handed over): the stored mask is
    # found and applied; the same crop is sent.
    h2 = Harness(sandbox.base_url, tmp_path / "lib")
    [again] = run_async(h2.run([recorded]))
    assert h2.last(again).status is EditStatus.DONE, h2.last(again).error
    assert _sent_size(sandbox.received[-1]) == sent
    with Library(tmp_path / "lib") as lib:
        rec2 = lib.get(again)
        assert rec2 is not None and rec2.request.region == spec
        for path in rec2.result_files:
            out = Image.open(path).convert("RGB")
            assert ImageChops.multiply(changed_pixels(src, out), _keep()).getbbox() is None


def test_use_as_input_starts_from_the_full_resolution_composite(
        sandbox, run_async, tmp_path: Path) -> None:
    _photo(tmp_path / "photo.png")
    h = Harness(sandbox.base_url, tmp_path / "lib")
    region = EditRequest(inputs=(str(tmp_path / "photo.png"),), prompt="a hat",
                         region=RegionSpec(rect=(200, 200, 300, 200), feather=4))
    [first] = run_async(h.run([region]))
    result = h.last(first).result
    assert result is not None and len(result.paths) == 1
    follow = EditRequest(inputs=(str(result.paths[0]),), prompt="warmer light")
    [second] = run_async(h.run([follow]))
    assert h.last(second).status is EditStatus.DONE
    assert _sent_size(sandbox.received[-1]) == SIZE  # the whole composite, full size
    with Library(tmp_path / "lib") as lib:
        rec = lib.get(second)
        assert rec is not None and rec.parent_id == first  # lineage follows the result


def test_a_region_edit_whose_mask_is_missing_fails_saying_so(
        sandbox, run_async, tmp_path: Path) -> None:
    _photo(tmp_path / "photo.png")
    _m, _mask_bytes, sha = _mask()
    h = Harness(sandbox.base_url, tmp_path / "lib")
    request = EditRequest(inputs=(str(tmp_path / "photo.png"),), prompt="x",
                          region=RegionSpec(mask_sha256=sha))
    [edit_id] = run_async(h.run([request]))  # no mask handed over, none stored
    last = h.last(edit_id)
    assert last.status is EditStatus.FAILED and not sandbox.request_count
    assert last.error is not None and "mask" in last.error.user_message
    assert "not found" in last.error.user_message
