"""`qwen-studio history` and `qwen-studio export`: the library from a terminal.

The main argparse entry point adds these subcommands with add_*_arguments and calls
run_*; both return the process exit code. Expected problems (nothing matched, the target
exists) are one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.library import EditRecord, Library
from qwen_studio.core.seeds import sent_request
from qwen_studio.core.text_safety import json_terminal_safe, terminal_safe

EXIT_OK = 0
EXIT_USAGE = 2
_PROMPT_WIDTH = 60


def _write(stream: Any, text: str, *, escaped: bool = False) -> None:
    """Print even when the console cannot encode the prompt's characters (Windows cp1252).

    Prompts and errors may hold escape sequences or bidi overrides: escaped before
    printing unless the caller did (`escaped`), so they cannot drive the terminal."""
    if not escaped:
        text = terminal_safe(text)
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")


def _fail(message: str) -> int:
    _write(sys.stderr, f"qwen-studio: {message}")
    return EXIT_USAGE


def _note_recovery(lib: Library) -> None:
    if lib.recovered_from is not None:
        _write(sys.stderr, f"note: the history was damaged and has been started afresh "
               f"({lib.recovered_edits} edit(s) rebuilt from its files); the old database "
               f"is kept at {lib.recovered_from}")


def _library_problem(exc: sqlite3.Error | OSError) -> str:
    if isinstance(exc, OSError):
        return f"the history folder cannot be used ({exc.strerror or exc})"
    if "locked" in str(exc) or "busy" in str(exc):
        return ("the history is busy (another Qwen Studio is writing to it); "
                "try again in a moment")
    return f"the history cannot be read ({exc})"


def _short(text: str, width: int = _PROMPT_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def record_to_dict(rec: EditRecord) -> dict[str, Any]:
    """What --json prints for one edit. No API key exists in a record to leak."""
    return {
        "id": rec.id,
        "created_at": rec.created_at,
        "created": datetime.fromtimestamp(rec.created_at).astimezone().isoformat(
            timespec="seconds"
        ),
        "started_at": rec.started_at,
        "finished_at": rec.finished_at,
        "status": rec.status.value,
        "error": rec.error,
        # As sent: a seed left random shows the one drawn ("seed_drawn": true says so).
        "request": sent_request(rec).to_dict(),
        "seed_drawn": rec.request.seed is None and rec.seed_sent is not None,
        "revised_prompt": rec.revised_prompt,
        "usage": rec.usage,
        "timings": rec.timings,
        "profile_name": rec.profile_name,
        "favourite": rec.favourite,
        "parent_id": rec.parent_id,
        "batch_id": rec.batch_id,
        "input_hashes": list(rec.input_hashes),
        "input_files": [str(p) for p in rec.input_files],
        "result_files": [str(p) for p in rec.result_files],
    }


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


# -- history ----------------------------------------------------------------------------------


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--search", metavar="TEXT", default=None,
                        help="only edits whose prompt, negative or revised prompt match")
    parser.add_argument("--limit", metavar="N", type=_positive_int, default=20,
                        help="show at most N edits, newest first (default 20)")
    parser.add_argument("--favourites", action="store_true", help="only favourites")
    parser.add_argument("--failed", action="store_true", help="only failed or interrupted edits")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON array of full records instead of a table")


def run_history(args: argparse.Namespace) -> int:
    try:
        with Library() as lib:
            _note_recovery(lib)
            records = lib.query(
                args.search,
                favourites_only=getattr(args, "favourites", False),
                failed_only=getattr(args, "failed", False),
                limit=args.limit,
            )
    except QwenStudioError as e:
        return _fail(str(e))
    except (sqlite3.Error, OSError) as e:
        return _fail(_library_problem(e))
    if args.json:
        _write(sys.stdout, json_terminal_safe(json.dumps(
            [record_to_dict(r) for r in records], ensure_ascii=False, indent=2)),
            escaped=True)
        return EXIT_OK
    if not records:
        _write(sys.stderr, "no edits found" if args.search is None
               else f"no edits match {args.search!r}")
        return EXIT_OK
    rows = [
        (
            str(r.id),
            datetime.fromtimestamp(r.created_at).strftime("%Y-%m-%d %H:%M"),
            r.status.value + (" ★" if r.favourite else ""),
            r.request.model,
            _short(r.request.prompt),
        )
        for r in records
    ]
    header = ("ID", "DATE", "STATUS", "MODEL", "PROMPT")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        cells = [cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)]
        _write(sys.stdout, "  ".join([*cells, row[4]]).rstrip())
    return EXIT_OK


# -- export -----------------------------------------------------------------------------------


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="PATH", required=True, type=Path,
                        help="new folder to create (or .zip file with --zip); never overwritten")
    parser.add_argument("--search", metavar="TEXT", default=None,
                        help="export the edits matching this text (default: all)")
    parser.add_argument("--ids", metavar="ID", type=_positive_int, nargs="+", default=None,
                        help="export exactly these edits")
    parser.add_argument("--zip", action="store_true", help="write one .zip archive")
    parser.add_argument("--favourites", action="store_true", help="only favourites")
    parser.add_argument("--pattern", default=None,
                        help="file name pattern, e.g. '{date}_{index}_{prompt-slug}'; "
                             "fields: date time index k id prompt-slug stem model seed")
    parser.add_argument("--title", default="Qwen Studio gallery", help="gallery title")
    parser.add_argument("--format", dest="image_format", default=None,
                        choices=("png", "jpeg", "jpg", "webp", "avif"),
                        help="write the results in this format (default: as received); "
                             "colour profile and parameters are embedded in every format")
    parser.add_argument("--quality", metavar="Q", type=int, default=None,
                        help="1-100 for jpeg, webp and avif (defaults 92, 90, 80)")


def _select(lib: Library, args: argparse.Namespace) -> list[EditRecord] | str:
    """The records to export, or an error message."""
    if args.ids:
        matching: set[int] | None = None
        if args.search:
            matching = {r.id for r in lib.query(args.search, limit=lib.count(args.search))}
        records = []
        for edit_id in dict.fromkeys(args.ids):  # keep order, drop repeats
            rec = lib.get(edit_id)
            if rec is None or rec.deleted:
                return f"there is no edit with id {edit_id}"
            if matching is None or rec.id in matching:
                records.append(rec)
    else:
        fav = getattr(args, "favourites", False)
        total = lib.count(args.search, favourites_only=fav)
        # Oldest first reads naturally in a gallery; query() pages newest first.
        records = list(reversed(lib.query(args.search, favourites_only=fav, limit=total)))
    if not records:
        return "no edits matched" + (f" {args.search!r}" if args.search else "")
    return records


def run_export(args: argparse.Namespace) -> int:
    from qwen_studio.core.gallery import DEFAULT_PATTERN, export_gallery

    out: Path = args.out
    try:
        with Library() as lib:
            _note_recovery(lib)
            selected = _select(lib, args)
        if isinstance(selected, str):
            return _fail(selected)
        written = export_gallery(
            selected,
            out,
            as_zip=args.zip,
            pattern=args.pattern or DEFAULT_PATTERN,
            title=args.title,
            fmt=getattr(args, "image_format", None),
            quality=getattr(args, "quality", None),
        )
    except QwenStudioError as e:
        return _fail(str(e))
    except (sqlite3.Error, OSError) as e:
        return _fail(_library_problem(e))
    _write(sys.stdout, str(written))
    return EXIT_OK
