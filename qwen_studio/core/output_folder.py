"""A folder of batch results: `<stem>-<k>.png` + `<stem>-<k>.json`, resumable, never overwritten.

Resuming matches by what was edited (input content hash + request), not by file name, so
renaming or moving inputs does not redo work, and changing the prompt does.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qwen_studio.core.atomic import remove_stale_temps, write_new
from qwen_studio.core.filenames import safe_filename
from qwen_studio.core.png_metadata import embed_png_metadata, metadata_for
from qwen_studio.core.request import EditRequest

SIDECAR_FORMAT = "qwen-studio/result-v1"


def image_suffix(data: bytes) -> str:
    """Results are PNG per the contract; keep whatever else arrives under its real type."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return ".png" if not data else ".bin"


@dataclass(frozen=True)
class SavedResult:
    image: Path
    sidecar: Path


class OutputFolder:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.stale_temps_removed = remove_stale_temps(directory)
        self._lock = threading.Lock()
        self._reserved: set[str] = set()

    def done_identities(self) -> set[str]:
        """Identities of edits whose every result listed in a sidecar is present."""
        by_identity: dict[str, bool] = {}
        for sidecar in self.directory.glob("*.json"):
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
                identity = meta["identity"]
                image = self.directory / meta["image"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            ok = image.is_file() and image.stat().st_size > 0
            by_identity[identity] = by_identity.get(identity, True) and ok
        return {k for k, ok in by_identity.items() if ok}

    def reserve_base(self, stem: str, n: int) -> str:
        """A base name whose `-1..-n` image and sidecar names are all free (in this run too)."""
        clean = safe_filename(stem, max_len=100, fallback="image")
        with self._lock:
            for i in range(1, 100_000):
                base = clean if i == 1 else f"{clean}_{i}"
                if base in self._reserved:
                    continue
                taken = any(
                    p.stem.rsplit("-", 1)[0] == base
                    for p in self.directory.glob(f"{_glob_escape(base)}-*")
                )
                if not taken:
                    self._reserved.add(base)
                    return base
        raise FileExistsError(f"no free output name for {stem!r}")

    def save(
        self, base: str, k: int, image: bytes, request: EditRequest, sidecar: dict[str, Any]
    ) -> SavedResult:
        """Write the image (metadata embedded, pixels untouched), then its sidecar."""
        suffix = image_suffix(image)
        data = image
        if suffix == ".png":
            try:
                data = embed_png_metadata(image, metadata_for(request, {"result_index": k}))
            except ValueError:
                data = image  # not a well-formed PNG after all: keep the bytes exactly
        image_path = write_new(self.directory / f"{base}-{k}{suffix}", data)
        meta = {"format": SIDECAR_FORMAT, "image": image_path.name, **sidecar}
        side_path = write_new(
            image_path.with_suffix(".json"),
            json.dumps(meta, indent=2, ensure_ascii=False).encode("utf-8"),
        )
        return SavedResult(image_path, side_path)


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "[]*?" else c for c in text)
