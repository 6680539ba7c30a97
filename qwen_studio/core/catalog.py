"""The model catalog: what each Qwen image model takes, read from data (resources_data/models.toml).

`default_catalog()` is the shipped catalog; `load_catalog(path)` reads another file (tests, a
user's newer catalog). `Catalog.lookup(name)` finds a model's family by its id, an alias, a
known dated snapshot or the family's snapshot pattern; None means "not in the catalog", which
is never a reason to refuse: the request is sent and the service judges it.
"""

from __future__ import annotations

import math
import re
import tomllib
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
_SIZE_RE = re.compile(r"^(\d{1,5})\*(\d{1,5})$")
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
        return tuple(s for s in common if self.accepts(*_wh(s)))


@dataclass(frozen=True)
class Price:
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
    """Read a catalog file; CatalogError naming the file and the reason when it is unusable."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"The model catalog {path} cannot be read: "
                           f"{exc.strerror or type(exc).__name__}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"The model catalog {path} is not valid TOML: {exc}") from None
    try:
        return parse_catalog(data, str(path))
    except _Bad as exc:
        raise CatalogError(f"The model catalog {path} is malformed: {exc}",
                           hint="Fix the entry named above, or reinstall Qwen Studio "
                           f"(a file named by {ENV_CATALOG} replaces the shipped one).") from None


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


class _Bad(Exception):
    """A malformed entry: the text says where and what."""


def parse_catalog(data: Mapping[str, Any], where: str = "<catalog>") -> Catalog:
    if data.get("schema") != 1:
        raise _Bad(f"'schema' must be 1, got {data.get('schema')!r}")
    defaults = _table(data.get("defaults", {}), "defaults")
    raw = data.get("family")
    if not isinstance(raw, list) or not raw:
        raise _Bad("it has no [[family]] entries")
    families = [_family(_table(entry, f"family #{i + 1}"), defaults, i)
                for i, entry in enumerate(raw)]
    seen: dict[str, str] = {}
    for fam in families:
        for name in fam.names:
            if name in seen:
                raise _Bad(f"the name {name!r} belongs to both {seen[name]!r} and {fam.id!r}")
            seen[name] = fam.id
    gateways = [_gateway(_table(g, f"gateway #{i + 1}"), i)
                for i, g in enumerate(data.get("gateway", []) or [])]
    return Catalog(tuple(families), tuple(gateways), where)


def _family(d: Mapping[str, Any], defaults: Mapping[str, Any], index: int) -> ModelFamily:
    fid = d.get("id")
    if not isinstance(fid, str) or not fid.strip():
        raise _Bad(f"family #{index + 1} has no 'id'")
    at = f"family {fid!r}"

    def get(key: str) -> Any:
        return d.get(key, defaults.get(key, BUILT_IN_DEFAULTS.get(key)))

    inputs = _int_pair(d.get("inputs"), f"{at}: 'inputs'", low=0)
    n = _int_pair(d.get("n"), f"{at}: 'n'", low=1)
    size = _size_rule(_table(d.get("size"), f"{at}: 'size'"), at)
    default_size = d.get("default_size")
    if not isinstance(default_size, str) or not (
            default_size in DEFAULT_SIZE_RULES or _SIZE_RE.match(default_size)):
        raise _Bad(f"{at}: 'default_size' must be one of {', '.join(DEFAULT_SIZE_RULES)} "
                   f"or a size like \"1328*1328\", got {default_size!r}")
    without = d.get("default_size_without_input", "")
    if without and not (isinstance(without, str) and _SIZE_RE.match(without)):
        raise _Bad(f"{at}: 'default_size_without_input' must be a size like \"1328*1328\"")
    options = _strings(get("options") or [], f"{at}: 'options'")
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise _Bad(f"{at}: unknown option(s) {', '.join(sorted(unknown))} "
                   f"(known: {', '.join(OPTIONS)})")
    pattern = get("snapshot_pattern")
    compiled = None
    if pattern:
        if not isinstance(pattern, str):
            raise _Bad(f"{at}: 'snapshot_pattern' must be a string")
        try:
            compiled = re.compile(pattern.replace("{id}", re.escape(fid)))
        except re.error as exc:
            raise _Bad(f"{at}: 'snapshot_pattern' is not a valid pattern ({exc})") from None
    return ModelFamily(
        id=fid,
        name=_texts(d.get("name"), f"{at}: 'name'"),
        description=_texts(d.get("description", {"en": ""}), f"{at}: 'description'"),
        inputs=inputs,
        n_max=n[1],
        size=size,
        default_size=default_size,
        default_size_without_input=without or "",
        prompt_limit=_positive(get("prompt_limit"), f"{at}: 'prompt_limit'"),
        negative_prompt_limit=_positive(get("negative_prompt_limit"),
                                        f"{at}: 'negative_prompt_limit'"),
        options=frozenset(options),
        aliases=tuple(_strings(d.get("aliases", []), f"{at}: 'aliases'")),
        snapshots=tuple(_strings(d.get("snapshots", []), f"{at}: 'snapshots'")),
        snapshot_pattern=compiled,
        price=_price(d.get("price"), at),
        recommended=bool(d.get("recommended", False)),
    )


def _size_rule(d: Mapping[str, Any], at: str) -> SizeRule:
    rule = d.get("rule")
    if rule not in SIZE_RULES:
        raise _Bad(f"{at}: 'size.rule' must be one of {', '.join(SIZE_RULES)}, got {rule!r}")
    if rule == "fixed":
        sizes = _strings(d.get("sizes"), f"{at}: 'size.sizes'")
        bad = [s for s in sizes if not _SIZE_RE.match(s)]
        if not sizes or bad:
            raise _Bad(f"{at}: 'size.sizes' must list sizes like \"1328*1328\"")
        return SizeRule(rule, sizes=tuple(sizes))
    if rule == "each_side":
        low, high = (_positive(d.get(k), f"{at}: 'size.{k}'") for k in ("min", "max"))
    elif rule == "total_pixels":
        low, high = (_area(d.get(k), f"{at}: 'size.{k}'") for k in ("min", "max"))
    else:
        return SizeRule(rule)
    if low > high:
        raise _Bad(f"{at}: 'size.min' is larger than 'size.max'")
    return SizeRule(rule, low=low, high=high)


def _gateway(d: Mapping[str, Any], index: int) -> Gateway:
    gid = d.get("id")
    if not isinstance(gid, str) or not gid:
        raise _Bad(f"gateway #{index + 1} has no 'id'")
    styles = {}
    for style, rule in _table(d.get("styles", {}), f"gateway {gid!r}: 'styles'").items():
        r = _table(rule, f"gateway {gid!r}: styles.{style}")
        styles[style] = GatewayStyleRule(
            tuple(_strings(r.get("drops", []), f"gateway {gid!r}: styles.{style}.drops")),
            str(r.get("keeps_in", "")))
    return Gateway(gid, str(d.get("name", gid)), str(d.get("source", "")), styles)


def _price(value: Any, at: str) -> Price | None:
    if value is None:
        return None
    d = _table(value, f"{at}: 'price'")
    amount, currency = d.get("amount"), d.get("currency")
    if not isinstance(amount, int | float) or isinstance(amount, bool) or amount < 0 or \
            not isinstance(currency, str) or not currency:
        raise _Bad(f"{at}: 'price' needs a number 'amount' and a 'currency'")
    return Price(float(amount), currency, str(d.get("per", "image")), str(d.get("source", "")))


def _table(value: Any, at: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _Bad(f"{at} must be a table")
    return value


def _strings(value: Any, at: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _Bad(f"{at} must be a list of names")
    return list(value)


def _texts(value: Any, at: str) -> dict[str, str]:
    d = _table(value, at)
    if not isinstance(d.get("en"), str) or not all(isinstance(v, str) for v in d.values()):
        raise _Bad(f"{at} needs an English text ('en')")
    return dict(d)


def _int_pair(value: Any, at: str, *, low: int) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            and low <= value[0] <= value[1]):
        raise _Bad(f"{at} must be [min, max] with {low} <= min <= max, got {value!r}")
    return value[0], value[1]


def _positive(value: Any, at: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _Bad(f"{at} must be a positive whole number, got {value!r}")
    return value


def _area(value: Any, at: str) -> int:
    if isinstance(value, str) and _SIZE_RE.match(value):
        w, h = _wh(value)
        return w * h
    return _positive(value, at)


def _wh(size: str) -> tuple[int, int]:
    w, _, h = size.partition("*")
    return int(w), int(h)


# -- what the service answers without a size ------------------------------------------------------
def default_output_size(family: ModelFamily, inputs: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The size the service returns when no size is asked: per the family's default_size."""
    sizes = list(inputs)
    rule = family.default_size
    if _SIZE_RE.match(rule):
        return _wh(rule)
    if not sizes:
        return _wh(family.default_size_without_input or "1328*1328")
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
