"""The gallery's contact sheet (index.html): before/after, the prompt and the parameters
in words a person reads ("seed 42 · watermark off", never True/False), the seed that was
sent, real plurals; offline and inert (no scripts, nothing fetched), and in the viewer's
light or dark scheme (prefers-color-scheme).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from urllib.parse import quote

from qwen_studio import __version__
from qwen_studio.core.library import EditRecord


class SheetItem(Protocol):
    """One exported edit: its record and the gallery-relative paths of its files."""

    record: EditRecord
    results: list[str]
    inputs: list[str]
    missing: list[str]


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


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def readable_parameters(record: EditRecord) -> str:
    """The parameters as a person reads them: 'qwen-image-edit-plus · 1024×768 · seed 42
    · 2 images · watermark off' (no True/False, nothing left unset)."""
    req = record.request
    size = req.size_wh
    parts = [req.model, f"{size[0]}×{size[1]}" if size else "size auto"]
    parts.append("random seed" if record.seed is None else f"seed {record.seed}")
    if req.n > 1:
        parts.append(_plural(req.n, "image", "images"))
    if req.watermark is not None:
        parts.append(f"watermark {_on_off(req.watermark)}")
    if req.prompt_extend is not None:
        parts.append(f"prompt extend {_on_off(req.prompt_extend)}")
    return " · ".join(parts)


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


def index_html(items: Sequence[SheetItem], title: str, created: float) -> str:
    """The gallery's offline, inert index.html: one card per edit."""
    e = html.escape
    cards = []
    for it in items:
        rec = it.record
        req = rec.request
        meta = [f'<span class="label">#{rec.id}</span> · '
                f"{e(datetime.fromtimestamp(rec.created_at).strftime('%Y-%m-%d %H:%M'))}",
                e(readable_parameters(rec))]
        if req.negative_prompt:
            meta.append(f'<span class="label">Negative:</span> {e(req.negative_prompt)}')
        if rec.revised_prompt and rec.revised_prompt != req.prompt:
            meta.append(f'<span class="label">Revised:</span> {e(rec.revised_prompt)}')
        if it.missing:
            meta.append(f"{_plural(len(it.missing), 'result file', 'result files')} "
                        "missing from the library")
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
        f"<header><h1>{e(title)}</h1><p>{_plural(len(items), 'edit', 'edits')} · "
        f"exported {e(stamp)} "
        f"with Qwen Studio {e(__version__)}</p></header>\n"
        f'<main class="grid">\n{chr(10).join(cards)}\n</main>\n</body>\n</html>\n'
    )
