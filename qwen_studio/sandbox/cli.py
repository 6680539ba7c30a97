"""`qwen-studio sandbox`: run the fake service in the foreground until Ctrl+C."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator

from qwen_studio.sandbox.faults import FAULT_KINDS
from qwen_studio.sandbox.gateways import GATEWAYS
from qwen_studio.sandbox.server import SandboxServer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="S",
        help="seconds each generation takes (real edits take 5-60 s; default: %(default)s)",
    )
    parser.add_argument(
        "--faults", default=None, metavar="SPEC",
        help="misbehave on purpose: comma list of KIND:PROB or KINDxN, e.g. '429x2,500:0.1'. "
        f"Kinds: {', '.join(sorted(FAULT_KINDS))}",
    )
    parser.add_argument(
        "--key", default=None, metavar="K",
        help="accept only this API key (default: any non-empty key)",
    )
    parser.add_argument(
        "--gateway", choices=GATEWAYS, default=None,
        help="handle bodies as this relay does before the service sees them "
        "(new-api: needs a top-level prompt, drops what new-api drops)",
    )
    parser.add_argument(
        "--no-models-list", dest="list_models", action="store_false",
        help="answer 404 to GET /v1/models, like an endpoint that does not list its models",
    )
    parser.add_argument(
        "--rate-limit", type=float, default=None, metavar="R",
        help="answer 429 beyond R generation requests per second",
    )


@contextlib.contextmanager
def _echo_requests() -> Iterator[None]:
    """Show one line per request on the console while the server runs, unless a console
    handler already does. Detached afterwards: a handler left behind would write to a
    stdout that may be gone (in-process runs, tests)."""
    logger = logging.getLogger("qwen_studio.sandbox")
    level = logger.level
    logger.setLevel(logging.INFO)
    shown = any(type(h) is logging.StreamHandler and h.level <= logging.INFO
                for h in logging.getLogger().handlers)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    if not shown:
        logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def run(args: argparse.Namespace) -> int:
    with _echo_requests():
        return _serve(args)


def _serve(args: argparse.Namespace) -> int:
    try:
        server = SandboxServer(
            host=args.host,
            port=args.port,
            latency=args.latency,
            faults=args.faults,
            api_key=args.key,
            rate_limit_per_second=args.rate_limit,
            gateway=args.gateway,
            list_models=args.list_models,
        )
    except ValueError as exc:
        print(f"qwen-studio sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        server.start()
    except OSError as exc:
        print(f"qwen-studio sandbox: cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    url = server.base_url
    key_hint = "the key given with --key" if args.key else "any non-empty key"
    relay = f", behaving as {args.gateway}" if args.gateway else ""
    print(f"Qwen Studio sandbox listening on {url} (styles: flat, bailian, dashscope{relay})")
    print(f"  Point the app at it: endpoint {url} with style flat, bailian or dashscope, "
          f"API key: {key_hint}.")
    print(f"  Or: QWEN_STUDIO_ENDPOINT={url} QWEN_STUDIO_API_KEY=<key> qwen-studio")
    print("  Press Ctrl+C to stop.", flush=True)
    done = threading.Event()
    if threading.current_thread() is threading.main_thread():
        # `kill` (SIGTERM) stops it as cleanly as Ctrl+C does.
        signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("\nStopping the sandbox.")
    finally:
        server.stop()
    return 0
