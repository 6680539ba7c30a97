"""Results paid for that their destination could not take: kept safe, recorded, named.

One mechanism for every sink. The output folder of `qwen-studio batch` (full, read-only,
removed) and the window's library (disk full) both lose a result only after Alibaba has
billed it, so the bytes go somewhere else first:
- `keep_unsaved` stores them (the library's content store when one is given and works,
  else <data dir>/unsaved) and, for an output folder, appends a ledger line so the resumed
  run saves these bytes into the folder instead of paying for the edit again
  (OutputFolder.kept_results reads `ledger_entries`);
- `kept_error` is the error the user sees: why the save failed and where the result is.

Light on purpose (no Pillow): the window's edit service imports it when a save fails.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qwen_studio.core.atomic import write_new
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.library_files import sniff_extension
from qwen_studio.core.safe_json import loads_bounded

if TYPE_CHECKING:
    from qwen_studio.core.library import Library

LEDGER_MAX_BYTES = 16 * 2**20


def unsaved_dir() -> Path:
    from qwen_studio.core import paths

    return paths.data_dir() / "unsaved"


def ledger_path() -> Path:
    return unsaved_dir() / "ledger.jsonl"


def image_suffix(data: bytes) -> str:
    """Results are PNG per the contract; keep whatever else arrives under its real type
    (recognised as the library recognises stored files)."""
    if not data:
        return ".png"
    return "." + (sniff_extension(bytes(data[:16])) or "bin")


def keep_unsaved(images: Sequence[bytes], library: Library | None = None, *,
                 folder: Path | None = None, identity: str = "",
                 name: str = "result") -> list[Path]:
    """Keep received results their destination could not take; returns where they are.

    The library's content-addressed store first (the history then shows them), else
    <data dir>/unsaved/<name>-<k>.<ext>. [] if neither can take them (both on the full
    disk). With `folder` and `identity`, a ledger remembers them, so the resumed run saves
    these bytes into the folder instead of paying for the edit again. Synchronous.
    """
    kept: list[Path] = []
    if library is not None:
        try:
            kept = [library.store_bytes(bytes(data), image_suffix(data))[1] for data in images]
        except (OSError, QwenStudioError):
            kept = []
    if not kept:
        try:
            where = unsaved_dir()
            kept = [write_new(where / f"{name}-{k}{image_suffix(data)}", bytes(data))
                    for k, data in enumerate(images, start=1)]
        except OSError:
            return []
    if folder is not None and identity:
        line = json.dumps({"folder": str(folder.resolve()), "identity": identity,
                           "files": [str(p) for p in kept]}, ensure_ascii=True)
        with contextlib.suppress(OSError):
            ledger_path().parent.mkdir(parents=True, exist_ok=True)
            with ledger_path().open("a", encoding="ascii") as f:
                f.write(line + "\n")
    return kept


def kept_error(why: BaseException, kept: Sequence[Path]) -> QwenStudioError:
    """The error naming why a paid-for result was not saved and where it is kept."""
    head = why.user_message if isinstance(why, QwenStudioError) else (
        "the result could not be saved ("
        + (why.strerror if isinstance(why, OSError) and why.strerror else type(why).__name__)
        + ")")
    if not kept:
        return QwenStudioError(f"{head}; it could not be kept anywhere else either",
                               hint="Free some space; the edit must be run again.")
    return QwenStudioError(f"{head}; it was kept in " + ", ".join(map(str, kept)),
                           hint="Free some space or fix the folder, then copy it from there.")


def keep_or_name(edit_id: int, images: Sequence[bytes], why: BaseException
                 ) -> QwenStudioError:
    """The service's fallback when any sink fails to store a paid-for result: keep the
    bytes in the data folder and return the error that names them (synchronous)."""
    return kept_error(why, keep_unsaved(images, name=f"edit-{edit_id}"))


def ledger_entries(folder: Path) -> list[dict[str, Any]]:
    """The ledger's entries for `folder` (results kept because it could not take them)."""
    try:
        if ledger_path().stat().st_size > LEDGER_MAX_BYTES:
            return []
        lines = ledger_path().read_text("ascii", errors="replace").splitlines()
    except OSError:
        return []
    here = str(folder.resolve())
    entries = []
    for line in lines:
        try:
            entry = loads_bounded(line, max_bytes=1 << 16)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("folder") == here:
            entries.append(entry)
    return entries
