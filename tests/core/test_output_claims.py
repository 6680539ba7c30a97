"""Attacks on the hardening's own mechanisms: claims of dead and live processes, claim
races, FIFOs where files belong, and the trusted-origin rule of the address policy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qwen_studio.core.address_policy import DownloadGuard, literal_ip, special_address
from qwen_studio.core.output_claims import CLAIMS_DIR, ClaimBook, ClaimState
from qwen_studio.core.output_folder import OutputFolder
from qwen_studio.core.ownership import host_tag, this_process

ID = "a" * 64


def _dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def _write_claim(folder: Path, owner: dict[str, object]) -> Path:
    path = folder / CLAIMS_DIR / f"{ID}.claim"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(owner))
    return path


def test_a_dead_runs_claim_is_taken_over(tmp_path: Path) -> None:
    _write_claim(tmp_path, {"host": host_tag(), "pid": _dead_pid(), "started": ""})
    assert ClaimBook(tmp_path).claim(ID).claimed


def test_a_live_processes_claim_is_respected(tmp_path: Path) -> None:
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        _write_claim(tmp_path, {"host": host_tag(), "pid": live.pid, "started": ""})
        outcome = ClaimBook(tmp_path).claim(ID)
        assert outcome.state is ClaimState.HELD and outcome.owner is not None
        assert outcome.owner.pid == live.pid
    finally:
        live.kill()
        live.wait()
    assert ClaimBook(tmp_path).claim(ID).claimed  # once it is gone, the edit is free


def test_a_recycled_pid_does_not_keep_a_claim(tmp_path: Path) -> None:
    me = this_process()
    if not me.started:
        pytest.skip("process start times are read from /proc (Linux)")
    _write_claim(tmp_path, {"host": host_tag(), "pid": os.getpid(), "started": "1"})
    assert ClaimBook(tmp_path).claim(ID).claimed


def test_only_one_of_many_racing_claimers_wins(tmp_path: Path) -> None:
    _write_claim(tmp_path, {"host": host_tag(), "pid": _dead_pid(), "started": ""})
    books = [ClaimBook(tmp_path) for _ in range(12)]
    results: list[bool] = []
    barrier = threading.Barrier(len(books))

    def go(book: ClaimBook) -> None:
        barrier.wait()
        results.append(book.claim(ID).claimed)

    threads = [threading.Thread(target=go, args=(b,)) for b in books]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    # Same process: every later claimer sees our own claim as held (a duplicate input).
    assert results.count(True) == 1


def test_stale_claims_are_swept_and_the_folder_left_tidy(tmp_path: Path) -> None:
    _write_claim(tmp_path, {"host": host_tag(), "pid": _dead_pid(), "started": ""})
    OutputFolder(tmp_path)
    assert not (tmp_path / ".qwen-studio").exists()


def test_a_fifo_posing_as_a_result_or_claim_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "trap.png")
    os.mkfifo(tmp_path / "trap.json")
    (tmp_path / CLAIMS_DIR).mkdir(parents=True)
    os.mkfifo(tmp_path / CLAIMS_DIR / f"{ID}.claim")
    folder = OutputFolder(tmp_path)  # would block forever opening the FIFOs
    assert folder.done_identities() == set()
    assert folder.claims.claim(ID).claimed


@pytest.mark.parametrize(("endpoint", "url", "trusted"), [
    ("http://127.0.0.1:8000", "http://localhost:8000/r.png", True),
    ("http://localhost:8000", "http://127.0.0.1:8000/r.png", True),
    ("http://localhost:8000", "http://127.0.0.1:8001/r.png", False),
    ("http://192.168.1.5:8000", "http://192.168.1.5:8000/r.png", True),
    ("http://192.168.1.5:8000", "http://192.168.1.6:8000/r.png", False),
    ("https://gw.example.com", "https://gw.example.com:443/r.png", True),
])
def test_the_endpoint_origin_is_trusted_and_nothing_else(endpoint: str, url: str,
                                                         trusted: bool) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    assert DownloadGuard.for_endpoint(endpoint).trusts(parts.hostname or "", port) is trusted


@pytest.mark.parametrize("host", ["::1", "fe80::1%eth0", "::ffff:10.0.0.1", "2002:7f00:1::",
                                  "64:ff9b::a9fe:a9fe", "0.0.0.0", "0", "100.64.0.1",
                                  "224.0.0.1", "169.254.169.254", "[::]"])
def test_special_addresses_in_odd_spellings(host: str) -> None:
    ip = literal_ip(host)
    assert ip is not None and special_address(ip)


def test_public_addresses_are_fine() -> None:
    for host in ("93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"):
        ip = literal_ip(host)
        assert ip is not None and not special_address(ip)
