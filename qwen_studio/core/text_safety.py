"""Text from users and services that reaches a terminal, a header or a prompt, made safe.

- `prompt_problems`: control characters (ESC, BEL, NUL, DEL, C1), bidi overrides and
  undecodable bytes have no place in a prompt; they are refused with a clear reason.
- `terminal_safe`: anything printed to a terminal (labels, file names, errors, prompts in
  `history`) shows such characters escaped (`\\x1b`, `\\u202e`) instead of obeying them.
- `key_problem`: an API key must be printable ASCII, or it cannot travel in a header.
"""

from __future__ import annotations

import re

from qwen_studio.core.errors import Reason

# Patterns as text, compiled by `re` on first use and kept in its cache: compiling all of
# them when the module loads cost ~1.6 ms of every window start, which uses none of them
# before its first frame (prompts are checked on Run; terminals are the CLI's).
# C0 controls except tab and line feed (a prompt may have several lines), DEL, C1.
_PROMPT_CONTROLS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
# Bidirectional overrides and isolates (Trojan Source), and the BOM/zero-width no-break.
_BIDI = r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]"
_SURROGATES = r"[\ud800-\udfff]"
# For terminals: every control character, line breaks included (each printed line is one
# record), plus the bidi characters and undecodable bytes.
_TERMINAL_UNSAFE = (
    r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029"
    r"\ud800-\udfff]")


def prompt_problems(text: str, *, negative: bool = False) -> list[Reason]:
    """Why a prompt (or, with `negative`, the negative prompt) cannot be sent as it is;
    [] when it can. Reasons with codes (core.errors.REQUEST_PROBLEMS): EditRequest.problems()
    includes them, so the window and `qwen-studio batch` refuse the same prompts."""
    field = "negative" if negative else "prompt"
    problems: list[Reason] = []
    m = re.search(_PROMPT_CONTROLS, text)
    if m:
        problems.append(Reason(f"{field}_control_char", char=_escape(m.group()),
                               position=m.start() + 1))
    m = re.search(_BIDI, text)
    if m:
        problems.append(Reason(f"{field}_direction_char", char=_escape(m.group()),
                               position=m.start() + 1))
    if re.search(_SURROGATES, text):
        problems.append(Reason(f"{field}_undecodable"))
    return problems


def strip_controls(text: str) -> str:
    """`text` without the characters prompt_problems refuses (tabs and newlines stay)."""
    return re.sub(_SURROGATES, "", re.sub(_BIDI, "", re.sub(_PROMPT_CONTROLS, "", text)))


def _escape(ch: str) -> str:
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def terminal_safe(text: object) -> str:
    """`text` for a terminal: control, bidi and undecodable characters shown escaped."""
    s = str(text)
    return re.sub(_TERMINAL_UNSAFE, lambda m: _escape(m.group()), s)


def key_problem(key: str) -> str | None:
    """What is wrong with an API key (never quoting it), or None when it is usable."""
    if any(c in "\r\n" for c in key):
        return "contains a line break (it may have been pasted with an extra line)"
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in key):
        return "contains a control character"
    if not key.isascii():
        return "contains non-ASCII characters (keys are plain ASCII letters and digits)"
    if key != key.strip() or " " in key:
        return "contains spaces"
    return None


# JSON already escapes C0 controls; these it passes through when ensure_ascii is off.
_JSON_UNSAFE = (r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
                r"\u2028\u2029\ud800-\udfff]")


def json_terminal_safe(text: str) -> str:
    """JSON text (from json.dumps) with DEL, C1, bidi and surrogates written as \\uXXXX
    escapes: the same JSON value, harmless on a terminal."""
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text)
