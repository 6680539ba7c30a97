"""Wire formats, one module each. `get_style(name)` is the only way in."""

from __future__ import annotations

from qwen_studio.core.errors import ConfigError
from qwen_studio.core.styles import bailian, dashscope, flat
from qwen_studio.core.styles.base import GenerationResult, RequestStyle, ResultRef

_STYLES: dict[str, RequestStyle] = {
    "bailian": bailian.STYLE,
    "flat": flat.STYLE,
    "dashscope": dashscope.STYLE,
}
STYLE_NAMES: tuple[str, ...] = tuple(_STYLES)


def get_style(name: str) -> RequestStyle:
    """The style called `name`; ConfigError (naming the choices) for anything else."""
    style = _STYLES.get((name or "").strip().lower())
    if style is None:
        raise ConfigError(
            f"Unknown request style {name!r}",
            hint=f"Use one of {', '.join(STYLE_NAMES)}.",
        )
    return style


__all__ = ["STYLE_NAMES", "GenerationResult", "RequestStyle", "ResultRef", "get_style"]
