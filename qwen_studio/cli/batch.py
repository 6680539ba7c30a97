"""`qwen-studio batch`: one prompt over many photos, from a terminal.

Exit codes: 0 all succeeded, 1 any input failed, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import math
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qwen_studio import __version__
from qwen_studio.cli.progress import Progress
from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.config import ConfigStore
from qwen_studio.core.engine import EditEvent, EditOutcome, EditRunner
from qwen_studio.core.errors import (
    INPUT_COUNT_PROBLEMS,
    ConfigError,
    InputImageError,
    QwenStudioError,
)
from qwen_studio.core.jobs import Job as QueuedJob
from qwen_studio.core.jobs import JobContext, JobQueue, JobState, SkipJob
from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.library_recovery import complete_interrupted
from qwen_studio.core.output_folder import (
    OutputFolder,
    OutputUnavailableError,
    check_writable,
    keep_unsaved,
)
from qwen_studio.core.ownership import this_process
from qwen_studio.core.pipeline import PreparedImage, find_images
from qwen_studio.core.request import MAX_INPUTS, STYLES, EditRequest, parse_size
from qwen_studio.core.text_safety import prompt_problems, terminal_safe

log = logging.getLogger(__name__)


class UsageError(Exception):
    """Wrong command-line use: exit code 2 with one clear line."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files and/or folders")
    p.add_argument("--prompt", required=True, help="what to change (at most 800 characters)")
    p.add_argument("--out", required=True, type=Path, help="folder for results")
    p.add_argument("--endpoint", help="gateway base URL (else $QWEN_STUDIO_ENDPOINT or profile)")
    p.add_argument("--style", choices=STYLES, help="request style (default bailian)")
    p.add_argument("--model", help="model name (default per style)")
    p.add_argument("--negative-prompt", default="", help="what to avoid (≤ 500 characters)")
    p.add_argument("--size", help="output size WxH or W*H (default: automatic)")
    p.add_argument("--n", type=int, default=1, help="results per input (1–6 on edit-plus models)")
    p.add_argument("--seed", type=int, help="seed 0–2147483647 (default random)")
    p.add_argument("--watermark", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--prompt-extend", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument(
        "--together",
        action="store_true",
        help="send all inputs (at most 3) as one multi-image edit",
    )
    p.add_argument("--concurrency", type=int, default=4, help="edits in flight at once (1–16)")
    p.add_argument("--attempts", type=int, default=4, help="attempts per request (1–10)")
    p.add_argument("--timeout", type=float, default=120.0, help="read timeout in seconds")
    p.add_argument(
        "--demo", action="store_true", help="run against the built-in sandbox (no key, no network)"
    )


@dataclass(frozen=True)
class Job:
    label: str  # what the user sees: the input path(s)
    stem: str
    request: EditRequest


def _jobs(args: argparse.Namespace, base: EditRequest, images: list[Path]) -> list[Job]:
    if args.together:
        if len(images) > MAX_INPUTS:
            raise UsageError(f"--together takes at most {MAX_INPUTS} images, got {len(images)}")
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
        text_problems = prompt_problems(args.prompt) + [
            p.replace("the prompt", "the negative prompt", 1)
            for p in prompt_problems(args.negative_prompt)]
        if text_problems:
            raise UsageError("; ".join(text_problems))
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
            base = _base_request(args, endpoint.style, model)
            # Each input file is its own edit: the request's own input count does not apply.
            problems = [p for p in base.problems()
                        if getattr(p, "code", "") not in INPUT_COUNT_PROBLEMS]
            if problems:
                raise UsageError("; ".join(problems))
            for path, reason in skipped:
                print(f"note: skipped {terminal_safe(path)}: {terminal_safe(reason)}",
                      file=sys.stderr)
            if not images:
                raise UsageError("no images found in the given inputs")
            jobs = _jobs(args, base, images)
            _make_out_folder(args.out)
            check_writable(args.out)  # nothing is sent that cannot be saved
            settings = ClientSettings(read_timeout=args.timeout, max_attempts=args.attempts)
            return asyncio.run(_run_jobs(jobs, args.out, endpoint, settings, args.concurrency))
    except UsageError as exc:
        print(f"qwen-studio batch: error: {terminal_safe(exc)}", file=sys.stderr)
        return 2
    except OutputUnavailableError as exc:
        print(f"qwen-studio batch: error: {terminal_safe(exc.user_message)}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"qwen-studio batch: {exc.user_message}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\nqwen-studio batch: interrupted; run the same command again to resume.",
            file=sys.stderr,
        )
        return 130


class _History:
    """Records batch edits in the library, so the window's history shows them (one batch id
    per run). The library is a convenience here: if it cannot be opened or written, the
    batch goes on and says so once."""

    def __init__(self, profile_name: str) -> None:
        self.batch_id = f"batch-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        self.profile_name = profile_name
        self.lib: Library | None = None
        try:
            self.lib = Library()
        except Exception as exc:  # a locked/newer/corrupt library must not stop a batch
            log.warning("batch edits are not recorded in the history: %s", exc)

    def start(self, request: EditRequest, prepared: Sequence[PreparedImage]) -> int | None:
        if self.lib is None:
            return None
        try:
            hashes = []
            for p in prepared:
                src = Path(p.source)
                if not str(p.source).startswith(("http://", "https://")) and src.is_file():
                    hashes.append(self.lib.store_input(src)[0])
                else:
                    hashes.append(p.sha256)
            return self.lib.create_edit(request, input_hashes=tuple(hashes),
                                        profile_name=self.profile_name,
                                        batch_id=self.batch_id, status=EditStatus.RUNNING)
        except Exception as exc:
            log.warning("could not record a batch edit in the history: %s", exc)
            return None

    def done(self, edit_id: int | None, outcome: EditOutcome) -> None:
        if self.lib is None or edit_id is None:
            return
        try:
            self.lib.complete_edit(edit_id, list(outcome.images),
                                   revised_prompt=outcome.result.revised_prompt,
                                   usage=dict(outcome.result.usage),
                                   timings=dict(outcome.timings))
        except Exception as exc:
            log.warning("could not record a batch result in the history: %s", exc)

    def failed(self, edit_id: int | None, status: EditStatus, error: str = "") -> None:
        if self.lib is None or edit_id is None:
            return
        try:
            self.lib.set_status(edit_id, status, error=error)
        except Exception as exc:
            log.warning("could not record a batch failure in the history: %s", exc)

    def close(self) -> None:
        if self.lib is not None:
            self.lib.close()


async def _run_jobs(
    jobs: list[Job], out: Path, endpoint: Endpoint, settings: ClientSettings, concurrency: int
) -> int:
    folder = OutputFolder(out)
    done_before = folder.done_identities()
    progress = Progress(len(jobs))
    if folder.stale_temps_removed:
        progress.note(
            f"removed {folder.stale_temps_removed} temporary file(s) left by a killed run"
        )
    loop = asyncio.get_running_loop()
    history = _History(endpoint.profile_name)
    # The library record is a convenience beside the output folder (which holds the result
    # before a job counts as done): it is written on its own thread, off the job's path, so
    # copying inputs and results into the library never holds a concurrency slot.
    recording: set[asyncio.Future[None]] = set()
    with contextlib.closing(history), ThreadPoolExecutor(
        max_workers=min(4, concurrency + 1)
    ) as pool, ThreadPoolExecutor(max_workers=1, thread_name_prefix="qs-history") as lib_pool:
        async with make_http_client(settings) as http:
            runner = EditRunner(ImageClient(http, endpoint, settings), pool)
            stems = {j.label: j.stem for j in jobs}

            def record(started: asyncio.Future[int | None], finish: Any, *args: Any) -> None:
                async def write() -> None:
                    edit_id = await started
                    await loop.run_in_executor(lib_pool, finish, edit_id, *args)

                task = asyncio.ensure_future(write())
                recording.add(task)
                task.add_done_callback(recording.discard)

            async def edit(ctx: JobContext) -> list[str]:
                request = ctx.job.request
                prepared = await runner.prepare(request)
                identity = request.identity(tuple(p.sha256 for p in prepared))
                if identity in done_before:
                    reconcile(identity)
                    raise SkipJob("already in the output folder")
                claim = folder.claims.claim(identity)  # one process sends each input
                if not claim.claimed:
                    if claim.owner == this_process():  # same content and request twice
                        raise SkipJob("the same edit as another input of this run")
                    who = f" (pid {claim.owner.pid})" if claim.owner else ""
                    raise SkipJob(f"another qwen-studio run is editing it{who}")
                try:
                    if await loop.run_in_executor(pool, folder.is_done, identity):
                        raise SkipJob("already in the output folder")  # another run's
                    kept = await loop.run_in_executor(pool, folder.kept_results, identity)
                    if kept:  # paid for by a run whose output was full: not sent again
                        return await save_kept(stems[ctx.job.label], request, identity, kept)
                    return await send_and_save(ctx, request, prepared, identity)
                finally:
                    folder.claims.release(identity)

            def reconcile(identity: str) -> None:
                # A killed run saved this result but its edit is "interrupted" in the history.
                images = folder.results_for(identity)
                if history.lib is not None and images:
                    lib = history.lib
                    recording.add(asyncio.ensure_future(loop.run_in_executor(
                        lib_pool, complete_interrupted, lib, identity, images)))

            async def save_kept(stem: str, request: EditRequest, identity: str,
                                kept: list[Path]) -> list[str]:
                base = folder.reserve_base(stem, len(kept))
                names = []
                for k, path in enumerate(kept, start=1):
                    sidecar = {"identity": identity, "result_index": k,
                               "result_count": len(kept), "request": request.to_dict(),
                               "model": request.model, "style": endpoint.style,
                               "endpoint": endpoint.base_url, "kept_from": str(path),
                               "created": time.time(), "app_version": __version__}
                    data = await loop.run_in_executor(pool, path.read_bytes)
                    saved = await loop.run_in_executor(
                        pool, folder.save, base, k, data, request, sidecar)
                    names.append(saved.image.name)
                return names

            async def send_and_save(ctx: JobContext, request: EditRequest,
                                    prepared: tuple[PreparedImage, ...],
                                    identity: str) -> list[str]:

                def on_event(event: EditEvent) -> None:
                    if event.retry is not None:
                        ctx.on_retry(event.retry)
                    else:
                        ctx.progress(event.stage)

                started = loop.run_in_executor(lib_pool, history.start, request, prepared)
                try:
                    outcome = await runner.run(request, prepared=prepared, on_event=on_event)
                except asyncio.CancelledError:
                    record(started, history.failed, EditStatus.CANCELLED)
                    raise
                except QwenStudioError as exc:
                    record(started, history.failed, EditStatus.FAILED, exc.user_message)
                    raise
                base = folder.reserve_base(stems[ctx.job.label], len(outcome.images))
                names = []
                for k, image in enumerate(outcome.images, start=1):
                    sidecar = {
                        "identity": identity,
                        "result_index": k,
                        "result_count": len(outcome.images),
                        "request": request.to_dict(),
                        "model": request.model,
                        "style": endpoint.style,
                        "endpoint": endpoint.base_url,
                        "inputs": [
                            {"path": str(Path(p.source).resolve()), "sha256": p.sha256}
                            for p in prepared
                        ],
                        "revised_prompt": outcome.result.revised_prompt,
                        "usage": outcome.result.usage,
                        "request_id": outcome.result.request_id,
                        "timings": outcome.timings,
                        "created": time.time(),
                        "app_version": __version__,
                    }
                    # On disk (atomically) before the job is reported done.
                    try:
                        saved = await loop.run_in_executor(
                            pool, folder.save, base, k, image, request, sidecar
                        )
                    except OutputUnavailableError as exc:  # full, read-only, removed
                        # Paid for: keep it (in the library, which the history shows).
                        kept = await loop.run_in_executor(lib_pool, functools.partial(
                            keep_unsaved, outcome.images[k - 1:], history.lib,
                            folder=out, identity=identity))
                        record(started, history.done, outcome)
                        stop_sending(exc)
                        raise OutputUnavailableError(
                            exc.user_message + (
                                "; kept in " + ", ".join(map(str, kept)) if kept
                                else "; it could not be kept anywhere else either"),
                            disk_full=exc.disk_full, kept=kept) from None
                    names.append(saved.image.name)
                record(started, history.done, outcome)
                return names

            def reason(job: QueuedJob) -> str:
                # An input error names its file; the line already starts with that name.
                if isinstance(job.error, InputImageError) and job.error.path == job.label:
                    return job.error.reason
                return job.detail

            def report(job: QueuedJob) -> None:
                if job.state is JobState.DONE:
                    progress.ok(job.label, ", ".join(job.result or []))
                elif job.state is JobState.SKIPPED:
                    progress.skip(job.label, job.detail)
                elif job.state is JobState.CANCELLED and stopped:
                    progress.fail(job.label, "not sent: the output folder cannot take results")
                elif job.state is JobState.FAILED:
                    if job.error is not None and job.error.user_message.startswith("unexpected"):
                        log.error("unexpected failure for %s: %s", job.label, job.detail)
                    progress.fail(job.label, reason(job))

            stopped: list[OutputUnavailableError] = []

            def stop_sending(exc: OutputUnavailableError) -> None:
                # The folder cannot take results: send nothing more (running edits finish
                # and keep their results), and the rest waits for a resume.
                if stopped:
                    return
                stopped.append(exc)
                queue.pause()
                progress.note(f"stopped sending: {terminal_safe(exc.user_message)}")
                for job in queue.ordered():
                    if job.state is JobState.QUEUED:
                        queue.cancel(job.id)

            queue = JobQueue(edit, concurrency=concurrency)
            queue.subscribe(report)
            for job in jobs:
                queue.add(job.request, job.label)
            queue.start()
            try:
                await queue.wait_idle()
            finally:
                await queue.close()
                await asyncio.gather(*recording, return_exceptions=True)
    progress.close()
    elapsed = time.monotonic() - progress.started
    print(
        f"\n{progress.done} done, {progress.skipped} already done, {progress.failed} failed "
        f"of {len(jobs)} in {elapsed:.1f} s → {terminal_safe(out)}",
        file=sys.stderr,
    )
    failures = [j for j in queue.ordered() if j.state is JobState.FAILED]
    if failures:
        print("Failures:", file=sys.stderr)
        for job in failures:
            print(f"  {terminal_safe(job.label)}: {terminal_safe(reason(job))}", file=sys.stderr)
    return 1 if failures or stopped else 0
