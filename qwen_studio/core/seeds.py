"""Seeds you can reproduce: when the user leaves the seed random, the app draws it and sends it.

What was asked ("random": `EditRequest.seed is None`) stays the edit's identity: the
library's request, the batch resume key. What was sent is the edit's outcome: recorded
in the library (`edits.seed_sent`) before the request goes, embedded in the result's
metadata (the request as sent), shown by the history, `history --json` and the gallery.
An edit keeps its drawn seed across retries; "vary" asks for the next one.

The service does not promise the same image for the same seed (Alibaba's own words): a
seed makes a result likelier to repeat, not certain.

The hook for the edit runner, right before it sends (see `seed_for_sending`)::

    to_send = seed_for_sending(library, edit_id, request)   # request: as asked
    result = await client.generate(to_send, images)
    # metadata and sidecar: metadata_for(to_send, {**extra, **seed_extra(request)})
    # resume identity: request.identity(...)  -- the request as asked, never to_send
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from qwen_studio.core.library import EditRecord, Library
from qwen_studio.core.request import SEED_MAX, EditRequest

NOT_PROMISED = ("The service does not promise identical images for the same seed: it makes "
                "a repeat likelier, not certain.")


def draw_seed(rng: Callable[[int], int] | None = None) -> int:
    """A seed in the service's range 0..SEED_MAX (`rng(n)` returns 0..n-1; default secrets)."""
    below = rng or secrets.randbelow
    return int(below(SEED_MAX + 1))


def seed_for_sending(library: Library | None, edit_id: int | None, request: EditRequest,
                     *, rng: Callable[[int], int] | None = None) -> EditRequest:
    """The request to send: the seed asked for, else the one drawn for this edit before
    (a retry sends the same), else a new one, recorded in the library first."""
    if request.seed is not None:
        seed = request.seed
    else:
        record = library.get(edit_id) if library is not None and edit_id is not None else None
        seed = record.seed_sent if record is not None and record.seed_sent is not None \
            else draw_seed(rng)
    if library is not None and edit_id is not None:
        library.set_seed_sent(edit_id, seed)
    return request if request.seed == seed else request.with_changes(seed=seed)


def seed_extra(asked: EditRequest) -> dict[str, Any]:
    """What to add to embedded metadata and sidecars so "random" is not lost."""
    return {"seed_drawn": True} if asked.seed is None else {}


def record_seed_extra(record: EditRecord) -> dict[str, Any]:
    """seed_extra for a recorded edit (nothing for edits from before seeds were kept)."""
    return seed_extra(record.request) if record.seed_sent is not None else {}


def sent_request(record: EditRecord) -> EditRequest:
    """The edit's request as it was sent (its seed filled in when it was random)."""
    if record.request.seed is None and record.seed_sent is not None:
        return record.request.with_changes(seed=record.seed_sent)
    return record.request


def reuse_seed(record: EditRecord, request: EditRequest | None = None) -> EditRequest:
    """`request` (default: the edit's own) with the seed this edit was made with."""
    base = request if request is not None else record.request
    seed = record.seed
    return base if seed is None else base.with_changes(seed=seed)


def next_seed(seed: int) -> int:
    return 0 if seed >= SEED_MAX else seed + 1


def vary(record: EditRecord) -> EditRequest:
    """The edit again with the next seed (a close sibling to compare with)."""
    seed = record.seed
    return record.request.with_changes(seed=None if seed is None else next_seed(seed))
