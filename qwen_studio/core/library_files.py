"""The library's files: content-addressed storage (files/<sha[:2]>/<sha>.<ext>, each
registered in `blobs`), recognising image types by their bytes, and thumbnails.

`LibraryFiles` is the file half of core/library.py's Library, which supplies the root,
the connection, its lock and transactions; it is not used on its own.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from qwen_studio.core import paths
from qwen_studio.core.atomic import write_atomic
from qwen_studio.core.errors import InputImageError, Reason

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tif"),
    (b"MM\x00*", "tif"),
)


def sniff_extension(data: bytes) -> str | None:
    """File extension from the first bytes of an image, or None if not recognised."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    return None


def _clean_ext(suffix: str) -> str:
    ext = re.sub(r"[^a-z0-9]", "", suffix.lower())[:8]
    return {"jpeg": "jpg", "tiff": "tif"}.get(ext, ext) or "bin"


class LibraryFiles:
    """Storing and finding files (a mixin of Library, which sets what is declared here)."""

    root: Path
    files_dir: Path
    _folders: dict[str, Path]  # files_dir's subfolders by name (file_path)
    _lock: threading.RLock

    if TYPE_CHECKING:  # Library's; declared so this half type-checks on its own

        @property
        def conn(self) -> sqlite3.Connection: ...

        def _tx(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def file_path(self, sha256: str, ext: str) -> Path:
        # A page of history names ~200 files: the name joined to its folder's Path, kept
        # (at most 256), parses one part where a whole path string parses all of them.
        folder = self._folders.get(sha256[:2])
        if folder is None:
            folder = self._folders[sha256[:2]] = self.files_dir / sha256[:2]
        return folder / f"{sha256}.{ext}"

    def path_for_hash(self, sha256: str) -> Path | None:
        """The stored file with this content, if the library has it (a region edit's mask:
        the recorder finds it for a re-run, the window for a recall)."""
        with self._lock:
            row = self.conn.execute(
                "SELECT ext FROM blobs WHERE sha256 = ?", (sha256,)
            ).fetchone()
        return self.file_path(sha256, row[0]) if row else None

    def _write_blob(self, data: bytes, ext: str) -> tuple[str, str, Path]:
        import hashlib  # loads OpenSSL (~2.5 ms): not before the window's first frame

        sha = hashlib.sha256(data).hexdigest()
        with self._lock:
            row = self.conn.execute("SELECT ext FROM blobs WHERE sha256 = ?", (sha,)).fetchone()
        if row:
            ext = row[0]  # same content stored before: keep its name
        path = self.file_path(sha, ext)
        if not path.exists() or path.stat().st_size != len(data):
            write_atomic(path, data)  # content-addressed: a concurrent writer writes the same
        return sha, ext, path

    def _register_blobs(
        self, conn: sqlite3.Connection, blobs: Iterable[tuple[str, str, int]]
    ) -> None:
        now = time.time()
        conn.executemany(
            "INSERT INTO blobs(sha256, ext, size, touched_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(sha256) DO UPDATE SET touched_at = excluded.touched_at",
            [(sha, ext, size, now) for sha, ext, size in blobs],
        )

    def store_bytes(self, data: bytes, suffix: str) -> tuple[str, Path]:
        """Keep `data` (exactly these bytes) in the library; returns (sha256, stored path)."""
        sha, ext, path = self._write_blob(bytes(data), _clean_ext(suffix))
        with self._tx() as conn:
            self._register_blobs(conn, [(sha, ext, len(data))])
        return sha, path

    def store_input(self, path: Path) -> tuple[str, Path]:
        """Copy an input image into the library (once per content); returns (sha256, copy)."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputImageError(str(path), Reason("unreadable", detail=e.strerror or e)) from e
        ext = sniff_extension(data[:16]) or _clean_ext(path.suffix)
        return self.store_bytes(data, ext)

    # -- thumbnails ----------------------------------------------------------------------------
    def small_thumbnail(self, path: Path) -> bytes | None:
        """A few-KB WebP of a file the library stores (an input or a result), made once and
        kept under thumbs/, named by the file's content hash like the file itself. None for
        a file that is not the library's (the caller decodes it some other way).

        Slow the first time (decodes the image): call it from a worker thread."""
        from qwen_studio.core.library_thumbs import small_thumbnail

        path = Path(path)
        if path.parent.parent != self.files_dir:
            return None
        return small_thumbnail(path, self.root / "thumbs")

    def thumbnail(self, path: Path, max_side: int = 256) -> Path:
        """A PNG thumbnail of `path`, made once and cached under cache_dir()/thumbnails.

        Keyed by path, size and modification time, so a changed file gets a new thumbnail.
        Slow (decodes the image): call it from a worker thread.
        """
        import hashlib

        from qwen_studio.core.pipeline import make_thumbnail  # decode stack only when needed

        path = Path(path)
        st = path.stat()
        key = hashlib.sha256(
            f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{max_side}".encode()
        ).hexdigest()
        target = paths.cache_dir() / "thumbnails" / key[:2] / f"{key}.png"
        if not target.exists():
            write_atomic(target, make_thumbnail(path, max_side=max_side))
        return target
