"""Progress on stderr: a redrawn bar on a terminal, one plain line per event otherwise.

Labels, results and reasons come from file names and services: they are printed through
terminal_safe, so an escape sequence in a file name cannot drive the terminal and an
undecodable name cannot crash the print.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from qwen_studio.core.text_safety import terminal_safe


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.done = self.failed = self.skipped = 0
        self.started = time.monotonic()
        self._bar_shown = False

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped

    def _line(self, text: str) -> None:
        if self.tty and self._bar_shown:
            self.stream.write("\r\x1b[2K")
        self.stream.write(text + "\n")
        self._bar_shown = False
        self._draw()

    def _draw(self) -> None:
        if not self.tty or not self.total:
            return
        width = 30
        filled = int(width * self.finished / self.total)
        elapsed = time.monotonic() - self.started
        rate = self.finished / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.finished) / rate if rate > 0 else 0.0
        bar = "█" * filled + "░" * (width - filled)
        self.stream.write(
            f"\r\x1b[2K{bar} {self.finished}/{self.total}  ✓{self.done} ✗{self.failed}"
            f"  {elapsed:4.0f}s" + (f"  ETA {eta:.0f}s" if self.finished < self.total else "")
        )
        self.stream.flush()
        self._bar_shown = True

    def note(self, text: str) -> None:
        self._line(terminal_safe(text))

    def ok(self, label: str, detail: str = "") -> None:
        self.done += 1
        label, detail = terminal_safe(label), terminal_safe(detail)
        self._line(
            f"[{self.finished}/{self.total}] done     {label}" + (f" → {detail}" if detail else "")
        )

    def skip(self, label: str, reason: str, word: str = "") -> None:
        """Skipped (why in brackets); with `word` ("skipped (over budget)") that word
        leads the line and the why follows."""
        self.skipped += 1
        label, reason = terminal_safe(label), terminal_safe(reason)
        if word:
            self._line(f"[{self.finished}/{self.total}] {word}  {label} — {reason}")
        else:
            self._line(f"[{self.finished}/{self.total}] skipped  {label} ({reason})")

    def fail(self, label: str, reason: str) -> None:
        self.failed += 1
        label, reason = terminal_safe(label), terminal_safe(reason)
        self._line(f"[{self.finished}/{self.total}] FAILED   {label}: {reason}")

    def close(self) -> None:
        if self.tty and self._bar_shown:
            self.stream.write("\n")
            self.stream.flush()
