"""Export a set of edits as a self-contained gallery: a folder or a zip archive with

    index.html     offline contact sheet (before/after, prompt, parameters)
    gallery.json   manifest: every request, revised prompt, usage, timings
    images/        results, named by a pattern; PNGs carry their parameters in iTXt chunks
    inputs/        every input image once

Nothing is ever written outside the target, whatever the prompts contain: every file name
comes from filenames.safe_filename. The target appears complete or not at all (built in a
temp folder/file beside it, then renamed into place), and an existing target is never
replaced.
"""

from __future__ import annotations

import contextlib
import html
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
from urllib.parse import quote

from qwen_studio import __version__
from qwen_studio.core.atomic import TEMP_PREFIX
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.filenames import expand_pattern, safe_filename, slugify
from qwen_studio.core.library import EditRecord

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
    }


def _result_bytes(record: EditRecord, path: Path) -> bytes:
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return data  # not PNG: exactly as received
    from qwen_studio.core.png_metadata import embed_png_metadata, metadata_for

    try:
        return embed_png_metadata(data, metadata_for(record.request, _extra_metadata(record)))
    except ValueError:  # a damaged PNG is still the user's result: keep it as it is
        return data


def _plan(records: Sequence[EditRecord], pattern: str) -> tuple[list[_Item], list[_Entry]]:
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
                "seed": "" if rec.request.seed is None else str(rec.request.seed),
            }
            stem = expand_pattern(pattern, fields, max_len=_NAME_MAX)
            if multi:  # several results and no {k}: keep them apart visibly
                stem = f"{stem[: _NAME_MAX - 4]}-{k}"
            name = image_names.take(stem, path.suffix.lower() or ".png")
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
                "request": it.record.request.to_dict(),
                "revised_prompt": it.record.revised_prompt,
                "usage": it.record.usage,
                "timings": it.record.timings,
                "parent_id": it.record.parent_id,
                "batch_id": it.record.batch_id,
            }
            for it in items
        ],
    }


_CSS = """
:root { color-scheme: light dark; --bg: #f2f2f2; --card: #fff; --fg: #222; --muted: #666;
  --line: #d6d6d6; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #1e1e1e; --card: #2a2a2a; --fg: #e6e6e6; --muted: #a0a0a0; --line: #3a3a3a; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header p { margin: 0 0 20px; color: var(--muted); }
.grid { display: grid; gap: 16px; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px; display: flex; flex-direction: column; gap: 8px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.pair figure { margin: 0; }
.pair figcaption { font-size: 11px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .05em; margin-bottom: 2px; }
.thumbs { display: flex; flex-wrap: wrap; gap: 4px; }
.thumbs a { flex: 1 1 45%; }
img { display: block; width: 100%; height: auto; border-radius: 4px; background: var(--line); }
.none { color: var(--muted); font-style: italic; padding: 8px 0; }
.prompt { margin: 0; white-space: pre-wrap; word-break: break-word; }
.meta { margin: 0; color: var(--muted); font-size: 12px; white-space: pre-wrap;
  word-break: break-word; }
.label { font-weight: 600; color: var(--fg); }
"""


def _href(relative: str) -> str:
    """A relative link to one of our files: each component percent-encoded, then escaped."""
    return html.escape("/".join(quote(part) for part in relative.split("/")), quote=True)


def _thumbs(files: list[str], alt: str) -> str:
    if not files:
        return '<div class="none">no stored image</div>'
    return '<div class="thumbs">' + "".join(
        f'<a href="{_href(f)}"><img src="{_href(f)}" alt="{html.escape(alt)}" '
        'loading="lazy"></a>'
        for f in files
    ) + "</div>"


def _index_html(items: list[_Item], title: str, created: float) -> str:
    e = html.escape
    cards = []
    for it in items:
        rec = it.record
        req = rec.request
        params = req.parameters_text().split("\n")[-1]  # the line after prompt/negative
        meta = [f'<span class="label">#{rec.id}</span> · '
                f"{e(datetime.fromtimestamp(rec.created_at).strftime('%Y-%m-%d %H:%M'))}",
                e(params)]
        if req.negative_prompt:
            meta.append(f'<span class="label">Negative:</span> {e(req.negative_prompt)}')
        if rec.revised_prompt and rec.revised_prompt != req.prompt:
            meta.append(f'<span class="label">Revised:</span> {e(rec.revised_prompt)}')
        if it.missing:
            meta.append(f"{len(it.missing)} result file(s) missing from the library")
        cards.append(
            '<article class="card">'
            '<div class="pair">'
            f"<figure><figcaption>Before</figcaption>{_thumbs(it.inputs, 'input')}</figure>"
            f"<figure><figcaption>After</figcaption>{_thumbs(it.results, 'result')}</figure>"
            "</div>"
            f'<p class="prompt">{e(req.prompt)}</p>'
            f'<p class="meta">{"<br>".join(meta)}</p>'
            "</article>"
        )
    stamp = datetime.fromtimestamp(created).strftime("%Y-%m-%d %H:%M")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Offline and inert: no scripts, nothing fetched from anywhere but this folder.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src 'self'; style-src 'unsafe-inline'\">\n"
        f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{e(title)}</h1><p>{len(items)} edit(s) · exported {e(stamp)} "
        f"with Qwen Studio {e(__version__)}</p></header>\n"
        f'<main class="grid">\n{chr(10).join(cards)}\n</main>\n</body>\n</html>\n'
    )


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
) -> Path:
    """Write the done edits among `records` as a gallery folder (or zip file) at `out`.

    Raises ExportError if `out` exists (a non-empty folder, or any file for a zip) or if
    no record has a result. Returns `out`.
    """
    out = Path(out).absolute()
    _check_target(out, as_zip)
    items, entries = _plan(records, pattern or DEFAULT_PATTERN)
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
                files.append((arc, _result_bytes(it.record, src)))
        for e in entries:
            if e.arcname.startswith("inputs/") and e.source is not None:
                files.append((e.arcname, e.source.read_bytes()))
    except OSError as exc:
        raise ExportError(f"could not read a stored image: {exc}") from exc
    manifest = json.dumps(_manifest(items, title, created), ensure_ascii=False, indent=2)
    files.append(("gallery.json", manifest.encode("utf-8")))
    files.append(("index.html", _index_html(items, title, created).encode("utf-8")))

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
