"""A folder of batch results: `<stem>-<k>.png` + `<stem>-<k>.json`, resumable, never overwritten.

Resuming matches by what was edited (input content hash + request), not by file name, so
renaming or moving inputs does not redo work, and changing the prompt does.

Crash safety: each file is written whole (atomic.write_new), image first, then its sidecar.
A run killed between the two leaves an image without a sidecar; the PNG carries the edit's
identity in its own metadata, so the next run writes the missing sidecar instead of paying
for the edit again and leaving a duplicate. An edit counts as done only when every one of
its `result_count` results is present.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qwen_studio.core.atomic import remove_stale_temps, write_new
from qwen_studio.core.filenames import safe_filename
from qwen_studio.core.png_metadata import embed_png_metadata, metadata_for, read_png_metadata
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
        self._taken: set[str] | None = None  # bases in use, listed lazily

    def _sidecars(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        """Our sidecars (a user's own .json files in the folder are left alone)."""
        for sidecar in self.directory.glob("*.json"):
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(meta, dict) and meta.get("format") == SIDECAR_FORMAT:
                yield sidecar, meta

    def done_identities(self) -> set[str]:
        """Identities of edits whose results (all `result_count` of them) are all present."""
        self.recover_orphans()
        found: dict[str, set[int]] = {}
        expected: dict[str, int] = {}
        broken: set[str] = set()
        for _sidecar, meta in self._sidecars():
            try:
                identity = str(meta["identity"])
                image = self.directory / Path(str(meta["image"])).name
                index = int(meta.get("result_index", 1))
                count = int(meta.get("result_count", 1))
            except (KeyError, TypeError, ValueError):
                continue
            if not (image.is_file() and image.stat().st_size > 0):
                broken.add(identity)
                continue
            found.setdefault(identity, set()).add(index)
            expected[identity] = max(expected.get(identity, 0), count)
        return {
            identity for identity, indexes in found.items()
            if identity not in broken and indexes >= set(range(1, expected[identity] + 1))
        }

    def recover_orphans(self) -> int:
        """Write the sidecar of each result image a killed run saved without one.

        Only images that name their edit in our own embedded metadata are adopted.
        Returns how many sidecars were written.
        """
        described = {str(meta.get("image")) for _p, meta in self._sidecars()}
        recovered = 0
        for image in self.directory.glob("*.png"):
            if image.name in described:
                continue
            try:
                with image.open("rb") as f:
                    record = json.loads(read_png_metadata(f.read()).get("qwen_studio", ""))
                identity = record["identity"]
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not one of ours, or from before identities were embedded
            meta = {
                "format": SIDECAR_FORMAT,
                "image": image.name,
                "identity": identity,
                "result_index": record.get("result_index", 1),
                "result_count": record.get("result_count", 1),
                "request": record.get("request"),
                **({"seed_drawn": True} if record.get("seed_drawn") else {}),
                "recovered": "the run was interrupted before this sidecar was written",
            }
            write_new(image.with_suffix(".json"),
                      json.dumps(meta, indent=2, ensure_ascii=False).encode("utf-8"))
            recovered += 1
        return recovered

    def reserve_base(self, stem: str, n: int) -> str:
        """A base name whose `-1..-n` image and sidecar names are all free (in this run too).

        The folder is listed once, not once per job: a 500-photo batch would otherwise stat
        the whole folder 500 times. write_new still refuses to overwrite if another process
        took a name since.
        """
        clean = safe_filename(stem, max_len=100, fallback="image")
        with self._lock:
            if self._taken is None:
                self._taken = {
                    p.stem.rsplit("-", 1)[0] for p in self.directory.iterdir() if "-" in p.stem
                }
            for i in range(1, 100_000):
                base = clean if i == 1 else f"{clean}_{i}"
                if base not in self._taken:
                    self._taken.add(base)
                    return base
        raise FileExistsError(f"no free output name for {stem!r}")

    def save(
        self, base: str, k: int, image: bytes, request: EditRequest, sidecar: dict[str, Any]
    ) -> SavedResult:
        """Write the image (metadata embedded, pixels untouched), then its sidecar."""
        suffix = image_suffix(image)
        data = image
        if suffix == ".png":
            # The identity travels in the PNG so a lost sidecar can be rebuilt (see above).
            extra = {"result_index": k, "result_count": sidecar.get("result_count", 1),
                     "identity": sidecar.get("identity", ""),
                     # The seed was drawn by the app (the request asked "random").
                     **({"seed_drawn": True} if sidecar.get("seed_drawn") else {})}
            if "region" in sidecar:  # a region edit's crop box and mask, in the PNG too
                extra["region"] = sidecar["region"]
            try:
                data = embed_png_metadata(image, metadata_for(request, extra))
            except ValueError:
                data = image  # not a well-formed PNG after all: keep the bytes exactly
        image_path = write_new(self.directory / f"{base}-{k}{suffix}", data)
        meta = {"format": SIDECAR_FORMAT, "image": image_path.name, **sidecar}
        side_path = write_new(
            image_path.with_suffix(".json"),
            json.dumps(meta, indent=2, ensure_ascii=False).encode("utf-8"),
        )
        return SavedResult(image_path, side_path)
