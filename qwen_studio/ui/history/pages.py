"""Worker thread: the reads behind the history's pages. A page is keyset-paged
(`Library.query_page`, before the last row listed) and leaves out the batches already
listed; a new batch's members come with its row, in one query each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from qwen_studio.core.library import EditRecord, Library
from qwen_studio.ui.history.entries import HistoryFilter

MEMBERS_MAX = 100_000  # a batch's members are loaded with its row, in one query

# records, the new batches' members, the total (first page only), the newest id and the
# library's data version (first page only: the watcher's baseline).
Page: TypeAlias = tuple[list[EditRecord], dict[str, list[EditRecord]], int | None, int,
                        int | None]


def read_page(lib: Library, flt: HistoryFilter, cursor: tuple[float, int] | None, size: int,
              known: set[str], first: bool) -> Page:
    # The watcher's baseline first: a row written meanwhile is then a change after it.
    version = lib.data_version() if first else None
    top = lib.max_id() if first else 0
    records = lib.query_page(**flt.query_kwargs(), before=cursor, limit=size,
                             exclude_batches=known)
    members = members_of(lib, flt, records, known)
    total = lib.count(**flt.query_kwargs()) if first else None
    return records, members, total, top, version


def members_of(lib: Library, flt: HistoryFilter, records: Iterable[EditRecord],
               known: set[str]) -> dict[str, list[EditRecord]]:
    """Every member (matching the filter) of the new batches among records."""
    batches = {r.batch_id for r in records if r.batch_id is not None} - known
    kwargs = flt.query_kwargs()
    out: dict[str, list[EditRecord]] = {}
    for b in batches:
        kwargs["batch_id"] = b
        out[b] = lib.query(**kwargs, limit=MEMBERS_MAX)
    return out
