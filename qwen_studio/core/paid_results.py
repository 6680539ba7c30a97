"""Results a service billed that were not downloaded: their links, kept to download again.

Alibaba bills an edit when it answers with images; the images are then fetched from
signed, expiring links (24 hours, api-contract "Success response"). When that download
fails (the network drops, the result host misbehaves, the disk is full), what was paid
for is the links: they are kept in the library (table `paid_results`) so a retry fetches
them instead of sending the edit again, and spend counts them as billed. Once a link has
expired (the host answers 403/404/410, or it is older than the contract's lifetime) or
is useless (what it serves is not an image, too large, a hostile redirect) the row stays
as `expired`: it still counts as spent, and a retry sends the edit again.

The links carry signed query strings: they are not the API key, but they are stored only
here and shown or logged only as `link_text` (host and file name, no query).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from qwen_studio.core.errors import ApiError

if TYPE_CHECKING:
    from qwen_studio.core.library import Library
    from qwen_studio.core.styles.base import GenerationResult

# api-contract.md: "Result URLs expire after 24 hours". A little less, so a link is not
# fetched in its last minutes only to fail halfway.
LINK_LIFETIME_S = 24 * 3600 - 300
EXPIRED_STATUSES = frozenset({403, 404, 410})  # what a result host answers for a dead link


@dataclass(frozen=True)
class KeptResult:
    """Billed results not downloaded yet, as the service's answer named them."""

    id: int
    edit_id: int
    urls: tuple[str, ...]
    billed_at: float
    identity: str = ""
    answer: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def images(self) -> int:
        return len(self.urls)

    def too_old(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) - self.billed_at > LINK_LIFETIME_S

    def generation(self) -> GenerationResult:
        """The answer again, as the runner downloads it (links only; nothing is sent)."""
        from qwen_studio.core.styles.base import GenerationResult, ResultRef

        a = self.answer
        return GenerationResult(
            images=tuple(ResultRef(url=u) for u in self.urls),
            revised_prompt=str(a.get("revised_prompt") or ""),
            usage=dict(a.get("usage") or {}), request_id=str(a.get("request_id") or ""),
            created=a.get("created") if isinstance(a.get("created"), int) else None)


class NotDownloaded(Exception):
    """The service answered (and billed) but its images were not fetched (or not saved):
    `cause` says why; `result` is the answer, whose links are what was paid for."""

    def __init__(self, result: GenerationResult, cause: Exception) -> None:
        super().__init__(str(cause))
        self.result = result
        self.cause = cause

    @property
    def urls(self) -> tuple[str, ...] | None:
        """The links to download again; None when an image came inline (nothing to keep)."""
        urls = tuple(r.url or "" for r in self.result.images)
        if not urls or any(not u.startswith(("http://", "https://")) for u in urls):
            return None
        return urls

    @property
    def link_useless(self) -> bool:
        """Fetching the link again cannot help: the host says it is gone (403/404/410) or
        the failure is not one that heals (not an image, too large, a refused redirect:
        the client's non-retryable errors). Network drops, 5xx and a full disk heal."""
        if getattr(self.cause, "status", None) in EXPIRED_STATUSES:
            return True
        return isinstance(self.cause, ApiError) and not self.cause.retryable


def link_text(url: str) -> str:
    """A result link as it may be shown or logged: host and file name, never the query."""
    parts = urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1]
    return f"{parts.hostname or '?'}/…/{name}" if name else parts.hostname or "?"


def answer_of(result: GenerationResult) -> dict[str, Any]:
    return {"revised_prompt": result.revised_prompt, "usage": dict(result.usage),
            "request_id": result.request_id, "created": result.created}


def keep(library: Library, edit_id: int, urls: Sequence[str], *, identity: str = "",
         answer: dict[str, Any] | None = None, billed_at: float | None = None) -> KeptResult:
    """Remember the links of results billed for `edit_id` that were not downloaded."""
    when = time.time() if billed_at is None else billed_at
    answer_json = json.dumps(answer or {}, ensure_ascii=False, default=str)
    with library.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO paid_results(edit_id, identity, billed_at, images, urls_json,"
            " answer_json) VALUES (?, ?, ?, ?, ?, ?)",
            (edit_id, identity, when, len(urls), json.dumps(list(urls)), answer_json))
        row_id = int(cur.lastrowid or 0)
    return KeptResult(row_id, edit_id, tuple(urls), when, identity, dict(answer or {}))


_SELECT = ("SELECT id, edit_id, urls_json, billed_at, identity, answer_json FROM paid_results"
           " WHERE state = 'kept'")


def _kept(row: Sequence[Any] | None) -> KeptResult | None:
    if row is None:
        return None
    try:
        urls = tuple(str(u) for u in json.loads(row[2]))
        answer = json.loads(row[5] or "{}")
    except (ValueError, TypeError):
        return None
    return KeptResult(int(row[0]), int(row[1]), urls, float(row[3]), str(row[4]),
                      answer if isinstance(answer, dict) else {})


def kept_for(library: Library, edit_id: int) -> KeptResult | None:
    """The newest kept (not expired) links billed for this edit, or None."""
    with library.reading() as conn:
        row = conn.execute(_SELECT + " AND edit_id = ? ORDER BY id DESC LIMIT 1",
                           (edit_id,)).fetchone()
    return _kept(row)


def kept_by_identity(library: Library, identity: str) -> KeptResult | None:
    """Kept links of any edit with this identity (the same request on the same inputs),
    whose edit is not done: how a rerun of `qwen-studio batch` finds what a run before it
    paid for."""
    if not identity:
        return None
    with library.reading() as conn:
        row = conn.execute(
            _SELECT + " AND identity = ? AND NOT EXISTS (SELECT 1 FROM edits e"
            " WHERE e.id = paid_results.edit_id AND e.status = 'done')"
            " ORDER BY id DESC LIMIT 1", (identity,)).fetchone()
    return _kept(row)


def take(library: Library, kept: KeptResult, edit_id: int) -> None:
    """The links now belong to `edit_id` (a rerun's edit downloads them): billed once."""
    with library.transaction() as conn:
        conn.execute("UPDATE paid_results SET edit_id = ? WHERE id = ?", (edit_id, kept.id))


def expire(library: Library, kept: KeptResult) -> None:
    """The links are dead: still paid for (spend counts them), no longer downloadable."""
    with library.transaction() as conn:
        conn.execute("UPDATE paid_results SET state = 'expired' WHERE id = ?", (kept.id,))
