"""`qwen-studio batch`: one prompt over many photos, from a terminal.

Exit codes: 0 all succeeded, 1 any input failed or was not sent for the budget, 2 usage
or configuration error.

`--budget AMOUNT` caps what the batch may cost: the results of this same batch already in
the output folder count as spent (a re-run cannot spend the budget twice), and no request
is sent that could take the total over it (each reserves its n images x price before it
goes, so concurrency cannot overshoot). What does not fit is "skipped (over budget)", as
the window says it; run the same command with a larger budget to send only that.

The output folder (core/editing/sinks.py FolderSink) must be writable before anything is
sent (else exit 2); a second run on the same folder, or the same photo twice, is sent
once; when the folder stops taking results (disk full), the received result is kept
(the history), nothing more is sent, and the same command later saves the kept result
instead of paying for it again. Everything printed is escaped for the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from qwen_studio.cli.progress import Progress
from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.config import ConfigStore
from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.budget import BudgetGate
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.recorder import BestEffortRecorder, EditRecorder, NullRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import FolderSink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import INPUT_COUNT_PROBLEMS, ConfigError, InputImageError
from qwen_studio.core.library import Library
from qwen_studio.core.output_folder import OutputFolder, OutputUnavailableError
from qwen_studio.core.pipeline import find_images
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
from qwen_studio.core.spend import PriceBook, UnitPrice, money_text, parse_price, user_prices
from qwen_studio.core.text_safety import terminal_safe

# Why an edit was not sent because of its budget (core/editing/budget.py).
BUDGET_CODES = frozenset({"over_budget", "no_price"})
OVER_BUDGET = "skipped (over budget)"  # the window's words (history row, batch summary)

log = logging.getLogger(__name__)


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
    p.add_argument("--price", metavar="P", type=_price,
                   help="price per image instead of the model catalog's and Settings', "
                        "e.g. 0.2, '0.2 CNY' or $0.035")
    _add_region_arguments(p)


# -- region edits (issue #15): --mask / --region / --feather --------------------------------
def _add_region_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mask", metavar="MASK.png",
                   help="change only where this greyscale mask is white (black = keep); any "
                        "size, scaled to each input as displayed; results keep the input's "
                        "full size")
    p.add_argument("--region", metavar="X,Y,W,H",
                   help="change only this rectangle (pixels of the input as displayed)")
    p.add_argument("--feather", metavar="PX", type=int, default=None,
                   help=f"soft edge around the mask or region, 0–{MAX_FEATHER} px "
                        f"(default {DEFAULT_FEATHER})")


def _region(args: argparse.Namespace) -> tuple[RegionSpec | None, tuple[bytes, ...]]:
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


def _price(text: str) -> UnitPrice:
    try:
        return parse_price(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


@dataclass(frozen=True)
class Budget:
    limit: UnitPrice
    prices: PriceBook
    price: UnitPrice  # of the batch's model


def _budget(args: argparse.Namespace, model: str) -> Budget | None:
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


def _jobs(args: argparse.Namespace, base: EditRequest, images: list[Path]) -> list[Job]:
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


def _base_request(args: argparse.Namespace, style: str, model: str) -> EditRequest:
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


def _check_inputs(args: argparse.Namespace, base: EditRequest) -> None:
    """No INPUT is a generation: fine for models that make images from text (and names the
    catalog does not know: the service judges); an edit model needs its photos."""
    family = model_family(base.model)
    if not args.inputs and family is not None and needs_input(base.model):
        raise UsageError(f"{base.model} edits photos: give at least one INPUT image or "
                         "folder (or choose a model that makes images from text)")
    if args.inputs and family is not None and family.inputs[1] == 0:
        raise UsageError(f"{base.model} makes images from text and takes no input image; "
                         "leave out INPUT")


def _make_out_folder(out: Path) -> None:
    """Create --out up front, so a bad path is one usage line, not a traceback per job."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot create the output folder {out} ({exc.strerror or type(exc).__name__})"
        ) from None


@contextlib.contextmanager
def _demo_server() -> Iterator[str]:
    from qwen_studio.sandbox import SandboxServer

    server = SandboxServer(latency=0.3).start()
    try:
        yield server.base_url
    finally:
        server.stop()


def run(args: argparse.Namespace) -> int:
    try:
        missing = [p for p in args.inputs if not Path(p).exists()]
        if missing:
            raise UsageError("no such file or folder: " + ", ".join(missing))
        if not 1 <= args.concurrency <= 16:
            raise UsageError("--concurrency must be between 1 and 16")
        if not 1 <= args.attempts <= 10:
            raise UsageError("--attempts must be between 1 and 10")
        if not (math.isfinite(args.timeout) and 0 < args.timeout <= 3600):
            raise UsageError("--timeout must be a number of seconds between 0 and 3600")
        images, skipped = find_images([Path(p) for p in args.inputs])
        with contextlib.ExitStack() as stack:
            if args.demo:
                base_url = stack.enter_context(_demo_server())
                endpoint = Endpoint(base_url, args.style or "bailian", "demo", "demo sandbox")
                model = (
                    args.model
                    or ConfigStore()
                    .resolve(endpoint=base_url, style=endpoint.style, api_key="demo")
                    .model
                )
            else:
                resolved = ConfigStore().resolve(
                    endpoint=args.endpoint, style=args.style, model=args.model
                )
                endpoint, model = resolved.endpoint, resolved.model
            region, masks = _region(args)
            base = _base_request(args, endpoint.style, model).with_changes(region=region)
            _check_inputs(args, base)
            # Each input file is its own edit: the request's own input count does not apply.
            problems = [p for p in base.problems()
                        if getattr(p, "code", "") not in INPUT_COUNT_PROBLEMS]
            if problems:
                raise UsageError("; ".join(problems))
            for path, reason in skipped:
                print(f"note: skipped {terminal_safe(path)}: {terminal_safe(reason)}",
                      file=sys.stderr)
            if args.inputs and not images:
                raise UsageError("no images found in the given inputs")
            sample = base.with_changes(inputs=("input",) if args.inputs else ())
            for note in sample.notes():  # said before anything is sent
                print(f"note: {terminal_safe(note)}", file=sys.stderr)
            jobs = _jobs(args, base, images)
            _make_out_folder(args.out)
            budget = _budget(args, model)
            price = budget.price if budget is not None else user_prices(args.price)(model)
            settings = ClientSettings(read_timeout=args.timeout, max_attempts=args.attempts)
            return asyncio.run(_run_jobs(jobs, args.out, endpoint, settings, args.concurrency,
                                         budget, price, masks=masks))
    except UsageError as exc:
        print(f"qwen-studio batch: error: {terminal_safe(exc)}", file=sys.stderr)
        return 2
    except OutputUnavailableError as exc:  # the preflight: nothing was sent
        print(f"qwen-studio batch: error: {terminal_safe(exc.user_message)}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"qwen-studio batch: {terminal_safe(exc.user_message)}", file=sys.stderr)
        if exc.hint:
            print(f"  {terminal_safe(exc.hint)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\nqwen-studio batch: interrupted; run the same command again to resume.",
            file=sys.stderr,
        )
        return 130


def _open_library() -> Library | None:
    """The library records batch edits so the window's history shows them (one batch id per
    run). It is a convenience here: if it cannot be opened, the batch goes on and says so."""
    try:
        return Library()
    except Exception as exc:  # a locked/newer/corrupt library must not stop a batch
        log.warning("batch edits are not recorded in the history: %s", exc)
        return None


class _Printer:
    """Turns the service's EditProgress into the terminal's words (cli/progress.py)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.failures: dict[int, tuple[str, str]] = {}  # edit id -> (label, reason)
        self.over_budget: dict[int, str] = {}  # edit id -> label: not sent for the budget
        self.images = 0  # results saved this run (what it was billed for)
        self.not_sent: dict[int, str] = {}  # edit id -> label: the output stopped taking them
        self.stopped = False  # the output folder stopped taking results

    @staticmethod
    def reason(p: EditProgress) -> str:
        error = p.error
        # An input error names its file; the line already starts with that name.
        if isinstance(error, InputImageError) and error.path == p.label:
            return str(error.reason)
        return error.user_message if error is not None else str(p.status)

    def __call__(self, p: EditProgress) -> None:
        if p.status is EditStatus.DONE:
            names = p.result.paths if p.result is not None else ()
            self.images += len(names)
            self.progress.ok(p.label, ", ".join(path.name for path in names))
        elif p.status is EditStatus.SKIPPED:
            if p.note is not None and p.note.code in BUDGET_CODES:
                self.over_budget[p.edit_id] = p.label
                self.progress.skip(p.label, str(p.note), word=OVER_BUDGET)
            else:
                self.progress.skip(p.label, str(p.note or ""))
        elif p.status is EditStatus.CANCELLED and p.note is not None:  # stopped batch
            self.not_sent[p.edit_id] = p.label
            self.progress.fail(p.label, str(p.note))
        elif p.status is EditStatus.FAILED:
            reason = self.reason(p)
            if isinstance(p.error, OutputUnavailableError) and not self.stopped:
                self.stopped = True
                self.progress.note("stopped sending: the output folder cannot take results; "
                                   "run the same command again when it can")
            if p.error is not None and p.error.user_message.startswith("unexpected"):
                log.error("unexpected failure for %s: %s", p.label, reason)
            self.failures[p.edit_id] = (p.label, reason)
            self.progress.fail(p.label, reason)


async def _budget_gate(budget: Budget, sink: FolderSink, jobs: list[Job], pool: Executor,
                       progress: Progress) -> BudgetGate:
    """The gate for this run, counting this batch's results already in the folder."""
    done = await asyncio.get_running_loop().run_in_executor(
        pool, sink.images_done_before, [j.request for j in jobs])
    spent = sum(done) * budget.price.amount
    progress.note(f"budget {budget.limit.text()} at {budget.price.text()} per image"
                  + (f"; {money_text(spent, budget.limit.currency)} already spent on the "
                     f"{sum(done)} result(s) in the output folder" if spent else ""))
    return BudgetGate(budget.limit, budget.prices, spent=spent)


async def _run_jobs(
    jobs: list[Job], out: Path, endpoint: Endpoint, settings: ClientSettings, concurrency: int,
    budget: Budget | None = None, price: UnitPrice | None = None, *,
    masks: tuple[bytes, ...] = (),
) -> int:
    folder = OutputFolder(out)
    progress = Progress(len(jobs))
    if folder.stale_temps_removed:
        progress.note(
            f"removed {folder.stale_temps_removed} temporary file(s) left by a killed run"
        )
    printer = _Printer(progress)
    library = _open_library()
    recorder: EditRecorder = (BestEffortRecorder(library, profile_name=endpoint.profile_name)
                              if library is not None else NullRecorder())
    gate: BudgetGate | None = None
    try:
        # Saves wait on fsync (two per result): with four workers, 16 edits at once queued
        # their inputs and results behind each other's saves.
        # Not below the loop's thread (core/worker_priority.py) as the window's are: the
        # pool's trips (inputs, claims, saves) are on each edit's way to being sent, and on
        # a loaded machine nicer threads made the batch slower (200/8: 1.22 -> 1.32 x bare).
        with ThreadPoolExecutor(max_workers=min(8, concurrency + 1)) as pool:
            async with make_http_client(settings) as http:
                client = ImageClient(http, endpoint, settings, executor=pool)
                sink = FolderSink(folder, endpoint, pool, stems={j.label: j.stem for j in jobs},
                                  library=library)
                gate = None if budget is None else await _budget_gate(budget, sink, jobs, pool,
                                                                      progress)
                service = EditService(lambda: client, recorder, sink, pool, concurrency)
                service.subscribe(printer)
                batch_id = new_batch_id(folder=True)  # resumed by rerunning, not the window
                try:
                    await service.submit([j.request for j in jobs],
                                         labels=[j.label for j in jobs], batch_id=batch_id,
                                         budget=gate, masks=masks)
                    await service.wait_idle()
                finally:
                    await service.close()
    finally:
        if library is not None:
            library.close()
    progress.close()
    elapsed = time.monotonic() - progress.started
    over = len(printer.over_budget)
    print(
        f"\n{progress.done} done, {progress.skipped - over} already done, "
        + (f"{over} {OVER_BUDGET}, " if budget is not None else "")
        + f"{progress.failed} failed of {len(jobs)} in {elapsed:.1f} s → {terminal_safe(out)}",
        file=sys.stderr,
    )
    if price is not None:  # an estimate: images returned x price per image
        now = money_text(printer.images * price.amount, price.currency)
        print(f"Estimated spend: {now} ({printer.images} image(s) × {price.text()})"
              + (f"; the batch so far {money_text(gate.spent, gate.budget.currency)} of its "
                 f"{gate.budget.text()} budget" if gate is not None else ""), file=sys.stderr)
    if printer.failures:
        print("Failures:", file=sys.stderr)
        for label, reason in printer.failures.values():
            print(f"  {terminal_safe(label)}: {terminal_safe(reason)}", file=sys.stderr)
    if over:
        print(f"{over} {OVER_BUDGET}: run the same command with a larger --budget to send "
              "only these.", file=sys.stderr)
    if printer.not_sent:
        print(f"Not sent (the output folder cannot take results): {len(printer.not_sent)}; "
              "run the same command again when it can.", file=sys.stderr)
    return 1 if printer.failures or over or printer.not_sent else 0
