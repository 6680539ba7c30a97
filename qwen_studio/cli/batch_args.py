"""`qwen-studio batch`'s command line: its arguments, checked, and turned into jobs.

Every mistake is a UsageError (exit code 2, one clear line) before anything is sent: a
bad size, region or budget, inputs a model cannot take, an output path that is a file.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from qwen_studio.core.errors import InputImageError
from qwen_studio.core.region import region_from_cli
from qwen_studio.core.region_spec import DEFAULT_FEATHER, MAX_FEATHER, RegionSpec
from qwen_studio.core.request import (
    STYLES,
    EditRequest,
    max_inputs,
    model_family,
    needs_input,
    parse_size,
)
from qwen_studio.core.spend import PriceBook, UnitPrice, parse_price, user_prices


class UsageError(Exception):
    """Wrong command-line use: exit code 2 with one clear line."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="image files and/or folders (none: make images from the prompt, on "
                        "models that generate, e.g. --model qwen-image-2.0-pro)")
    p.add_argument("--prompt", required=True, help="what to change (at most 800 characters)")
    p.add_argument("--out", required=True, type=Path, help="folder for results")
    p.add_argument("--endpoint", help="gateway base URL (else $QWEN_STUDIO_ENDPOINT or profile)")
    p.add_argument("--style", choices=STYLES, help="request style (default bailian)")
    p.add_argument("--model", help="model name (default per style)")
    p.add_argument("--negative-prompt", default="", help="what to avoid (≤ 500 characters)")
    p.add_argument("--size", help="output size WxH or W*H (default: automatic)")
    p.add_argument("--n", type=int, default=1, help="results per input (1-6, as the model allows)")
    p.add_argument("--seed", type=int, help="seed 0–2147483647 (default random)")
    p.add_argument("--watermark", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--prompt-extend", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument(
        "--together",
        action="store_true",
        help="send all inputs (at most 3, or what the model takes) as one multi-image edit",
    )
    p.add_argument("--concurrency", type=int, default=4, help="edits in flight at once (1–16)")
    p.add_argument("--attempts", type=int, default=4, help="attempts per request (1–10)")
    p.add_argument("--timeout", type=float, default=120.0, help="read timeout in seconds")
    p.add_argument(
        "--demo", action="store_true", help="run against the built-in sandbox (no key, no network)"
    )
    p.add_argument("--budget", metavar="AMOUNT",
                   help="the most this batch may cost, e.g. 5 or '30 CNY' (in the price's "
                        "currency); results already in --out count as spent")
    p.add_argument("--price", metavar="P", type=price_arg,
                   help="price per image instead of the model catalog's and Settings', "
                        "e.g. 0.2, '0.2 CNY' or $0.035")
    add_region_arguments(p)


# -- region edits (issue #15): --mask / --region / --feather --------------------------------
def add_region_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mask", metavar="MASK.png",
                   help="change only where this greyscale mask is white (black = keep); any "
                        "size, scaled to each input as displayed; results keep the input's "
                        "full size")
    p.add_argument("--region", metavar="X,Y,W,H",
                   help="change only this rectangle (pixels of the input as displayed)")
    p.add_argument("--feather", metavar="PX", type=int, default=None,
                   help=f"soft edge around the mask or region, 0–{MAX_FEATHER} px "
                        f"(default {DEFAULT_FEATHER})")


def region_of(args: argparse.Namespace) -> tuple[RegionSpec | None, tuple[bytes, ...]]:
    """The batch's region (None: whole images) and the mask bytes the service stores."""
    mask, rect, feather = (getattr(args, "mask", None), getattr(args, "region", None),
                           getattr(args, "feather", None))
    if feather is not None and mask is None and rect is None:
        raise UsageError("--feather needs --mask or --region")
    try:
        spec, data = region_from_cli(mask, rect,
                                     DEFAULT_FEATHER if feather is None else feather)
    except (ValueError, InputImageError) as exc:
        raise UsageError(str(exc)) from None
    return spec, (data,) if data is not None else ()


def price_arg(text: str) -> UnitPrice:
    try:
        return parse_price(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


@dataclass(frozen=True)
class Budget:
    limit: UnitPrice
    prices: PriceBook
    price: UnitPrice  # of the batch's model


def budget_of(args: argparse.Namespace, model: str) -> Budget | None:
    """The batch's budget, or None. A budget without a known price is a usage error, not a
    batch of skips: every edit of a batch uses the one model, so none could be sent."""
    if args.budget is None:
        return None
    prices = user_prices(args.price)
    price = prices(model)
    if price is None:
        raise UsageError(f"--budget needs a price per image for {model}: none is known "
                         "(model catalog or Settings); pass --price P")
    try:
        limit = parse_price(args.budget, default_currency=price.currency)
    except ValueError as exc:
        raise UsageError(f"--budget: {exc}") from None
    if limit.currency != price.currency:
        raise UsageError(f"--budget is in {limit.currency} but {model} is priced in "
                         f"{price.currency} ({price.text()} per image)")
    return Budget(limit, prices, price)


@dataclass(frozen=True)
class Job:
    label: str  # what the user sees: the input path(s)
    stem: str
    request: EditRequest


def jobs_for(args: argparse.Namespace, base: EditRequest, images: list[Path]) -> list[Job]:
    if not args.inputs:  # text to image: one generation of n results
        return [Job(f"text-to-image ({base.model})", "generated", base)]
    if args.together:
        limit = max_inputs(base.model)  # the model's own limit, from the catalog
        if len(images) > limit:
            raise UsageError(f"--together takes at most {limit} images for {base.model}, "
                             f"got {len(images)}")
        stem = "+".join(p.stem for p in images)
        return [
            Job(
                ", ".join(map(str, images)), stem, base.with_changes(inputs=tuple(map(str, images)))
            )
        ]
    stems = [p.stem for p in images]
    jobs = []
    for path in images:
        # Same stem from different folders: prefix the folder so names stay distinct and readable.
        stem = path.stem if stems.count(path.stem) == 1 else f"{path.parent.name}_{path.stem}"
        jobs.append(Job(str(path), stem, base.with_changes(inputs=(str(path),))))
    return jobs


def base_request(args: argparse.Namespace, style: str, model: str) -> EditRequest:
    try:
        parse_size(args.size)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return EditRequest(
        inputs=(),
        prompt=args.prompt,
        model=model,
        style=style,
        negative_prompt=args.negative_prompt,
        size=args.size,
        n=args.n,
        seed=args.seed,
        watermark=args.watermark,
        prompt_extend=args.prompt_extend,
    )


def check_inputs(args: argparse.Namespace, base: EditRequest) -> None:
    """No INPUT is a generation: fine for models that make images from text (and names the
    catalog does not know: the service judges); an edit model needs its photos."""
    family = model_family(base.model)
    if not args.inputs and family is not None and needs_input(base.model):
        raise UsageError(f"{base.model} edits photos: give at least one INPUT image or "
                         "folder (or choose a model that makes images from text)")
    if args.inputs and family is not None and family.inputs[1] == 0:
        raise UsageError(f"{base.model} makes images from text and takes no input image; "
                         "leave out INPUT")


def make_out_folder(out: Path) -> None:
    """Create --out up front, so a bad path is one usage line, not a traceback per job."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot create the output folder {out} ({exc.strerror or type(exc).__name__})"
        ) from None
