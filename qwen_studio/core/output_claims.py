"""Cross-process claims on edits in one output folder: each input is sent (paid for) once.

Two copies of the app (two `batch` runs, or a window and a batch) working on the same
folder each claim an edit's identity before sending it: `.qwen-studio/claims/<identity>
.claim` is created with O_EXCL, holding the owner (host, pid, process start time).
Whoever creates the file sends; the other sees it taken. The owner removes the claim only
after the result and its sidecar are written, so a run that claims afterwards finds the
result (OutputFolder.is_done) and skips it. Empty claim folders are removed, leaving the
user's folder as it was.

A claim whose owner is dead (same machine: its pid is gone or was recycled) is stale: it
is taken over by renaming it aside and claiming afresh. Takers hold a per-claim takeover
lock (O_EXCL) while they judge and rename, so a taker that judged the stale claim cannot
rename aside the fresh claim another taker made meanwhile (both would then send).
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from qwen_studio.core.ownership import Owner, host_tag, owner_alive, pid_alive, this_process
from qwen_studio.core.safe_json import loads_bounded

STATE_DIR = ".qwen-studio"
CLAIMS_DIR = f"{STATE_DIR}/claims"
# A claim from another machine (shared network folder) cannot be checked; after this long
# its owner has surely stopped.
FOREIGN_CLAIM_AGE_S = 6 * 60 * 60
# A claim file is written in one small write; empty or unreadable for longer than this
# means its writer died between create and write.
UNREADABLE_GRACE_S = 30.0
# A takeover lock is held for one judge-and-rename; older than this, its holder died.
# A claim is written whole under this suffix, then linked into place (see _create).
_PART = ".claimpart"
TAKEOVER_STALE_S = 10.0


class ClaimState(enum.Enum):
    CLAIMED = "claimed"  # ours now: send it (after checking it is not done meanwhile)
    HELD = "held"  # another live process (or this one, for a duplicate input) has it


@dataclass(frozen=True)
class ClaimOutcome:
    state: ClaimState
    owner: Owner | None = None

    @property
    def claimed(self) -> bool:
        return self.state is ClaimState.CLAIMED


def _safe_identity(identity: str) -> str:
    if not identity or len(identity) > 128 or not all(c.isalnum() or c in "-_"
                                                      for c in identity):
        raise ValueError(f"not an edit identity: {identity!r}")
    return identity


class ClaimBook:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.directory = folder / CLAIMS_DIR

    def _path(self, identity: str) -> Path:
        return self.directory / f"{_safe_identity(identity)}.claim"

    def claim(self, identity: str) -> ClaimOutcome:
        """Try to become the one process that sends this edit."""
        path = self._path(identity)
        record = json.dumps({**this_process().to_dict(), "at": time.time()}).encode("utf-8")
        for _ in range(8):
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._create(path, record)
            except FileNotFoundError:
                continue  # another run tidied the empty folder away just now
            except FileExistsError:
                outcome = self._judge(path)
                if outcome is not None:
                    return outcome
                self._take_over(path)  # stale: move it aside and try again
                continue
            return ClaimOutcome(ClaimState.CLAIMED, this_process())
        return ClaimOutcome(ClaimState.HELD)  # claims keep changing: someone is busy with it

    def _create(self, path: Path, record: bytes) -> None:
        """Create the claim with its owner in it, or raise FileExistsError. Written to a
        private file and hard-linked into place (the link fails if a claim exists), so a
        run killed mid-claim leaves no empty claim that would hold the edit for
        UNREADABLE_GRACE_S; where there are no hard links, created in place."""
        part = self.directory / f"{host_tag()}-{os.getpid()}-{os.urandom(4).hex()}{_PART}"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, record)
        finally:
            os.close(fd)
        try:
            os.link(part, path)
        except (FileExistsError, FileNotFoundError):
            raise
        except OSError:  # no hard links here (some network shares)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                os.write(fd, record)
            finally:
                os.close(fd)
        finally:
            with contextlib.suppress(OSError):
                part.unlink()

    def _judge(self, path: Path) -> ClaimOutcome | None:
        """What an existing claim means, or None when it is stale (or gone)."""
        return self._judge_existing(path)[1]

    def _judge_existing(self, path: Path) -> tuple[bool, ClaimOutcome | None]:
        """(whether a claim file is there, what _judge says). No file is not a stale claim:
        a fresh one may be created any moment, and must not be taken for the old one."""
        try:
            if not path.is_file():  # a FIFO would block the read: not a claim of ours
                return os.path.lexists(path), None
            raw = path.read_bytes()[:1 << 16]
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            return False, None
        except OSError:
            return True, ClaimOutcome(ClaimState.HELD)
        try:
            owner = Owner.from_dict(loads_bounded(raw, max_bytes=1 << 16))
        except ValueError:
            owner = None
        if owner is None:  # being written right now, or its writer died mid-write
            return True, ClaimOutcome(ClaimState.HELD) if age < UNREADABLE_GRACE_S else None
        alive = owner_alive(owner)
        if alive is None:
            alive = age < FOREIGN_CLAIM_AGE_S
        return True, ClaimOutcome(ClaimState.HELD, owner) if alive else None

    def _take_over(self, path: Path) -> None:
        """Retire `path` if it is still stale, judged again under its takeover lock: only
        takers change a stale claim, so what was judged is what gets renamed."""
        lock = path.with_name(path.name + ".takeover")
        try:
            os.close(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        except FileExistsError:  # another taker is at it; the caller looks again
            with contextlib.suppress(OSError):
                if time.time() - lock.stat().st_mtime > TAKEOVER_STALE_S:
                    lock.unlink()  # its holder died mid-takeover
            time.sleep(0.005)
            return
        except OSError:
            return
        try:
            there, outcome = self._judge_existing(path)
            if there and outcome is None:
                self._retire(path)
        finally:
            with contextlib.suppress(OSError):
                lock.unlink()

    def _retire(self, path: Path) -> None:
        aside = path.with_name(f"{path.name}.stale-{os.getpid()}-{os.urandom(4).hex()}")
        try:
            os.rename(path, aside)  # only one racing taker wins this
        except OSError:
            return
        with contextlib.suppress(OSError):
            aside.unlink()

    def sweep(self) -> int:
        """Remove the stale claims of killed runs (edits they never finished); returns how
        many. Live processes' claims are left alone."""
        removed = 0
        if not self.directory.is_dir():
            return 0
        for path in self.directory.glob("*.claim"):
            if self._judge(path) is None:
                self._take_over(path)
                removed += 1
        for part in self.directory.glob(f"*{_PART}"):  # a killed run's half-made claim
            host, _, rest = part.name[:-len(_PART)].rpartition("-")[0].rpartition("-")
            try:
                dead = (not pid_alive(int(rest))) if host == host_tag() else (
                    time.time() - part.stat().st_mtime > FOREIGN_CLAIM_AGE_S)
            except (ValueError, OSError):
                continue
            if dead:
                with contextlib.suppress(OSError):
                    part.unlink()
        with contextlib.suppress(OSError):
            self.directory.rmdir()
            (self.folder / STATE_DIR).rmdir()
        return removed

    def release(self, identity: str) -> None:
        """Give the edit up: done (its result and sidecar are written), failed or cancelled.
        Only our own claim is removed; empty claim folders go too."""
        path = self._path(identity)
        outcome = self._judge(path)
        if outcome is not None and outcome.owner == this_process():
            with contextlib.suppress(OSError):
                path.unlink()
        with contextlib.suppress(OSError):  # fails while other claims remain: fine
            self.directory.rmdir()
            (self.folder / STATE_DIR).rmdir()
