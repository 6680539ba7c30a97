"""The model catalog: what each Qwen image model takes, read from data (resources_data/models.toml).

`default_catalog()` is the shipped catalog; `load_catalog(path)` reads another file (tests, a
user's newer catalog). `Catalog.lookup(name)` finds a model's family by its id, an alias, a
known dated snapshot or the family's snapshot pattern; None means "not in the catalog", which
is never a reason to refuse: the request is sent and the service judges it. `merge()` is what
the window and `qwen-studio models` offer: the catalog plus an endpoint's listing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from qwen_studio.core.errors import ConfigError

CATALOG_RESOURCE = "models.toml"
SIZE_RULES = ("fixed", "each_side", "total_pixels", "not_customizable")
DEFAULT_SIZE_RULES = ("about_1mp_last_input", "last_input_within_range")
OPTIONS = ("seed", "prompt_extend", "watermark", "negative_prompt")
SIZE_RE = re.compile(r"^(\d{1,5})\*(\d{1,5})$")
# What a family gets when neither it nor the file's [defaults] says otherwise.
BUILT_IN_DEFAULTS: dict[str, Any] = {
    "prompt_limit": 800, "negative_prompt_limit": 500, "options": list(OPTIONS),
    "snapshot_pattern": "{id}-\\d{4}-\\d{2}-\\d{2}",
}


class CatalogError(ConfigError):
    """A catalog file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class SizeRule:
    """Which output sizes a model accepts."""

    rule: str  # one of SIZE_RULES
    sizes: tuple[str, ...] = ()  # "fixed": the offered "W*H" sizes
    low: int = 0  # "each_side": px per side; "total_pixels": pixels (width × height)
    high: int = 0

    @property
    def customizable(self) -> bool:
        return self.rule != "not_customizable"

    def accepts(self, width: int, height: int) -> bool:
        if self.rule == "fixed":
            return f"{width}*{height}" in self.sizes
        if self.rule == "each_side":
            return all(self.low <= s <= self.high for s in (width, height))
        if self.rule == "total_pixels":
            return self.low <= width * height <= self.high
        return False

    def suggested(self) -> tuple[str, ...]:
        """Sizes the window offers in its size list (any accepted size may be typed)."""
        if self.rule == "fixed":
            return self.sizes
        if self.rule == "not_customizable":
            return ()
        common = ("1024*1024", "1328*1328", "1536*1024", "1024*1536", "1536*1536",
                  "2048*2048", "1664*928", "928*1664", "1472*1104", "1104*1472")
        return tuple(s for s in common if self.accepts(*size_of(s)))


@dataclass(frozen=True)
class Price:
    """A model's price: `amount` in `currency` per `per` (an image), and where it is from."""

    amount: float
    currency: str
    per: str = "image"
    source: str = ""

    def text(self) -> str:
        symbol = {"USD": "$", "CNY": "¥"}.get(self.currency, "")
        amount = f"{self.amount:g}"
        return f"{symbol}{amount}" if symbol else f"{amount} {self.currency}"


@dataclass(frozen=True)
class ModelFamily:
    """One model family and its dated snapshots: every limit the app checks before sending."""

    id: str
    name: Mapping[str, str]
    description: Mapping[str, str]
    inputs: tuple[int, int]
    n_max: int
    size: SizeRule
    default_size: str
    default_size_without_input: str = ""
    prompt_limit: int = 800
    negative_prompt_limit: int = 500
    options: frozenset[str] = frozenset(OPTIONS)
    aliases: tuple[str, ...] = ()
    snapshots: tuple[str, ...] = ()
    snapshot_pattern: re.Pattern[str] | None = None
    price: Price | None = None
    recommended: bool = False

    @property
    def edits(self) -> bool:
        return self.inputs[1] > 0

    @property
    def generates(self) -> bool:
        """Makes images from text alone (no input image)."""
        return self.inputs[0] == 0

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of this family the catalog spells out: id, aliases, known snapshots."""
        return (self.id, *self.aliases, *self.snapshots)

    def display_name(self, lang: str = "en") -> str:
        return self.name.get(lang) or self.name.get("en") or self.id

    def describe(self, lang: str = "en") -> str:
        return self.description.get(lang) or self.description.get("en") or ""

    def matches(self, model: str) -> bool:
        if model in self.names:
            return True
        return bool(self.snapshot_pattern and self.snapshot_pattern.fullmatch(model))


@dataclass(frozen=True)
class GatewayStyleRule:
    """What a gateway does with one request style: options it drops, and where it keeps them."""

    drops: tuple[str, ...]
    keeps_in: str = ""


@dataclass(frozen=True)
class Gateway:
    """What a relay does with each request style (docs/gateways.md has the sources)."""

    id: str
    name: str
    source: str = ""
    styles: Mapping[str, GatewayStyleRule] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    """The model families and gateways known, read from `path` ("": the built-in file)."""

    families: tuple[ModelFamily, ...]
    gateways: tuple[Gateway, ...] = ()
    path: str = ""

    def lookup(self, model: str) -> ModelFamily | None:
        """The family `model` belongs to, or None when the catalog does not know the name."""
        name = (model or "").strip()
        for family in self.families:  # exact names first: an alias beats another's pattern
            if name in family.names:
                return family
        return next((f for f in self.families if f.matches(name)), None)

    def family(self, family_id: str) -> ModelFamily | None:
        return next((f for f in self.families if f.id == family_id), None)

    def names(self) -> list[str]:
        """Every model name the catalog spells out, family by family, in catalog order."""
        return [name for f in self.families for name in f.names]

    def losses(self, style: str, options: Iterable[str]
               ) -> list[tuple[Gateway, list[str], str]]:
        """For each relay known to lose some of `options` (plus "image" for input images) in
        bodies of `style`: (relay, what it loses, the style that keeps them)."""
        wanted = list(options)
        out = []
        for gateway in self.gateways:
            rule = gateway.styles.get(style)
            lost = [o for o in wanted if rule and o in rule.drops]
            if rule and lost:
                out.append((gateway, lost, rule.keeps_in))
        return out

    @property
    def max_inputs(self) -> int:
        """The most input images any known model takes (the window's limit for unknown names)."""
        return max((f.inputs[1] for f in self.families), default=3)

    @property
    def max_n(self) -> int:
        return max((f.n_max for f in self.families), default=1)


# -- loading ------------------------------------------------------------------------------------
def load_catalog(path: str | Path) -> Catalog:
    """Read a catalog file; CatalogError naming the file and the reason when it is unusable
    (the reading and checking live in catalog_loader.py)."""
    from qwen_studio.core.catalog_loader import read_catalog

    return read_catalog(path)


ENV_CATALOG = "QWEN_STUDIO_CATALOG"


def default_catalog() -> Catalog:
    """The catalog shipped with the app, or the file $QWEN_STUDIO_CATALOG names (a newer
    catalog, used without waiting for a release). Read once per path."""
    import os

    override = os.environ.get(ENV_CATALOG, "").strip()
    return _cached_catalog(override)


@lru_cache(maxsize=4)
def _cached_catalog(override: str) -> Catalog:
    if override:
        return load_catalog(override)
    from qwen_studio.resources import resource_path

    return load_catalog(resource_path(CATALOG_RESOURCE))


def size_of(size: str) -> tuple[int, int]:
    """"W*H" (already checked against SIZE_RE) -> (W, H)."""
    w, _, h = size.partition("*")
    return int(w), int(h)


# -- what the service answers without a size ------------------------------------------------------
def default_output_size(family: ModelFamily, inputs: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The size the service returns when no size is asked: per the family's default_size."""
    sizes = list(inputs)
    rule = family.default_size
    if SIZE_RE.match(rule):
        return size_of(rule)
    if not sizes:
        return size_of(family.default_size_without_input or "1328*1328")
    w, h = sizes[-1]  # the LAST input image decides, as upstream
    if rule == "about_1mp_last_input":
        aspect = w / h
        ow = round(math.sqrt(1024 * 1024 * aspect) / 16) * 16
        oh = round(math.sqrt(1024 * 1024 / aspect) / 16) * 16
        if family.size.rule == "each_side":  # an extreme aspect ratio stays within the sides
            ow, oh = (min(family.size.high, max(family.size.low, s)) for s in (ow, oh))
        return ow, oh
    # last_input_within_range: the input's own size, scaled into the total-pixel range.
    low, high = (family.size.low, family.size.high) if family.size.rule == "total_pixels" \
        else (512 * 512, 2048 * 2048)
    area = w * h
    if low <= area <= high:
        return w, h
    scale = math.sqrt((high if area > high else low) / area)
    ow, oh = int(w * scale), int(h * scale)
    if ow * oh < low:  # rounding down may fall just short of the minimum
        ow, oh = math.ceil(w * scale), math.ceil(h * scale)
    return ow, oh


# -- what to offer: the catalog merged with an endpoint's listing -----------------------------
@dataclass(frozen=True)
class ModelEntry:
    """One model to offer: `source` says where it came from ("catalog", "endpoint" or
    "catalog+endpoint"); `family` is "" for a name the catalog does not know."""

    id: str
    source: str
    family: str = ""
    name: str = ""
    description: str = ""
    recommended: bool = False
    edits: bool = True
    generates: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "source": self.source, "family": self.family or None,
                "name": self.name, "description": self.description,
                "recommended": self.recommended, "edits": self.edits,
                "generates": self.generates}


def merge(listed: tuple[str, ...] | None, catalog: Catalog | None = None, *,
          lang: str = "en", everything: bool = False) -> list[ModelEntry]:
    """The catalog's models (recommended first, then catalog order) and the endpoint's.

    An endpoint name the catalog does not know is offered when it looks like an image model
    (relays list their chat models too), or always with `everything`."""
    catalog = catalog or default_catalog()
    on_endpoint = set(listed or ())
    entries: list[ModelEntry] = []
    families = sorted(catalog.families, key=lambda f: not f.recommended)
    for family in families:
        for name in family.names:
            source = "catalog+endpoint" if name in on_endpoint else "catalog"
            entries.append(ModelEntry(
                name, source, family.id, family.display_name(lang), family.describe(lang),
                family.recommended, family.edits, family.generates))
    known = {e.id for e in entries}
    for name in listed or ():
        if name in known:
            continue
        family = catalog.lookup(name)
        if family is not None:  # a dated snapshot the catalog matches by pattern
            entries.append(ModelEntry(
                name, "endpoint", family.id, family.display_name(lang), family.describe(lang),
                family.recommended, family.edits, family.generates))
        elif everything or "image" in name.lower():
            entries.append(ModelEntry(name, "endpoint"))
    return entries
