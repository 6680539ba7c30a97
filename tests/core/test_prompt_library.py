"""The prompt library: snippets in the library database, recent prompts from the history,
the starter set, and JSON export/import."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from qwen_studio.core.library import Library
from qwen_studio.core.prompt_library import (
    MAX_SNIPPETS,
    PromptLibrary,
    PromptLibraryError,
    starter_snippets,
)
from qwen_studio.core.request import PROMPT_LIMIT, EditRequest


@pytest.fixture
def lib():
    library = Library()
    try:
        yield library
    finally:
        library.close()


def names(pl: PromptLibrary, kind: str | None = None) -> list[str]:
    return [s.name for s in pl.snippets(kind)]


def test_snippets_are_added_renamed_starred_reordered_and_deleted(lib: Library) -> None:
    pl = PromptLibrary(lib)
    a = pl.add("remove the background", "White bg")
    b = pl.add("studio backdrop, soft light")  # unnamed: named after its text
    c = pl.add("blurry, low quality", "Clean", kind="negative")
    assert names(pl) == ["White bg", "studio backdrop, soft light", "Clean"]
    assert names(pl, "negative") == ["Clean"]
    pl.rename(b.id, "  Studio   ")
    pl.set_starred(c.id, True)
    assert names(pl) == ["Clean", "White bg", "Studio"]  # starred first
    pl.set_starred(c.id, False)
    pl.move(a.id, 2)
    assert names(pl) == ["Studio", "Clean", "White bg"]
    pl.reorder([c.id])
    assert names(pl) == ["Clean", "Studio", "White bg"]
    pl.delete(b.id)
    assert names(pl) == ["Clean", "White bg"]
    with pytest.raises(PromptLibraryError, match="no snippet"):
        pl.rename(b.id, "gone")


def test_snippets_persist_in_the_library_database(lib: Library) -> None:
    PromptLibrary(lib).add("relight to golden hour", "Golden", starred=True)
    with Library(lib.root) as again:
        (s,) = PromptLibrary(again).snippets()
    assert (s.name, s.text, s.starred) == ("Golden", "relight to golden hour", True)


def test_bad_snippets_are_refused_with_a_reason(lib: Library) -> None:
    pl = PromptLibrary(lib)
    with pytest.raises(PromptLibraryError, match="needs some text"):
        pl.add("   ")
    with pytest.raises(PromptLibraryError, match=str(PROMPT_LIMIT)):
        pl.add("x" * (PROMPT_LIMIT + 1))
    with pytest.raises(PromptLibraryError, match="negative prompt"):
        pl.add("x", kind="style")


def record(lib: Library, prompt: str, negative: str = "") -> int:
    return lib.create_edit(EditRequest(inputs=("a.png",), prompt=prompt,
                                       negative_prompt=negative), input_hashes=[])


def test_recent_prompts_are_newest_first_with_repeats_folded(lib: Library) -> None:
    record(lib, "make it blue", "fog")
    time.sleep(0.01)
    record(lib, "studio backdrop")
    time.sleep(0.01)
    record(lib, "Make it  blue")  # the same prompt, typed again
    gone = record(lib, "deleted one")
    lib.delete(gone)
    recent = PromptLibrary(lib).recent_prompts()
    assert [r.text for r in recent] == ["Make it  blue", "studio backdrop"]
    assert recent[0].uses == 2
    assert [r.text for r in PromptLibrary(lib).recent_prompts(kind="negative")] == ["fog"]
    assert len(PromptLibrary(lib).recent_prompts(limit=1)) == 1


def test_starter_set_is_added_once_in_the_language_asked(lib: Library) -> None:
    pl = PromptLibrary(lib)
    n = pl.seed_starter("zh_CN")
    assert n == len(starter_snippets("en")) >= 5
    texts = [s.text for s in pl.snippets()]
    assert any("纯白" in t for t in texts)
    assert any(s.kind == "negative" for s in pl.snippets())
    for s in pl.snippets():
        pl.delete(s.id)
    assert pl.seed_starter("zh_CN") == 0 and pl.snippets() == []  # deleting is final


def test_starter_set_has_both_languages_for_every_snippet() -> None:
    en, zh = starter_snippets("en"), starter_snippets("zh_CN")
    assert len(en) == len(zh)
    assert all(a[1] != b[1] for a, b in zip(en, zh, strict=True))
    wanted = ["white", "studio", "golden hour", "font", "image 2"]
    assert all(any(w in text.lower() for _, text, _ in en) for w in wanted)


def test_export_then_import_round_trips_and_skips_duplicates(lib: Library,
                                                             tmp_path: Path) -> None:
    pl = PromptLibrary(lib)
    pl.add("把背景换成纯白", "白底", starred=True)
    pl.add("no watermark", "Clean", kind="negative")
    target = pl.export_file(tmp_path / "snippets.json")
    with Library(tmp_path / "other") as other:
        theirs = PromptLibrary(other)
        report = theirs.import_file(target)
        assert (report.added, report.duplicates, report.problems) == (2, 0, [])
        assert [(s.name, s.kind, s.starred) for s in theirs.snippets()] == [
            ("白底", "prompt", True), ("Clean", "negative", False)]
        again = theirs.import_file(target)
        assert (again.added, again.duplicates) == (0, 2)


def test_import_reports_bad_entries_by_number_and_keeps_the_rest(lib: Library,
                                                                 tmp_path: Path) -> None:
    f = tmp_path / "mixed.json"
    f.write_text(json.dumps({"format": "qwen-studio-snippets", "version": 1, "snippets": [
        {"name": "ok", "text": "fine"}, "nonsense", {"name": "empty", "text": ""},
        {"name": "k", "text": "t", "kind": "weird"}, {"text": "y" * 5000}]}), "utf-8")
    report = PromptLibrary(lib).import_file(f)
    assert report.added == 1
    assert [p.split(":")[1].strip() for p in report.problems] == [
        "snippet 2", "snippet 3", "snippet 4", "snippet 5"]
    assert all(p.startswith("mixed.json: ") for p in report.problems)


@pytest.mark.parametrize("content,reason", [
    (b"\xff\xfe not json", "not a JSON snippet file"),
    (b'{"format": "something-else", "snippets": []}', "not snippets"),
    (b'{"format": "qwen-studio-snippets", "version": 99, "snippets": []}', "newer"),
    (b'{"snippets": 3}', "no list of snippets"),
    (json.dumps([{"text": "a"}] * (MAX_SNIPPETS + 1)).encode(), "at most"),
])
def test_unusable_files_are_one_clear_error(lib: Library, tmp_path: Path, content: bytes,
                                            reason: str) -> None:
    f = tmp_path / "bad.json"
    f.write_bytes(content)
    with pytest.raises(PromptLibraryError, match=reason) as info:
        PromptLibrary(lib).import_file(f)
    assert "bad.json" in str(info.value)
    assert PromptLibrary(lib).snippets() == []


def test_a_huge_file_is_not_read(lib: Library, tmp_path: Path) -> None:
    f = tmp_path / "huge.json"
    f.write_bytes(b" " * (3 * 2**20))
    with pytest.raises(PromptLibraryError, match="too large"):
        PromptLibrary(lib).import_file(f)
