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
from pathlib import Path

from qwen_studio.cli.batch_args import (
    Budget,
    Job,
    UsageError,
    add_arguments,
    base_request,
    budget_of,
    check_inputs,
    jobs_for,
    make_out_folder,
    region_of,
)
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
from qwen_studio.core.spend import UnitPrice, money_text, user_prices
from qwen_studio.core.text_safety import terminal_safe

# Why an edit was not sent because of its budget (core/editing/budget.py).
BUDGET_CODES = frozenset({"over_budget", "no_price"})
OVER_BUDGET = "skipped (over budget)"  # the window's words (history row, batch summary)

log = logging.getLogger(__name__)

__all__ = ["add_arguments", "run"]  # the command (__main__); its arguments: batch_args.py


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
            region, masks = region_of(args)
            base = base_request(args, endpoint.style, model).with_changes(region=region)
            check_inputs(args, base)
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
            jobs = jobs_for(args, base, images)
            make_out_folder(args.out)
            budget = budget_of(args, model)
            price = budget.price if budget is not None else user_prices(args.price)(model)
            settings = ClientSettings(read_timeout=args.timeout, max_attempts=args.attempts)
            stack.enter_context(_loop_first())
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


# How long a thread waiting for the GIL lets the holder run before asking it to drop
# the GIL: the event loop gives the GIL up at every socket call, and with pool threads
# running Python (claims, sidecars, library rows) it waited up to Python's default 5 ms to
# get it back, on each edit's way to being sent and its answer being read.
LOOP_SWITCH_INTERVAL_S = 0.001


@contextlib.contextmanager
def _loop_first() -> Iterator[None]:
    """The batch's threads hand the GIL over sooner (put back after: `run` is also
    called in-process, by tests and benchmarks)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, LOOP_SWITCH_INTERVAL_S))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


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
    # The HTTP client is built in a thread while the folder is swept and the library opens:
    # its SSL context reads the CA certificates (~20 ms, mostly outside the GIL).
    building = asyncio.get_running_loop().run_in_executor(None, make_http_client, settings)
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
        # Saves wait on fsync (one or two per result): with four workers, 16 edits queued
        # their inputs and results behind each other's saves.
        # Not below the loop's thread (core/worker_priority.py) as the window's are: the
        # pool's trips (inputs, claims, saves) are on each edit's way to being sent, and on
        # a loaded machine nicer threads made the batch slower (200/8: 1.22 -> 1.32 x bare).
        with ThreadPoolExecutor(max_workers=min(8, concurrency + 1)) as pool:
            # The folder's preflight (a synced probe, the results there) while it builds.
            sink = FolderSink(folder, endpoint, pool, stems={j.label: j.stem for j in jobs},
                              library=library)
            async with await building as http:
                client = ImageClient(http, endpoint, settings, executor=pool)
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
