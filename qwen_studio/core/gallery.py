"""Export a set of edits as a self-contained gallery: a folder or a zip archive with

    index.html     offline contact sheet (before/after, prompt, parameters); follows the
                   viewer's light/dark preference
    gallery.json   manifest: every request, revised prompt, usage, timings
    images/        results, named by a pattern, in the chosen format (core/export_formats:
                   converted once, colour profile and parameters embedded)
    inputs/        every input image once

Nothing is ever written outside the target, whatever the prompts contain: every file name
comes from filenames.safe_filename. The target appears complete or not at all (built in a
temp folder/file beside it, then renamed into place), and an existing target is never
replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from qwen_studio import __version__
from qwen_studio.core.atomic import TEMP_PREFIX
from qwen_studio.core.contact_sheet import index_html
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.export_formats import SUFFIXES, check_format, check_quality, export_result
from qwen_studio.core.filenames import expand_pattern, safe_filename, slugify
from qwen_studio.core.image_metadata import sniff_format
from qwen_studio.core.library import EditRecord, EditStatus
from qwen_studio.core.seeds import record_seed_extra, sent_request

DEFAULT_PATTERN = "{date}_{index}_{prompt-slug}"
_NAME_MAX = 100  # bytes; leaves room for "images/" and a " (2)" suffix on any filesystem


class ExportError(QwenStudioError):
    """The gallery could not be written (target exists, nothing to export, disk error)."""


@dataclass
class _Entry:
    arcname: str  # "images/x.png": forward slashes, components from safe_filename
    source: Path | None = None


@dataclass
class _Item:
    record: EditRecord
    results: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class _Names:
    """Unique names within a folder; case-insensitively, as on Windows and macOS."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, stem: str, ext: str) -> str:
        stem = safe_filename(stem, max_len=_NAME_MAX)
        name = f"{stem}{ext}"
        n = 2
        while name.casefold() in self._used:
            name = f"{stem}_{n}{ext}"
            n += 1
        self._used.add(name.casefold())
        return name


def _extra_metadata(record: EditRecord) -> dict[str, Any]:
    return {
        "edit_id": record.id,
        "created_at": record.created_at,
        "revised_prompt": record.revised_prompt,
        "input_hashes": list(record.input_hashes),
        **record_seed_extra(record),
    }


def _result_bytes(record: EditRecord, path: Path, fmt: str | None, quality: int | None) -> bytes:
    data = path.read_bytes()
    if fmt is None:  # as received: PNGs gain their metadata, other formats stay exact
        if sniff_format(data) != "png":
            return data
        fmt = "png"
    try:  # the request as sent (its drawn seed filled in), so it can be reproduced
        return export_result(data, sent_request(record), fmt, quality=quality,
                             extra=_extra_metadata(record))
    except (ValueError, QwenStudioError):
        if fmt == "png":
            return data  # a damaged PNG is still the user's result: keep it as it is
        raise ExportError(f"result {path.name} of edit #{record.id} cannot be converted "
                          f"to {fmt.upper()}") from None


def _plan(
    records: Sequence[EditRecord], pattern: str, suffix: str | None
) -> tuple[list[_Item], list[_Entry]]:
    items: list[_Item] = []
    entries: list[_Entry] = []
    image_names = _Names()
    input_names = _Names()
    input_by_hash: dict[str, str] = {}
    done = [r for r in records if r.status is EditStatus.DONE and r.result_files]
    width = max(3, len(str(len(done))))
    for index, rec in enumerate(done, start=1):
        item = _Item(rec)
        # Inputs: once each, named after the user's file, so "before" is recognisable.
        files_by_hash = {p.stem: p for p in rec.input_files}
        for pos, sha in enumerate(rec.input_hashes):
            src = files_by_hash.get(sha)
            if src is None:
                continue  # an http(s) URL input: nothing stored, the request names it
            if sha not in input_by_hash:
                original = rec.request.inputs[pos] if pos < len(rec.request.inputs) else ""
                stem = Path(original.replace("\\", "/")).stem or sha[:12]
                name = input_names.take(stem, src.suffix.lower())
                input_by_hash[sha] = f"inputs/{name}"
                entries.append(_Entry(input_by_hash[sha], source=src))
            item.inputs.append(input_by_hash[sha])
        first_input = rec.request.inputs[0] if rec.request.inputs else ""
        when = datetime.fromtimestamp(rec.created_at)
        multi = len(rec.result_files) > 1 and "{k}" not in pattern
        for k, path in enumerate(rec.result_files, start=1):
            if not path.is_file():
                item.missing.append(path.name)
                continue
            fields = {
                "date": when.strftime("%Y-%m-%d"),
                "time": when.strftime("%H%M%S"),
                "index": str(index).zfill(width),
                "k": str(k),
                "id": str(rec.id),
                "prompt-slug": slugify(rec.request.prompt, fallback=""),
                "stem": Path(first_input.replace("\\", "/")).stem,
                "model": rec.request.model,
                "seed": "" if rec.seed is None else str(rec.seed),
            }
            stem = expand_pattern(pattern, fields, max_len=_NAME_MAX)
            if multi:  # several results and no {k}: keep them apart visibly
                stem = f"{stem[: _NAME_MAX - 4]}-{k}"
            name = image_names.take(stem, suffix or path.suffix.lower() or ".png")
            item.results.append(f"images/{name}")
            entries.append(_Entry(f"images/{name}", source=path))
        items.append(item)
    return items, entries


def _manifest(items: list[_Item], title: str, created: float) -> dict[str, Any]:
    return {
        "title": title,
        "created": datetime.fromtimestamp(created).astimezone().isoformat(timespec="seconds"),
        "app": "Qwen Studio",
        "app_version": __version__,
        "items": [
            {
                "id": it.record.id,
                "created_at": it.record.created_at,
                "created": datetime.fromtimestamp(it.record.created_at)
                .astimezone()
                .isoformat(timespec="seconds"),
                "results": it.results,
                "inputs": it.inputs,
                "missing_results": it.missing,
                "request": sent_request(it.record).to_dict(),
                **record_seed_extra(it.record),
                "revised_prompt": it.record.revised_prompt,
                "usage": it.record.usage,
                "timings": it.record.timings,
                "parent_id": it.record.parent_id,
                "batch_id": it.record.batch_id,
            }
            for it in items
        ],
    }


def _check_target(out: Path, as_zip: bool) -> None:
    if as_zip:
        if out.exists() or out.is_symlink():
            raise ExportError(f"{out} already exists; choose a new name for the archive")
    elif out.is_symlink() or (out.exists() and (not out.is_dir() or any(out.iterdir()))):
        raise ExportError(f"{out} already exists and is not an empty folder")
    if not out.parent.is_dir():
        raise ExportError(f"the folder {out.parent} does not exist")


def _write_folder(tmp: Path, items_files: list[tuple[str, bytes]]) -> None:
    for arcname, data in items_files:
        target = tmp.joinpath(*arcname.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as f:  # "x": a name clash is a bug, never an overwrite
            f.write(data)


def export_gallery(
    records: Sequence[EditRecord],
    out: Path,
    *,
    as_zip: bool = False,
    pattern: str = DEFAULT_PATTERN,
    title: str = "Qwen Studio gallery",
    fmt: str | None = None,
    quality: int | None = None,
) -> Path:
    """Write the done edits among `records` as a gallery folder (or zip file) at `out`,
    the results in format `fmt` (png, jpeg, webp, avif; None keeps each as received, PNGs
    with their metadata) at `quality` (1–100; None for the format's default).

    Raises ExportError if `out` exists (a non-empty folder, or any file for a zip), if
    no record has a result, or the format cannot be written here. Returns `out`.
    """
    out = Path(out).absolute()
    try:
        fmt = None if fmt is None else check_format(fmt)
        quality = check_quality(quality)
    except QwenStudioError as exc:
        raise ExportError(str(exc)) from None
    _check_target(out, as_zip)
    items, entries = _plan(records, pattern or DEFAULT_PATTERN, SUFFIXES[fmt] if fmt else None)
    if not items:
        raise ExportError("none of the selected edits has a result to export")
    created = time.time()
    files: list[tuple[str, bytes]] = []
    by_arcname = {e.arcname: e for e in entries}
    try:
        for it in items:
            for arc in it.results:
                src = by_arcname[arc].source
                assert src is not None
                files.append((arc, _result_bytes(it.record, src, fmt, quality)))
        for e in entries:
            if e.arcname.startswith("inputs/") and e.source is not None:
                files.append((e.arcname, e.source.read_bytes()))
    except OSError as exc:
        raise ExportError(f"could not read a stored image: {exc}") from exc
    manifest = json.dumps(_manifest(items, title, created), ensure_ascii=False, indent=2)
    files.append(("gallery.json", manifest.encode("utf-8")))
    files.append(("index.html", index_html(items, title, created).encode("utf-8")))

    try:
        if as_zip:
            _publish_zip(out, files)
        else:
            _publish_folder(out, files)
    except OSError as exc:
        raise ExportError(f"could not write {out}: {exc.strerror or exc}") from exc
    return out


def _publish_folder(out: Path, files: list[tuple[str, bytes]]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=out.parent))
    try:
        _write_folder(tmp, files)
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # an empty folder the user picked: take its place
        try:
            # rename, not a copy or merge: fails if a non-empty `out` appeared meanwhile.
            os.rename(tmp, out)
        except OSError as exc:
            if out.exists():
                raise ExportError(f"{out} appeared while exporting; nothing was changed") from exc
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _publish_zip(out: Path, files: list[tuple[str, bytes]]) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".zip", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w") as zf:
                for arcname, data in files:
                    # Images are compressed already; deflating them only costs time.
                    method = zipfile.ZIP_DEFLATED if arcname.endswith((".html", ".json")) \
                        else zipfile.ZIP_STORED
                    info = zipfile.ZipInfo(arcname, time.localtime()[:6])
                    info.compress_type = method
                    info.external_attr = 0o644 << 16
                    zf.writestr(info, data)
            raw.flush()
            os.fsync(raw.fileno())
        try:
            os.link(tmp, out)  # fails if `out` appeared meanwhile: never overwrite
        except FileExistsError as exc:
            raise ExportError(f"{out} appeared while exporting; nothing was changed") from exc
        except OSError:
            if out.exists():
                raise ExportError(f"{out} already exists; nothing was changed") from None
            os.replace(tmp, out)  # filesystems without hard links
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
