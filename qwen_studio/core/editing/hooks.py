"""Where other features plug into every edit the service runs, without another edit path.

An `EditHook` sees each edit at four points: before its inputs are prepared (e.g. a region
edit crops them, or a seed is drawn), before it is sent (e.g. a budget reserves its cost, or
raises `SkipEdit` with a note when it is over), before its results are saved (e.g. a region
edit composites the result into the full photo), and when it has finished, whatever the
status (e.g. the budget settles what it reserved). `EditHookBase` does nothing at each
point; subclass it and override what you need. Hooks run on the event loop: do heavy work
in an executor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from qwen_studio.core.editing.progress import EditProgress
    from qwen_studio.core.editing.runner import EditOutcome
    from qwen_studio.core.pipeline import PreparedImage
    from qwen_studio.core.request import EditRequest


class EditHook(Protocol):
    async def before_prepare(self, edit: EditProgress, request: EditRequest) -> EditRequest:
        """The request whose inputs are prepared and sent (return it unchanged, or not)."""
        ...

    async def before_send(self, edit: EditProgress, request: EditRequest,
                          prepared: tuple[PreparedImage, ...]) -> None:
        """Last chance not to send: raise SkipEdit(note) or a QwenStudioError."""
        ...

    async def before_save(self, edit: EditProgress, outcome: EditOutcome) -> EditOutcome:
        """The outcome whose images are saved as the edit's results."""
        ...

    def finished(self, edit: EditProgress) -> None:
        """The edit ended (done, failed, cancelled, skipped, interrupted)."""
        ...


class EditHookBase:
    async def before_prepare(self, edit: EditProgress, request: EditRequest) -> EditRequest:
        return request

    async def before_send(self, edit: EditProgress, request: EditRequest,
                          prepared: tuple[PreparedImage, ...]) -> None:
        return None

    async def before_save(self, edit: EditProgress, outcome: EditOutcome) -> EditOutcome:
        return outcome

    def finished(self, edit: EditProgress) -> None:
        return None
