"""Input files: which paths are images to edit (find_images), and a file's SHA-256.

No Pillow here: expanding folders and hashing need only the file system. The skip reasons
are `Reason`s (core.errors.INPUT_REASONS), as in core/pipeline.py.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from qwen_studio.core.errors import Reason

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif"}
)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, read in blocks into one reused buffer.

    Not `f.read(1 MiB)` per block: each such bytes object is an mmap of its own (above
    glibc's mmap threshold as the window sets it), unmapped holding the GIL; readinto and
    sha256 release it, so hashing a 30 MB photo in a pool thread never stalls the window."""
    h = hashlib.sha256()
    buf = bytearray(1 << 18)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


def _sort_key(root: Path) -> object:
    return lambda q: tuple((part.casefold(), part) for part in q.relative_to(root).parts)


def _special_file(p: Path) -> str:
    """'pipe', 'device' or 'socket' for such a path (symlinks followed), else ''."""
    import stat

    try:
        mode = os.stat(p).st_mode
    except OSError:
        return ""  # missing or unreadable: prepare_image says why, with a better reason
    if stat.S_ISFIFO(mode):
        return "pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return ""


def find_images(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand files and folders into image files (recursive, sorted) and skipped files.

    Files given by name are always considered; inside folders, hidden (dot) files and
    folders are skipped silently and symlinked folders are not followed. A file with an
    image extension is listed even if it turns out unreadable: prepare_image reports that
    with a better reason. The same file given twice is listed once.
    Raises FileNotFoundError for a path that does not exist.
    """
    images: list[Path] = []
    skipped: list[tuple[Path, str]] = []  # the reasons are Reason (a str with a code)
    seen: set[str] = set()

    def consider(p: Path) -> None:
        key = os.path.normcase(os.path.abspath(p))
        if key in seen:
            return
        seen.add(key)
        ext = p.suffix.lower()
        kind = _special_file(p)
        if kind:  # reading a FIFO would block forever; a device is never a photo
            skipped.append((p, Reason("unreadable", detail=f"it is a {kind}, not a file")))
        elif ext in IMAGE_EXTENSIONS:
            images.append(p)
        else:
            skipped.append((p, Reason("not_image_type", ext=ext) if ext
                            else Reason("no_extension")))

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else Path(".")
        skipped.append((where, Reason("folder_unreadable", detail=exc.strerror or exc)))

    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise FileNotFoundError(f"{raw}: no such file or folder")
        if not root.is_dir():
            consider(root)
            continue
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            found.extend(Path(dirpath) / fn for fn in filenames if not fn.startswith("."))
        found.sort(key=_sort_key(root))  # type: ignore[arg-type]
        for q in found:
            consider(q)
    return images, skipped
