"""Entry script of the PyInstaller bundle: `qwen-studio [--self-test] [command ...]`.

Handles `--self-test` itself so the bundle can be checked even while qwen_studio/__main__.py
does not know the flag; everything else goes to the normal `qwen-studio` entry point.
"""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    multiprocessing.freeze_support()  # harmless when unused; required if a pool ever spawns
    args = sys.argv[1:]
    if args and args[0] == "--self-test":
        from qwen_studio.self_test import main as self_test_main

        return self_test_main(args)
    from qwen_studio.__main__ import main as studio_main

    return studio_main(args)


if __name__ == "__main__":
    sys.exit(main())
