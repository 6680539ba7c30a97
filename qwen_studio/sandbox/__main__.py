"""`python -m qwen_studio.sandbox`: the same as `qwen-studio sandbox`."""

from __future__ import annotations

import argparse
import sys

from qwen_studio.core.logs import setup_logging
from qwen_studio.sandbox.cli import add_arguments, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qwen-studio sandbox",
                                     description="Run the local fake Qwen image service.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    setup_logging()  # as `qwen-studio sandbox`: the log file, the key redacted
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
