"""Fault plans: which misbehaviour the sandbox shows on the next generation request.

A spec is a comma list of `KIND:PROB` (random per request, from a seeded RNG, so a run is
reproducible) and/or `KINDxN` (the next N generation requests), e.g. "429x2,500:0.1".
Queued faults (from `KINDxN` and `inject`) are used first, in order; only when the queue is
empty are the probabilistic ones rolled.
"""

from __future__ import annotations

import random
import re
import threading
from collections import deque

# Answered instead of (or, for `slow`, after a delay before) the normal generation answer.
GENERATION_FAULTS: frozenset[str] = frozenset(
    {
        "429",  # Throttling with Retry-After: 1
        "429bare",  # Throttling without Retry-After
        "500",  # InternalError JSON
        "502html",  # nginx HTML page
        "503",  # ServiceUnavailable JSON
        "504",  # plain text "Gateway Timeout"
        "reset",  # TCP reset, no answer
        "malformed",  # 200 with invalid JSON
        "truncated",  # 200, Content-Length larger than the body, then close
        "moderation",  # 400 DataInspectionFailed
        "empty_data",  # 200 with no images
        "no_image",  # 200 with an item whose url and b64_json are ""
        "slow",  # sleep slow_seconds before answering normally
    }
)
# The generation succeeds, but its result URLs misbehave when fetched.
# `dropped`: the result host resets the connection for the first `dropped_fetches`
# downloads of each result, then serves it (a result CDN that drops connections for a
# while: the edit is billed, its download fails, a later retry gets it).
RESULT_FAULTS: frozenset[str] = frozenset(
    {"expired", "notfound", "not_image", "huge", "redirect_scheme", "dropped"}
)
FAULT_KINDS: frozenset[str] = GENERATION_FAULTS | RESULT_FAULTS

_QUEUED_RE = re.compile(r"^(?P<kind>[a-z0-9_]+)x(?P<n>\d+)$")
_PROB_RE = re.compile(r"^(?P<kind>[a-z0-9_]+):(?P<p>[0-9]*\.?[0-9]+)$")


def _check_kind(kind: str) -> str:
    if kind not in FAULT_KINDS:
        raise ValueError(
            f"unknown fault kind {kind!r}; known kinds: {', '.join(sorted(FAULT_KINDS))}"
        )
    return kind


def parse_spec(spec: str | None) -> tuple[list[str], list[tuple[str, float]]]:
    """'429x2,500:0.1' -> (['429', '429'], [('500', 0.1)]). ValueError names the bad part."""
    queued: list[str] = []
    probable: list[tuple[str, float]] = []
    for raw in (spec or "").split(","):
        part = raw.strip()
        if not part:
            continue
        if m := _PROB_RE.match(part):
            p = float(m.group("p"))
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"fault {part!r}: probability must be between 0 and 1")
            probable.append((_check_kind(m.group("kind")), p))
        elif m := _QUEUED_RE.match(part):
            queued.extend([_check_kind(m.group("kind"))] * int(m.group("n")))
        elif part in FAULT_KINDS:
            queued.append(part)  # a bare kind means "once"
        else:
            raise ValueError(
                f"fault {part!r} is not KIND:PROB or KINDxN (e.g. 429x2 or 500:0.1)"
            )
    return queued, probable


class FaultPlan:
    """Thread-safe source of the fault (or None) for each generation request."""

    def __init__(self, spec: str | None = None, *, seed: int = 0) -> None:
        queued, self._probable = parse_spec(spec)
        self._queue: deque[str] = deque(queued)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def inject(self, kind: str, times: int = 1) -> None:
        _check_kind(kind)
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._queue.extend([kind] * times)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._probable = []

    def pending(self) -> list[str]:
        with self._lock:
            return list(self._queue)

    def next_fault(self) -> str | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            # Roll every probabilistic fault so the RNG sequence does not depend on outcomes.
            hits = [kind for kind, p in self._probable if self._rng.random() < p]
            return hits[0] if hits else None
