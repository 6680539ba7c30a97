"""Reading models.toml: every entry checked, and a clear CatalogError naming the file and the
entry for anything malformed (see core/catalog.py for what the entries mean)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qwen_studio.core.catalog import (
    BUILT_IN_DEFAULTS,
    DEFAULT_SIZE_RULES,
    ENV_CATALOG,
    OPTIONS,
    SIZE_RE,
    SIZE_RULES,
    Catalog,
    CatalogError,
    Gateway,
    GatewayStyleRule,
    ModelFamily,
    Price,
    SizeRule,
    size_of,
)
from qwen_studio.core.toml_cache import loads_cached


def read_catalog(path: str | Path) -> Catalog:
    """Read a catalog file; CatalogError naming the file and the reason when it is unusable."""
    path = Path(path)
    try:
        data = loads_cached(path.read_bytes())  # tomllib's parse, kept for these bytes
    except OSError as exc:
        raise CatalogError(f"The model catalog {path} cannot be read: "
                           f"{exc.strerror or type(exc).__name__}") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError or UnicodeDecodeError
        raise CatalogError(f"The model catalog {path} is not valid TOML: {exc}") from None
    try:
        return parse_catalog(data, str(path))
    except _Bad as exc:
        raise CatalogError(f"The model catalog {path} is malformed: {exc}",
                           hint="Fix the entry named above, or reinstall Qwen Studio "
                           f"(a file named by {ENV_CATALOG} replaces the shipped one).") from None


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
            default_size in DEFAULT_SIZE_RULES or SIZE_RE.match(default_size)):
        raise _Bad(f"{at}: 'default_size' must be one of {', '.join(DEFAULT_SIZE_RULES)} "
                   f"or a size like \"1328*1328\", got {default_size!r}")
    without = d.get("default_size_without_input", "")
    if without and not (isinstance(without, str) and SIZE_RE.match(without)):
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
        bad = [s for s in sizes if not SIZE_RE.match(s)]
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
    if isinstance(value, str) and SIZE_RE.match(value):
        w, h = size_of(value)
        return w * h
    return _positive(value, at)
