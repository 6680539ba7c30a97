"""`qwen-studio`: the window by default; `batch`, `sandbox`, `history`, `export`, `models` for
terminals."""

from __future__ import annotations

import argparse
import gc
import sys

from qwen_studio import __version__

COMMANDS = ("batch", "sandbox", "history", "export", "usage", "models")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qwen-studio",
        description="Edit photos with Qwen image models. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"qwen-studio {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    parser.add_argument("--demo", action="store_true",
                        help="open the window against the built-in sandbox (no key needed)")
    parser.add_argument("--self-test", action="store_true",
                        help="run one offline edit through the window, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from qwen_studio.cli import batch

    batch.add_arguments(sub.add_parser("batch", help="edit many photos with one prompt"))

    from qwen_studio.sandbox import cli as sandbox_cli

    sandbox_cli.add_arguments(sub.add_parser("sandbox", help="run the local fake service"))

    from qwen_studio.cli import history_commands

    history_commands.add_history_arguments(sub.add_parser("history", help="list past edits"))
    history_commands.add_export_arguments(sub.add_parser("export", help="export a gallery"))

    from qwen_studio.cli import usage

    usage.add_arguments(sub.add_parser("usage", help="images and estimated spend"))

    from qwen_studio.cli import models

    models.add_arguments(sub.add_parser("models", help="list the models an endpoint offers"))
    return parser


def _command(argv: list[str]) -> str | None:
    """The subcommand, if any: the first word that is not an option (`-v batch …` too)."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def _import_before_qt() -> None:
    """Import the window's Qt-free modules before PySide6 loads. PySide6 reads the source of
    every module imported after it (its `__feature__` import hook looks for "PySide6" in
    the text): ~0.2 ms a module, ~8 ms for these and what they import. Then start opening
    the library in a thread: a fresh one waits 40-60 ms on the disk, which the import of
    PySide6 now hides (core/library_opening.py)."""
    import concurrent.futures.thread  # noqa: F401
    import datetime  # noqa: F401

    from qwen_studio.core import (  # noqa: F401
        catalog_loader,
        config,
        http_session,
        library,
        library_opening,
    )

    library_opening.start()


def _import_qt() -> None:
    """Import PySide6, its support modules' code kept from an earlier start instead of
    compiled (qt/support_code.py, saved after the frame; ~17 ms), and tell its import hook
    which modules use it (qt/feature_scan.py: PySide6 need not read all their source).
    Idempotent."""
    from qwen_studio.qt import support_code

    with support_code.serving():
        from qwen_studio.qt import feature_scan  # imports PySide6

    feature_scan.register_modules()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--self-test" in argv:
        from qwen_studio.self_test import main as self_test_main

        return self_test_main([a for a in argv if a != "--self-test"])
    if _command(argv) is None and not {"-h", "--help", "--version"} & set(argv):
        # No cyclic collection until the window runs (app.main then hands it to the GUI
        # thread's collector): start-up allocates much and frees little, and the passes
        # the imports trigger cost ~5-8 ms before the first frame.
        gc.disable()
        from qwen_studio.core import dataclass_code, module_bundle

        module_bundle.install()  # before the window's modules load (saved after the frame)
        from qwen_studio.core import regex_code

        regex_code.install()  # re's compiles kept until the first frame (saved after it)
        dataclass_code.install()  # before any dataclass is defined (saved after the frame)
        _import_before_qt()
        _import_qt()
        from qwen_studio import app

        return app.main(argv)
    args = _parser().parse_args(argv)
    from qwen_studio.core.logs import setup_logging

    setup_logging(verbose=args.verbose)
    if args.command == "batch":
        from qwen_studio.cli import batch

        return batch.run(args)
    if args.command == "sandbox":
        from qwen_studio.sandbox import cli as sandbox_cli

        return sandbox_cli.run(args)
    if args.command == "usage":
        from qwen_studio.cli import usage

        return usage.run(args)
    if args.command == "models":
        from qwen_studio.cli import models

        return models.run(args)
    from qwen_studio.cli import history_commands

    if args.command == "history":
        return history_commands.run_history(args)
    return history_commands.run_export(args)


if __name__ == "__main__":
    sys.exit(main())
