"""The prompt library: the user's saved snippets and the prompts they used recently.

Snippets live in the library database (table ``prompt_snippets``, migration 3 in
core/library.py), so they travel with the history and every process sees the same set.
Each has a name, a text, a kind ("prompt" or "negative"), a star and a position; starred
ones come first. A new library starts with the starter set
(resources_data/prompt_snippets.json) in the window's language, once: deleting them is
final. Snippets export to and import from a JSON file (validated, bounded).

Recent prompts come from the edits themselves: newest first, a prompt used many times
listed once. Nothing here touches Qt; every method may run in a worker thread.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.library import Library
from qwen_studio.core.request import PROMPT_LIMIT

KINDS = ("prompt", "negative")
FILE_FORMAT = "qwen-studio-snippets"
FILE_VERSION = 1
NAME_LIMIT = 80
MAX_SNIPPETS = 2000
MAX_FILE_BYTES = 2 * 2**20
_STARTER_KEY = "starter_seeded"


class PromptLibraryError(QwenStudioError):
    """A snippet file cannot be read or written, or a snippet is not acceptable."""


@dataclass(frozen=True)
class Snippet:
    id: int
    name: str
    text: str
    kind: str = "prompt"
    starred: bool = False
    position: int = 0
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(frozen=True)
class RecentPrompt:
    text: str
    last_used: float
    uses: int


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)


def _clean_kind(kind: str) -> str:
    if kind not in KINDS:
        raise PromptLibraryError(f"a snippet is for the prompt or the negative prompt, "
                                 f"not {kind!r}")
    return kind


def _clean(name: str, text: str) -> tuple[str, str]:
    name = " ".join(str(name).split())
    text = str(text).strip()
    if not text:
        raise PromptLibraryError("a snippet needs some text")
    if len(text) > PROMPT_LIMIT:
        raise PromptLibraryError(f"a snippet holds at most {PROMPT_LIMIT} characters "
                                 f"(this one has {len(text)})")
    if not name:
        name = " ".join(text.split())[:40]
    return name[:NAME_LIMIT], text


def _fold(text: str) -> str:
    """Two prompts that differ only in spacing or case are the same prompt."""
    return " ".join(text.split()).casefold()


_SELECT = ("SELECT id, name, text, kind, starred, position, created_at, updated_at"
           " FROM prompt_snippets")


def _snippet(row: Sequence[Any]) -> Snippet:
    return Snippet(int(row[0]), row[1], row[2], row[3], bool(row[4]), int(row[5]),
                   float(row[6]), float(row[7]))


class PromptLibrary:
    """Snippets and recent prompts over an open Library (thread-safe like the Library)."""

    def __init__(self, library: Library) -> None:
        self.library = library

    # -- snippets -------------------------------------------------------------------------------
    def snippets(self, kind: str | None = None) -> list[Snippet]:
        """Starred first, then in the user's order."""
        where, params = ("", []) if kind is None else (" WHERE kind = ?", [_clean_kind(kind)])
        with self.library.reading() as conn:
            rows = conn.execute(f"{_SELECT}{where} ORDER BY starred DESC, position, id",
                                params).fetchall()
        return [_snippet(r) for r in rows]

    def get(self, snippet_id: int) -> Snippet | None:
        with self.library.reading() as conn:
            row = conn.execute(f"{_SELECT} WHERE id = ?", (snippet_id,)).fetchone()
        return _snippet(row) if row else None

    def add(self, text: str, name: str = "", *, kind: str = "prompt",
            starred: bool = False) -> Snippet:
        """A new snippet at the end of the list (e.g. from the current prompt)."""
        name, text = _clean(name, text)
        kind = _clean_kind(kind)
        now = time.time()
        with self.library.transaction() as conn:
            if conn.execute("SELECT count(*) FROM prompt_snippets").fetchone()[0] >= MAX_SNIPPETS:
                raise PromptLibraryError(f"the library holds at most {MAX_SNIPPETS} snippets")
            position = conn.execute(
                "SELECT coalesce(max(position), -1) + 1 FROM prompt_snippets").fetchone()[0]
            cur = conn.execute(
                "INSERT INTO prompt_snippets(name, text, kind, starred, position, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (name, text, kind, int(starred), position, now, now))
            new_id = int(cur.lastrowid or 0)
        return Snippet(new_id, name, text, kind, starred, position, now, now)

    def _update(self, snippet_id: int, sql: str, params: Sequence[Any]) -> None:
        with self.library.transaction() as conn:
            cur = conn.execute(f"UPDATE prompt_snippets SET {sql}, updated_at = ? WHERE id = ?",
                               [*params, time.time(), snippet_id])
            if cur.rowcount != 1:
                raise PromptLibraryError(f"there is no snippet {snippet_id} (deleted meanwhile?)")

    def rename(self, snippet_id: int, name: str) -> None:
        name = " ".join(str(name).split())[:NAME_LIMIT]
        if not name:
            raise PromptLibraryError("a snippet needs a name")
        self._update(snippet_id, "name = ?", [name])

    def set_text(self, snippet_id: int, text: str) -> None:
        _, text = _clean("x", text)
        self._update(snippet_id, "text = ?", [text])

    def set_starred(self, snippet_id: int, starred: bool) -> None:
        self._update(snippet_id, "starred = ?", [int(bool(starred))])

    def delete(self, snippet_id: int) -> None:
        with self.library.transaction() as conn:
            conn.execute("DELETE FROM prompt_snippets WHERE id = ?", (snippet_id,))

    def reorder(self, ids: Sequence[int]) -> None:
        """Put these snippets in this order; any not named keep their order after them."""
        with self.library.transaction() as conn:
            known = [r[0] for r in conn.execute(
                "SELECT id FROM prompt_snippets ORDER BY position, id")]
            known_set = set(known)
            wanted = [i for i in dict.fromkeys(int(i) for i in ids) if i in known_set]
            wanted_set = set(wanted)
            order = wanted + [i for i in known if i not in wanted_set]
            conn.executemany("UPDATE prompt_snippets SET position = ? WHERE id = ?",
                             [(pos, sid) for pos, sid in enumerate(order)])

    def move(self, snippet_id: int, to_index: int) -> None:
        """Move one snippet to `to_index` in the full order (drag and drop in a list)."""
        with self.library.reading() as conn:
            order = [r[0] for r in conn.execute(
                "SELECT id FROM prompt_snippets ORDER BY position, id")]
        if snippet_id not in order:
            raise PromptLibraryError(f"there is no snippet {snippet_id} (deleted meanwhile?)")
        order.remove(snippet_id)
        order.insert(max(0, min(int(to_index), len(order))), snippet_id)
        self.reorder(order)

    # -- recent prompts -------------------------------------------------------------------------
    def recent_prompts(self, limit: int = 50, *, kind: str = "prompt") -> list[RecentPrompt]:
        """Prompts (or negative prompts) of live edits, newest first, each text once."""
        column = "prompt" if _clean_kind(kind) == "prompt" else "negative_prompt"
        with self.library.reading() as conn:
            rows = conn.execute(
                f"SELECT {column}, max(created_at), count(*) FROM edits"
                f" WHERE deleted_at IS NULL AND {column} != '' GROUP BY {column}"
                " ORDER BY max(created_at) DESC LIMIT ?",
                (max(1, int(limit)) * 4,),  # spacing/case variants fold below
            ).fetchall()
        out: dict[str, RecentPrompt] = {}
        for text, last, uses in rows:
            key = _fold(text)
            if key in out:
                seen = out[key]
                out[key] = RecentPrompt(seen.text, seen.last_used, seen.uses + int(uses))
            elif len(out) < limit:
                out[key] = RecentPrompt(text, float(last), int(uses))
        return list(out.values())

    # -- starter set ----------------------------------------------------------------------------
    def seed_starter(self, language: str = "en", path: Path | None = None) -> int:
        """Add the starter snippets in `language` (en, zh_CN) the first time only.
        Returns how many were added (0 once seeded, even if the user deleted them all)."""
        with self.library.reading() as conn:
            if conn.execute("SELECT 1 FROM prompt_library_meta WHERE key = ?",
                            (_STARTER_KEY,)).fetchone():
                return 0
        entries = starter_snippets(language, path)
        added = 0
        with self.library.transaction() as conn:
            if conn.execute("SELECT 1 FROM prompt_library_meta WHERE key = ?",
                            (_STARTER_KEY,)).fetchone():
                return 0  # another window or process seeded it meanwhile
            now = time.time()
            start = conn.execute(
                "SELECT coalesce(max(position), -1) + 1 FROM prompt_snippets").fetchone()[0]
            for i, (name, text, kind) in enumerate(entries):
                conn.execute(
                    "INSERT INTO prompt_snippets(name, text, kind, starred, position,"
                    " created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)",
                    (name, text, kind, start + i, now, now))
                added += 1
            conn.execute("INSERT INTO prompt_library_meta(key, value) VALUES (?, ?)",
                         (_STARTER_KEY, language))
        return added

    # -- files ----------------------------------------------------------------------------------
    def export_json(self) -> bytes:
        """Every snippet as a JSON document that import_json (here or elsewhere) reads."""
        doc = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "snippets": [{"name": s.name, "text": s.text, "kind": s.kind, "starred": s.starred}
                         for s in self.snippets()],
        }
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def export_file(self, path: Path) -> Path:
        from qwen_studio.core.atomic import write_atomic

        try:
            write_atomic(Path(path), self.export_json())
        except OSError as exc:
            raise PromptLibraryError(f"could not write {path}: {exc.strerror or exc}") from exc
        return Path(path)

    def import_json(self, data: bytes, source: str = "the snippet file") -> ImportReport:
        """Add the snippets of a file made by export_json; one already here (same kind
        and text) is skipped, a bad entry is reported by its number and the rest still
        come in. PromptLibraryError when the file as a whole is unusable."""
        entries = _parse_file(data, source)
        report = ImportReport()
        with self.library.reading() as conn:
            have = {(k, _fold(t)) for k, t in conn.execute(
                "SELECT kind, text FROM prompt_snippets")}
        for number, entry in enumerate(entries, start=1):
            try:
                if not isinstance(entry, dict):
                    raise PromptLibraryError("not an object with a name and a text")
                kind = _clean_kind(str(entry.get("kind", "prompt")))
                name, text = _clean(str(entry.get("name", "")), str(entry.get("text", "")))
                if (kind, _fold(text)) in have:
                    report.duplicates += 1
                    continue
                self.add(text, name, kind=kind, starred=entry.get("starred") is True)
                have.add((kind, _fold(text)))
                report.added += 1
            except PromptLibraryError as exc:
                report.problems.append(f"{source}: snippet {number}: {exc}")
        return report

    def import_file(self, path: Path) -> ImportReport:
        path = Path(path)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise PromptLibraryError(
                    f"{path.name} is too large for a snippet file "
                    f"(over {MAX_FILE_BYTES // 2**20} MB)")
            data = path.read_bytes()
        except OSError as exc:
            raise PromptLibraryError(f"could not read {path.name}: {exc.strerror or exc}") \
                from exc
        return self.import_json(data, path.name)


def _parse_file(data: bytes, source: str) -> list[Any]:
    if len(data) > MAX_FILE_BYTES:
        raise PromptLibraryError(f"{source} is too large for a snippet file")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PromptLibraryError(f"{source} is not a JSON snippet file ({exc})") from None
    if isinstance(doc, dict):
        if doc.get("format") not in (None, FILE_FORMAT):
            raise PromptLibraryError(f"{source} is a {doc.get('format')!r} file, not snippets")
        if isinstance(doc.get("version"), int) and doc["version"] > FILE_VERSION:
            raise PromptLibraryError(f"{source} was written by a newer Qwen Studio")
        doc = doc.get("snippets")
    if not isinstance(doc, list):
        raise PromptLibraryError(f"{source} has no list of snippets")
    if len(doc) > MAX_SNIPPETS:
        raise PromptLibraryError(f"{source} has {len(doc)} snippets; at most {MAX_SNIPPETS}")
    return doc


def starter_snippets(language: str = "en", path: Path | None = None
                     ) -> list[tuple[str, str, str]]:
    """(name, text, kind) of the starter set in `language`, English where it lacks one."""
    if path is None:
        from qwen_studio.resources import resource_path

        path = resource_path("prompt_snippets.json")
    doc = json.loads(Path(path).read_text("utf-8"))
    lang = language if language in ("en", "zh_CN") else (
        "zh_CN" if language.lower().startswith("zh") else "en")
    out = []
    for entry in doc["snippets"]:
        name, text = entry["name"], entry["text"]
        out.append((name.get(lang) or name["en"], text.get(lang) or text["en"],
                    entry.get("kind", "prompt")))
    return out
