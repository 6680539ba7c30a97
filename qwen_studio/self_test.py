"""`qwen-studio --self-test`: prove an install or a frozen bundle works, without the internet.

Starts the in-process demo sandbox, opens the real main window (offscreen works:
QT_QPA_PLATFORM=offscreen), adds a generated photo, runs one edit through the window's own
controller, and checks that the result file decodes. Prints one summary line; exit code 0
on success, 1 with the reason on failure.

`--core-only` skips Qt and runs the same edit through the core engine (ImageClient +
EditRunner), for machines without Qt's system libraries.

Everything runs in a throwaway QWEN_STUDIO_HOME, so the user's history, settings and key
are neither read nor touched. Also runnable as `python -m qwen_studio.self_test`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from qwen_studio import __version__

PROMPT = "self-test: make the sky a warm sunset"
TIMEOUT_S = 60.0


class SelfTestError(Exception):
    """A check failed; the message says which and why."""


def _write_test_photo(folder: Path) -> Path:
    """A small JPEG with some structure (sky, ground, a sun), like a photo a user drops."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (110, 160, 215))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 480), fill=(70, 120, 60))
    draw.ellipse((460, 60, 560, 160), fill=(250, 220, 120))
    path = folder / "self-test-input.jpg"
    image.save(path, "JPEG", quality=90)
    return path


def _check_image(data: bytes, what: str) -> tuple[int, int]:
    """Decode fully (not just the header) so a truncated file fails here."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            return im.size
    except Exception as exc:
        raise SelfTestError(f"{what} does not decode as an image ({exc})") from exc


@contextlib.contextmanager
def _scratch_home() -> Iterator[Path]:
    """A temporary QWEN_STUDIO_HOME (and no endpoint/key from the environment)."""
    names = ("QWEN_STUDIO_HOME", "QWEN_STUDIO_ENDPOINT", "QWEN_STUDIO_API_KEY",
             "QWEN_STUDIO_STYLE", "QWEN_STUDIO_MODEL", "PYTHON_KEYRING_BACKEND")
    saved = {n: os.environ.get(n) for n in names}
    with tempfile.TemporaryDirectory(prefix="qwen-studio-self-test-") as tmp:
        home = Path(tmp)
        for n in names:
            os.environ.pop(n, None)
        os.environ["QWEN_STUDIO_HOME"] = str(home / "home")
        # Never prompt for or write to the real keyring (a locked keyring would hang here).
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        try:
            yield home
        finally:
            for n, v in saved.items():
                if v is None:
                    os.environ.pop(n, None)
                else:
                    os.environ[n] = v


# -- core only ----------------------------------------------------------------------------------
async def _core_edit(photo: Path) -> str:
    from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
    from qwen_studio.core.editing.runner import EditRunner
    from qwen_studio.core.request import EditRequest
    from qwen_studio.sandbox import SandboxServer

    key = "self-test-key"
    settings = ClientSettings(max_attempts=2)
    with SandboxServer(api_key=key) as server:
        endpoint = Endpoint(server.base_url, "bailian", key, "self-test")
        async with make_http_client(settings) as http:
            runner = EditRunner(ImageClient(http, endpoint, settings))
            outcome = await runner.run(EditRequest(inputs=(str(photo),), prompt=PROMPT))
    if not outcome.images:
        raise SelfTestError("the sandbox edit returned no image")
    w, h = _check_image(outcome.images[0], "the edit result")
    return f"core edit {w}x{h}"


# -- the window ---------------------------------------------------------------------------------

async def _wait_for(predicate, what: str, timeout: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SelfTestError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.02)


async def _window_edit(photo: Path, home: Path) -> str:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from qwen_studio.app import create_main_window
    from qwen_studio.core.editing.progress import EditProgress
    from qwen_studio.core.editing.status import EditStatus
    from qwen_studio.core.errors import QwenStudioError
    from qwen_studio.resources import app_icon

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    if app_icon().isNull():
        raise SelfTestError("the application icon did not load")
    settings = QSettings(str(home / "self-test.ini"), QSettings.Format.IniFormat)
    # Closing the window at the end must not quit the app (and stop qasync's loop) under us.
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    window = create_main_window(demo=True, sandbox_latency=0.0, settings=settings)
    try:
        window.show()
        signals = window.edit_signals
        finished: list[EditProgress] = []

        def on_progress(p: EditProgress) -> None:
            if p.status in (EditStatus.DONE, EditStatus.FAILED):
                finished.append(p)

        signals.progressChanged.connect(on_progress)

        window.add_inputs([photo])
        await _wait_for(lambda: bool(window.inputs), "the window to accept the input photo")
        window.prompt_panel.prompt_edit.setPlainText(PROMPT)
        job = window.run_edit()
        if job is None:
            notice = window.notices.current()
            reason = f": {notice.message}" if notice else ""
            raise SelfTestError(f"the window refused to run the edit{reason}")
        await _wait_for(lambda: bool(finished), "the edit to finish")
        edit = finished[0]
        if edit.status is EditStatus.FAILED:
            error = edit.error
            reason = error.user_message if isinstance(error, QwenStudioError) else error
            raise SelfTestError(f"the edit failed: {reason}")
        paths = list(edit.result.paths) if edit.result is not None else []
        if not paths:
            raise SelfTestError("the edit finished without a result file")
        w, h = _check_image(Path(paths[0]).read_bytes(), f"the result {paths[0]}")
        return f"window edit {w}x{h}"
    finally:
        window.close()
        await window.shutdown()
        app.setQuitOnLastWindowClosed(quit_on_close)


def _run_gui(photo: Path, home: Path) -> str:
    import qasync
    from PySide6.QtWidgets import QApplication

    if (QApplication.instance() is None and sys.platform.startswith("linux")
            and not os.environ.get("QT_QPA_PLATFORM")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))):
        # No display (SSH, CI): Qt would abort; the window works just as well offscreen.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "qwen-studio"])
    loop = qasync.QEventLoop(app)
    # As in the app: no cyclic collection in a worker thread while Qt objects are about
    # (see qwen_studio/ui/main_thread_gc.py); collected here, on this thread, at the end.
    was_enabled = gc.isenabled()
    gc.disable()
    previous = None
    with contextlib.suppress(RuntimeError):
        previous = asyncio.get_event_loop_policy().get_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(asyncio.wait_for(_window_edit(photo, home), TIMEOUT_S * 2))
    finally:
        loop.close()
        asyncio.set_event_loop(previous if previous is not None and not previous.is_closed()
                               else None)
        gc.collect()
        if was_enabled:
            gc.enable()


def run_self_test(*, core_only: bool = False) -> int:
    """Run the check, print one summary line, return the process exit code (0 ok, 1 failed)."""
    start = time.perf_counter()
    mode = "core" if core_only else "window"
    try:
        with _scratch_home() as home:
            photo = _write_test_photo(home)
            summary = (asyncio.run(asyncio.wait_for(_core_edit(photo), TIMEOUT_S)) if core_only
                       else _run_gui(photo, home))
    except SelfTestError as exc:
        print(f"qwen-studio {__version__} self-test FAILED ({mode}): {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # anything unexpected is a failure with its type named
        print(f"qwen-studio {__version__} self-test FAILED ({mode}): "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    platform = "" if core_only else _qt_platform()
    print(f"qwen-studio {__version__} self-test OK: {summary} against the demo sandbox "
          f"in {time.perf_counter() - start:.1f} s{platform}")
    return 0


def _qt_platform() -> str:
    from PySide6.QtGui import QGuiApplication

    name = QGuiApplication.platformName() if QGuiApplication.instance() else ""
    return f" (Qt platform {name})" if name else ""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    unknown = [a for a in args if a not in ("--self-test", "--core-only")]
    if unknown:
        print(f"usage: python -m qwen_studio.self_test [--core-only] (unknown: {unknown})",
              file=sys.stderr)
        return 2
    return run_self_test(core_only="--core-only" in args)


if __name__ == "__main__":
    sys.exit(main())
