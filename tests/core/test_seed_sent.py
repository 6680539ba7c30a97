"""The seed sent is the seed recorded: with the seed left random, `qwen-studio batch` and
the window's edit service draw one and send it, and the sidecar, the PNG, the library and
`history --json` all name that seed, never "random". A re-run asking "random" again finds
its finished work and sends nothing; a retry sends the same seed again."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cli_helpers import cli_env_fixture  # noqa: F401  (env)
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import LibrarySink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.image_metadata import request_from_image
from qwen_studio.core.library import Library
from qwen_studio.core.png_metadata import read_png_metadata
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer

KEY = "test-key"


def photos(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"s{i}.jpg"
        Image.new("RGB", (320, 240), (40 * i, 120, 60)).save(path)
        out.append(path)
    return out


def seeds_received(sb: SandboxServer) -> list[int]:
    return [body["parameters"]["seed"] for body in sb.received]


def test_batch_with_random_seed_records_the_seed_it_sent(env, tmp_path: Path, capsys) -> None:
    shots = photos(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert main(["batch", *map(str, shots), "--prompt", "golden hour", "--out", str(out)]) == 0
    sent = seeds_received(env)
    assert len(sent) == 3 and all(isinstance(s, int) for s in sent)  # drawn and sent

    for image in sorted(out.glob("*.png")):
        sidecar = json.loads(image.with_suffix(".json").read_text("utf-8"))
        seed = sidecar["request"]["seed"]
        assert seed in sent and sidecar["seed_drawn"] is True
        recalled = request_from_image(image.read_bytes())  # the PNG's own metadata
        assert recalled is not None and recalled.seed == seed
        embedded = json.loads(read_png_metadata(image.read_bytes())["qwen_studio"])
        assert embedded["request"]["seed"] == seed and embedded["seed_drawn"] is True
    capsys.readouterr()
    assert main(["history", "--json"]) == 0
    records = [r for r in json.loads(capsys.readouterr().out)
               if r["request"]["prompt"] == "golden hour"]
    assert sorted(r["request"]["seed"] for r in records) == sorted(sent)
    assert all(r["seed_drawn"] for r in records)

    # Re-running with the seed left random: everything is done, nothing is sent.
    assert main(["batch", *map(str, shots), "--prompt", "golden hour", "--out", str(out)]) == 0
    assert env.request_count == 3
    assert "0 done, 3 already done" in capsys.readouterr().err


def test_window_edit_records_the_seed_sent_and_a_retry_sends_it_again(tmp_path: Path,
                                                                       run_async) -> None:
    server = SandboxServer(api_key=KEY, faults="500x1").start()  # the first answer fails
    shot = photos(tmp_path / "in", 1)[0]
    settings = ClientSettings(max_attempts=1, backoff_base=0.01, read_timeout=20)
    library = Library(tmp_path / "lib")
    pool = ThreadPoolExecutor(max_workers=2)
    events: list[EditProgress] = []

    async def scenario() -> int:
        async with make_http_client(settings) as http:
            client = ImageClient(http, Endpoint(server.base_url, "bailian", KEY), settings)
            recorder = EditRecorder(library)
            service = EditService(lambda: client, recorder, LibrarySink(recorder, pool), pool)
            service.subscribe(events.append)
            try:
                [edit_id] = await service.submit(
                    [EditRequest(inputs=(str(shot),), prompt="warmer")], batch_id=new_batch_id())
                await service.wait_idle()
                failed = service.snapshot(edit_id)
                assert failed is not None and failed.status is EditStatus.FAILED
                assert service.retry(edit_id)
                await service.wait_idle()
                return edit_id
            finally:
                await service.close()

    try:
        edit_id = run_async(scenario())
        first, second = seeds_received(server)
        assert first == second  # the retry sends the seed drawn for this edit
        record = library.get(edit_id)
        assert record is not None and record.status is EditStatus.DONE
        assert record.request.seed is None  # what was asked: random, the edit's identity
        assert record.seed_sent == first == record.seed
        done = events[-1]
        assert done.status is EditStatus.DONE and done.result is not None
        assert done.result.seed == first
    finally:
        pool.shutdown()
        library.close()
        server.stop()
