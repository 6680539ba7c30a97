"""The version tree of chained edits as data: nodes (edit id, parent id, status, prompt,
first result file) read from the library, and their places in a left-to-right graph.

Qt-free so it runs in the pool and tests need no widgets. Re-runs and alternative results
of one parent are siblings: each gets its own row (a branch)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from qwen_studio.core.library import EditRecord

MAX_NODES = 400  # a tree larger than this shows its first 400 versions (breadth first)


class LineageSource(Protocol):
    def lineage(self, edit_id: int) -> list[EditRecord]: ...
    def children(self, edit_id: int) -> list[EditRecord]: ...


@dataclass(frozen=True)
class VersionNode:
    edit_id: int
    parent_id: int | None
    status: str  # an EditStatus value; the UI turns it into words
    prompt: str
    thumbnail: Path | None  # the first result file, if any
    reason: str = ""  # why it was skipped or failed (EditRecord.reason): its status look


def _node(rec: EditRecord) -> VersionNode:
    return VersionNode(edit_id=rec.id, parent_id=rec.parent_id, status=str(rec.status),
                       prompt=rec.request.prompt,
                       thumbnail=rec.result_files[0] if rec.result_files else None,
                       reason=rec.reason)


def load_version_tree(library: LineageSource, edit_id: int) -> list[VersionNode]:
    """Every version of the tree `edit_id` belongs to: its root, then breadth first.
    Library calls: run in the pool."""
    chain = library.lineage(edit_id)
    if not chain:
        return []
    root = chain[0]
    nodes, queue, seen = [_node(root)], [root.id], {root.id}
    while queue and len(nodes) < MAX_NODES:
        for child in library.children(queue.pop(0)):
            if child.id not in seen:
                seen.add(child.id)
                nodes.append(_node(child))
                queue.append(child.id)
    return nodes[:MAX_NODES]


def layout_tree(nodes: Iterable[VersionNode]) -> dict[int, tuple[int, int]]:
    """edit id -> (column, row): depth to the right, each branch on its own row; a parent
    sits on its first child's row, so the main line reads straight across."""
    nodes = list(nodes)
    ids = {n.edit_id for n in nodes}
    kids: dict[int | None, list[int]] = {}
    for n in nodes:
        parent = n.parent_id if n.parent_id in ids else None
        kids.setdefault(parent, []).append(n.edit_id)
    places: dict[int, tuple[int, int]] = {}
    next_row = 0

    def place(edit_id: int, depth: int) -> None:
        nonlocal next_row
        children = kids.get(edit_id, [])
        if not children:
            places[edit_id] = (depth, next_row)
            next_row += 1
            return
        first_row = next_row
        for child in children:
            place(child, depth + 1)
        places[edit_id] = (depth, first_row)

    # Iterative guard is unnecessary: MAX_NODES bounds the depth well below the recursion limit.
    for root in kids.get(None, []):
        place(root, 0)
    return places
