"""The history's page reads make requests and records without their generated __init__
(core/request.py _from_stored, core/library_records.py to_records): what they make must be
exactly what the constructors make, for every form a row can hold."""

from __future__ import annotations

import io
import json
from dataclasses import fields
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import Reason
from qwen_studio.core.library import EditRecord, Library
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.core.request import EditRequest

STORED = [
    EditRequest(inputs=("/photos/a.png",), prompt="add snow"),
    EditRequest(inputs=("/photos/a.png", "https://example.com/b.jpg"), prompt="mix them",
                model="qwen-image-edit-2509", style="flat", negative_prompt="blur",
                size="1024x768", n=2, seed=7, watermark=False, prompt_extend=True),
    EditRequest(inputs=(), prompt="a cat", model="qwen-image", size="1328*1328"),
    EditRequest(inputs=("/a.png",), prompt="x", extra=(("steps", 30), ("cfg", 4.5))),
    EditRequest(inputs=("/a.png",), prompt="x", region=RegionSpec(rect=(1, 2, 30, 40))),
]


def the_general_way(text: str) -> EditRequest:
    return EditRequest.from_dict(json.loads(text))


@pytest.mark.parametrize("request_", STORED, ids=range(len(STORED)))
def test_a_stored_request_reads_back_as_the_constructor_makes_it(request_: EditRequest):
    text = request_.to_json()
    got = EditRequest.from_json(text)
    assert got == request_ == the_general_way(text)
    assert vars(got) == vars(request_)  # the same fields, of the same types
    assert hash(got) == hash(request_) and got.to_json() == text


@pytest.mark.parametrize("stored", [
    # Older or hand-edited rows: a size in another spelling, missing or unknown keys,
    # a region written as null, inputs as a tuple-less text, numbers as text.
    {**json.loads(STORED[0].to_json()), "size": "800 x 600"},
    {"inputs": ["/a.png"], "prompt": "old row"},
    {**json.loads(STORED[0].to_json()), "later_field": 1},
    {**json.loads(STORED[0].to_json()), "region": None},
    {**json.loads(STORED[0].to_json()), "inputs": "/a.png"},
    {**json.loads(STORED[0].to_json()), "extra": [["k", "v"]]},
])
def test_other_stored_forms_read_as_from_dict_reads_them(stored: dict):
    text = json.dumps(stored)
    got, general = EditRequest.from_json(text), the_general_way(text)
    assert got == general and vars(got) == vars(general)


@pytest.mark.parametrize("size", ["12 by 34", 1024, ["1024", "768"]])
def test_a_bad_stored_size_fails_as_from_dict_fails(size: object):
    text = json.dumps({**json.loads(STORED[0].to_json()), "size": size})
    with pytest.raises(Exception) as general:
        the_general_way(text)
    with pytest.raises(general.type):
        EditRequest.from_json(text)


def png(colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buf, "PNG")
    return buf.getvalue()


def test_every_record_has_each_field_as_the_constructor_sets_it(tmp_path: Path):
    with Library(tmp_path) as lib:
        sha, path = lib.store_bytes(png((200, 10, 10)), "png")
        done = lib.create_edit(STORED[1], input_hashes=(sha, "f" * 64), profile_name="work",
                               batch_id="b1")
        lib.complete_edit(done, [png((1, 2, 3)), png((4, 5, 6))], revised_prompt="snowy",
                          usage={"image_count": 2})
        lib.set_seed_sent(done, 42)
        failed = lib.create_edit(STORED[0], input_hashes=(sha,), parent_id=done)
        lib.set_status(failed, EditStatus.FAILED, error="refused",
                       reason=Reason("size_format", text="'x'"))
        lib.set_favourite(failed, True)
        lib.create_edit(STORED[4], input_hashes=(sha,))
        records = lib.query(limit=10)
    names = {f.name for f in fields(EditRecord)}
    assert len(records) == 3
    for rec in records:
        assert set(vars(rec)) == names  # a field added to EditRecord is set here too
        made = EditRecord(**{n: getattr(rec, n) for n in names})
        assert rec == made and hash(rec) == hash(made) and vars(rec) == vars(made)
        assert type(rec.status) is EditStatus
    by_id = {r.id: r for r in records}
    first = by_id[done].result_files[0]
    assert first == lib.files_dir / first.stem[:2] / first.name and first.is_file()
    assert by_id[failed].reason_params == {"text": "'x'"} and by_id[failed].favourite
    assert by_id[done].input_files == (path,) and by_id[done].seed == 42
