"""Service errors in the window's language (core's Reasons: ui/reason_text.py).

core/ stays Qt-free and English (the CLI and logs use its texts). Here each error class's
standard message and hint are marked for translation; a message that starts with the
standard text keeps its English tail (the HTTP status, the provider's own words) verbatim,
since the provider's message is the one thing we must not reword. A failure the library
kept is said again from its codes (`recorded_reason`), as it was said live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from qwen_studio.core import errors
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP
from qwen_studio.ui.punctuation import colon, headline_rest

# Re-exported: the window's modules asked this one for every reason's words before the
# split, and still may.
from qwen_studio.ui.reason_text import (  # noqa: F401
    _translated,
    input_problem,
    input_reason,
    request_note,
    request_problem,
    request_problems,
    status_note,
)

if TYPE_CHECKING:
    from qwen_studio.core.library_records import EditRecord

_CTX = "ServiceErrors"  # the literal is repeated below: lupdate reads literals only

# Class -> (standard message, standard hint), both exactly as core/errors.py has them.
_TEXTS: dict[type[errors.ApiError], tuple[str, str]] = {
    errors.ApiError: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The service refused the request"),
        "",
    ),
    errors.AuthError: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The API key was refused"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Check the API key and region in Settings "
                          "(Beijing and Singapore keys differ)."),
    ),
    errors.ModerationError: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The content was flagged by moderation"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Rephrase the prompt or use a different image; retrying will not help."),
    ),
    errors.InvalidRequestError: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The service rejected a parameter"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Adjust the parameter named in the message."),
    ),
    errors.QuotaError: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The account cannot be charged"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Top up the account in the provider's console."),
    ),
    errors.RateLimitError: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Rate limited by the service"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Retrying automatically with backoff."),
    ),
    errors.ServerError: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The service had an internal error"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Usually temporary; retrying."),
    ),
    errors.RequestTimeout: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The request timed out"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Edits can take up to a minute; the timeout is in Settings."),
    ),
    errors.ConnectionFailed: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Could not reach the service"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Check the endpoint URL and your connection."),
    ),
    errors.BadResponseError: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The service sent a response that could not be understood"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The gateway may not support this request style; try another style."),
    ),
    errors.ResultDownloadError: (
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "The result image could not be downloaded"),
        QT_TRANSLATE_NOOP("ServiceErrors",
                          "Result links expire after 24 hours; run the edit again."),
    ),
}


# core/api_errors.py's other headlines (a proxy's 502/503/504, an endpoint that is not one)
# and hints, exactly as it has them; test_proxy_headlines_speak_chinese keeps them in step.
_OTHER_HEADLINES: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("ServiceErrors", "The gateway got no valid answer from the service"),
    QT_TRANSLATE_NOOP("ServiceErrors", "The service is temporarily unavailable"),
    QT_TRANSLATE_NOOP("ServiceErrors", "The gateway timed out waiting for the service"),
    QT_TRANSLATE_NOOP("ServiceErrors", "The endpoint URL was not found"),
    QT_TRANSLATE_NOOP("ServiceErrors", "The endpoint does not accept this request"),
    QT_TRANSLATE_NOOP("ServiceErrors", "The request is too large"),
)
_OTHER_HINTS: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("ServiceErrors",
                      "Check the endpoint URL and the request style in Settings."),
    QT_TRANSLATE_NOOP("ServiceErrors", "Use smaller or fewer input images."),
)

# The client's headlines for a request that got no answer (core/client_errors.py
# transport_error), as patterns: the host stays verbatim; the reason after them is translated
# by its code (ui/transport_reasons.py), any other tail stays verbatim.
_HOST_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"The connection to (?P<what>\S+) was interrupted",
     QT_TRANSLATE_NOOP("ServiceErrors", "The connection to {what} was interrupted")),
    (r"Could not reach (?P<what>\S+) \(connection timed out\)",
     QT_TRANSLATE_NOOP("ServiceErrors", "Could not reach {what} (connection timed out)")),
    (r"Could not reach (?P<what>\S+)",
     QT_TRANSLATE_NOOP("ServiceErrors", "Could not reach {what}")),
    (r"No answer from (?P<what>\S+) within (?P<s>[0-9.]+) s",
     QT_TRANSLATE_NOOP("ServiceErrors", "No answer from {what} within {s} s")),
    (r"Cannot send this request to (?P<what>\S+)",
     QT_TRANSLATE_NOOP("ServiceErrors", "Cannot send this request to {what}")),
    (r"The result download failed",
     QT_TRANSLATE_NOOP("ServiceErrors", "The result download failed")),
)


def _host_message(text: str) -> str | None:
    import re

    for pattern, source in _HOST_MESSAGES:
        m = re.match(pattern + r"(?=: |$)", text)
        if m is not None:
            head = QCoreApplication.translate(_CTX, source).format(**m.groupdict())
            return headline_rest(head, text[m.end():])
    return None


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text) if text else text


def error_message(exc: BaseException) -> str:
    """The error's message with its standard part translated."""
    if isinstance(exc, errors.InputImageError):
        return input_problem(exc.path, exc.reason)
    if isinstance(exc, errors.NoteError):
        return status_note(exc.reason)
    text = exc.user_message if isinstance(exc, errors.QwenStudioError) else str(exc)
    # A request that got no answer: "<headline>: <reason>", the reason by its code.
    transport = exc.transport if isinstance(exc, errors.ApiError) else None
    if transport is not None and text.endswith(f": {transport}"):
        from qwen_studio.ui.transport_reasons import transport_reason_text

        head = _headline(exc, text[:-len(transport) - 2])
        return colon(head, transport_reason_text(transport))
    return _headline(exc, text)


def _headline(exc: BaseException, text: str) -> str:
    """`text` with its standard part (or a host-naming headline) translated."""
    for cls in type(exc).__mro__:
        standard = _TEXTS.get(cls)  # type: ignore[call-overload]
        if standard and text.startswith(standard[0]):
            return headline_rest(_tr(standard[0]), text[len(standard[0]):])
    for head in _OTHER_HEADLINES:
        if isinstance(exc, errors.ApiError) and text.startswith(head):
            return headline_rest(_tr(head), text[len(head):])
    if isinstance(exc, errors.ConnectionFailed | errors.RequestTimeout
                  | errors.ResultDownloadError):
        return _host_message(text) or text
    return text


# A paid result's note on a banner: what happened, then the next step as the hint (core's
# English hint, core/editing/paid.py, translatable here); the whole note said it twice.
_PAID_BANNERS: dict[str, tuple[str, str]] = {
    "paid_not_downloaded": (
        QT_TRANSLATE_NOOP("StatusNotes", "Paid result not downloaded: {why}"),
        QT_TRANSLATE_NOOP("StatusNotes", "It was paid for and its link is kept: Retry "
                                         "downloads it; nothing is sent or charged again.")),
    "paid_result_lost": (
        QT_TRANSLATE_NOOP("StatusNotes", "Paid result lost: {why}"),
        QT_TRANSLATE_NOOP("StatusNotes", "Retry sends the edit again; that is charged again.")),
}


def _paid_banner(exc: BaseException) -> tuple[str, str] | None:
    ok = isinstance(exc, errors.NoteError)
    return _PAID_BANNERS.get(getattr(exc.reason, "code", "")) if ok else None


def banner_message(exc: BaseException) -> str:
    """error_message, but a paid result's note without the next step (its hint says it)."""
    paid = _paid_banner(exc)
    if paid is None or not isinstance(exc, errors.NoteError):
        return error_message(exc)
    return _translated("StatusNotes", {exc.reason.code: paid[0]}, exc.reason)


def error_hint(exc: BaseException) -> str:
    """The hint, translated when it is the class's standard one."""
    paid = _paid_banner(exc)
    if paid is not None:
        return QCoreApplication.translate("StatusNotes", paid[1])
    hint = getattr(exc, "hint", "") or ""
    for cls in type(exc).__mro__:
        standard = _TEXTS.get(cls)  # type: ignore[call-overload]
        if standard and hint == standard[1]:
            return _tr(standard[1])
    return _tr(hint) if hint in _OTHER_HINTS else hint


def recorded_reason(rec: EditRecord) -> str:
    """Why a stored edit ended so, in the window's language: its failure made again from
    the codes the library kept (the same words as the live banner), else its note by its
    code, else (a row from before codes were kept) the stored text as it is."""
    failure = rec.failure
    if failure is not None:
        return error_message(failure)
    note = rec.note
    return status_note(note) if note is not None else rec.error or ""
