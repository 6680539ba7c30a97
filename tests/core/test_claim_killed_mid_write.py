"""A run killed while it makes a claim must not hold that edit (for UNREADABLE_GRACE_S, as
an empty claim file did): the next run claims it at once and the half-made file goes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qwen_studio.core.output_claims import CLAIMS_DIR, ClaimBook

ID = "b" * 64

# Dies (as kill -9 would) right after the claim file is created, before anything else.
_VICTIM = """
import os, sys
from pathlib import Path
from qwen_studio.core.output_claims import ClaimBook
real_link, real_write = os.link, os.write
def die_after_link(src, dst, *a, **k):
    real_link(src, dst, *a, **k)
    os._exit(9)
def die_on_claim_write(fd, data):  # the old way: O_EXCL create, then write
    if b'"pid"' in data and not any(p.name.endswith("claimpart") for p in
                                     (Path(sys.argv[1]) / ".qwen-studio" / "claims").iterdir()):
        os._exit(9)
    return real_write(fd, data)
os.link, os.write = die_after_link, die_on_claim_write
ClaimBook(Path(sys.argv[1])).claim(sys.argv[2])
"""


def test_a_claim_killed_mid_write_does_not_hold_the_edit(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _VICTIM, str(tmp_path), ID])
    assert done.returncode == 9
    assert ClaimBook(tmp_path).claim(ID).claimed  # not "another run is editing it"
    ClaimBook(tmp_path).release(ID)
    ClaimBook(tmp_path).sweep()
    assert not (tmp_path / CLAIMS_DIR).exists()  # no half-made claim left behind
