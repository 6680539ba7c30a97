"""Property-based fuzzing of everything parsed from outside (issue 14, item 8): the
answer parsers (OpenAI and DashScope envelopes, through the client's bounded loader),
the error-body parser and the PNG metadata reader. Whatever arrives, the result is a
value or a typed error: never RecursionError, KeyError, TypeError or a hang."""

from __future__ import annotations

import io
import json
import struct
import zlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from qwen_studio.core.api_errors import error_from_response
from qwen_studio.core.client import parse_answer
from qwen_studio.core.errors import ApiError
from qwen_studio.core.png_metadata import (
    embed_png_metadata,
    metadata_for,
    read_png_metadata,
    request_from_png,
)
from qwen_studio.core.request import EditRequest
from qwen_studio.core.safe_json import loads_bounded, nesting_depth
from qwen_studio.core.styles import get_style

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(
    max_size=40)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["data", "url", "b64_json", "output", "choices", "message", "content",
                         "image", "results", "code", "message", "request_id", "usage",
                         "error", "revised_prompt", "task_status", "x"]) | st.text(max_size=8),
        inner, max_size=5),
    max_leaves=30)


def _openai_like() -> st.SearchStrategy[object]:
    item = st.fixed_dictionaries({}, optional={
        "url": st.text(max_size=30) | st.integers(), "b64_json": st.text(max_size=30) | scalars,
        "revised_prompt": scalars})
    return st.fixed_dictionaries({}, optional={
        "data": st.lists(item | json_values, max_size=3) | json_values,
        "usage": json_values, "error": json_values})


def _dashscope_like() -> st.SearchStrategy[object]:
    content = st.lists(st.fixed_dictionaries({}, optional={"image": scalars, "text": scalars})
                       | json_values, max_size=3)
    choice = st.fixed_dictionaries({}, optional={
        "message": st.fixed_dictionaries({}, optional={"content": content | json_values})})
    return st.fixed_dictionaries({}, optional={
        "output": st.fixed_dictionaries({}, optional={
            "choices": st.lists(choice | json_values, max_size=2) | json_values,
            "results": json_values, "task_status": scalars}) | json_values,
        "request_id": scalars, "code": scalars, "message": scalars, "usage": json_values})


def _check_answer(style_name: str, body: bytes) -> None:
    try:
        result = parse_answer(get_style(style_name), 200, body)
    except ApiError:
        return
    assert isinstance(result.images, tuple | list)


@FUZZ
@given(payload=_openai_like() | json_values, style_name=st.sampled_from(["flat", "bailian"]))
def test_openai_envelopes_parse_or_fail_typed(payload: object, style_name: str) -> None:
    _check_answer(style_name, json.dumps(payload).encode())


@FUZZ
@given(payload=_dashscope_like() | json_values)
def test_dashscope_envelopes_parse_or_fail_typed(payload: object) -> None:
    _check_answer("dashscope", json.dumps(payload).encode())


@FUZZ
@given(body=st.binary(max_size=300), depth=st.integers(0, 5000),
       style_name=st.sampled_from(["flat", "bailian", "dashscope"]))
def test_arbitrary_and_deep_bytes_parse_or_fail_typed(body: bytes, depth: int,
                                                      style_name: str) -> None:
    _check_answer(style_name, body)
    _check_answer(style_name, b'{"data": ' + b"[" * depth + body + b"]" * depth + b"}")


@FUZZ
@given(status=st.integers(100, 599), body=st.binary(max_size=300) | json_values.map(
    lambda v: json.dumps(v).encode()), depth=st.integers(0, 3000))
def test_error_bodies_always_map_to_an_api_error(status: int, body: bytes, depth: int) -> None:
    assert isinstance(error_from_response(status, {}, body), ApiError)
    deep = b'{"error": ' + b"{\"a\":" * depth + b"1" + b"}" * depth + b"}"
    assert isinstance(error_from_response(status, {}, deep), ApiError)


@FUZZ
@given(text=st.text(max_size=200) | st.binary(max_size=200))
def test_the_depth_scan_agrees_with_json(text: str | bytes) -> None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return
    assert loads_bounded(text, max_depth=10_000) == value or value != value
    assert nesting_depth(text) >= 0


# -- PNG metadata ------------------------------------------------------------------------------

def _base_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(buf, "PNG")
    return buf.getvalue()


BASE = _base_png()
REQ = EditRequest(inputs=("a.png",), prompt="a boat")
TAGGED = embed_png_metadata(BASE, metadata_for(REQ, {"identity": "x"}))


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


@FUZZ
@given(data=st.binary(max_size=400))
def test_png_reader_takes_any_bytes(data: bytes) -> None:
    assert isinstance(read_png_metadata(data), dict)
    assert request_from_png(data) is None or isinstance(request_from_png(data), EditRequest)
    prefixed = b"\x89PNG\r\n\x1a\n" + data
    assert isinstance(read_png_metadata(prefixed), dict)
    request_from_png(prefixed)


@FUZZ
@given(position=st.integers(0, len(TAGGED) - 1), byte=st.integers(0, 255),
       cut=st.integers(0, len(TAGGED)))
def test_png_reader_survives_flipped_and_cut_bytes(position: int, byte: int, cut: int) -> None:
    mutated = bytearray(TAGGED)
    mutated[position] = byte
    for data in (bytes(mutated), TAGGED[:cut]):
        read_png_metadata(data)
        got = request_from_png(data)
        assert got is None or isinstance(got, EditRequest)


@FUZZ
@given(kind=st.sampled_from([b"tEXt", b"zTXt", b"iTXt"]), key=st.sampled_from(
    [b"qwen_studio", b"parameters", b"x"]), value=st.binary(max_size=300),
    depth=st.integers(0, 20_000), compressed=st.booleans())
def test_hostile_text_chunks_never_escape(kind: bytes, key: bytes, value: bytes, depth: int,
                                          compressed: bool) -> None:
    text = b"[" * depth + value
    if kind == b"tEXt":
        payload = key + b"\x00" + text
    elif kind == b"zTXt":
        payload = key + b"\x00\x00" + zlib.compress(text)
    else:
        body = zlib.compress(text) if compressed else text
        payload = key + b"\x00" + bytes([int(compressed), 0]) + b"\x00\x00" + body
    iend = BASE.rindex(b"IEND") - 4
    png = BASE[:iend] + _chunk(kind, payload) + BASE[iend:]
    read_png_metadata(png)
    got = request_from_png(png)
    assert got is None or isinstance(got, EditRequest)
