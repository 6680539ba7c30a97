"""Who owns a file another process may also see: this process's (host, pid, start time).

Temp files and input claims in a shared output folder carry their owner, so a second copy
of the app can tell a live process's files (never touched) from a killed run's leftovers.
The start time guards against a recycled pid; another host's owner cannot be checked, so
its files are judged by age only.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass


@functools.cache
def host_tag() -> str:
    """A short, file-name-safe tag of this machine's name."""
    # Imported here: hashlib loads OpenSSL (~2.5 ms) and socket ~2.5 ms, which the window's
    # first frame (it imports the library, hence this module) need not wait for.
    import hashlib
    import socket

    try:
        name = socket.gethostname()
    except OSError:
        name = ""
    return hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:8]


def process_start(pid: int) -> str:
    """The kernel's start time of `pid` (Linux), or "" where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = stat.rpartition(b")")[2].split()
    return fields[19].decode("ascii", "replace") if len(fields) > 19 else ""


@dataclass(frozen=True)
class Owner:
    """A process that owns files: its host, pid and start time."""

    host: str
    pid: int
    started: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"host": self.host, "pid": self.pid, "started": self.started}

    @classmethod
    def from_dict(cls, data: object) -> Owner | None:
        if not isinstance(data, dict):
            return None
        host, pid, started = data.get("host"), data.get("pid"), data.get("started", "")
        if not isinstance(host, str) or not isinstance(pid, int) or isinstance(pid, bool):
            return None
        return cls(host, pid, started if isinstance(started, str) else "")


@functools.cache
def this_process() -> Owner:
    pid = os.getpid()
    return Owner(host_tag(), pid, process_start(pid))


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill would terminate it there: ask the kernel instead
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OSError:
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def owner_alive(owner: Owner) -> bool | None:
    """True/False for an owner on this machine; None when it is another machine's."""
    if owner.host != host_tag():
        return None
    if owner == this_process():
        return True
    if not pid_alive(owner.pid):
        return False
    if owner.started:
        now = process_start(owner.pid)
        if now and now != owner.started:
            return False  # the pid was recycled: the owner is gone
    return True
