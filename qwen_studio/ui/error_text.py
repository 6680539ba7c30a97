"""Service errors in the window's language.

core/ stays Qt-free and English (the CLI and logs use its texts). Here each error class's
standard message and hint are marked for translation; a message that starts with the
standard text keeps its English tail (the HTTP status, the provider's own words) verbatim,
since the provider's message is the one thing we must not reword.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from qwen_studio.core import errors

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


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text) if text else text


def error_message(exc: BaseException) -> str:
    """The error's message with its standard part translated."""
    text = exc.user_message if isinstance(exc, errors.QwenStudioError) else str(exc)
    for cls in type(exc).__mro__:
        standard = _TEXTS.get(cls)  # type: ignore[call-overload]
        if standard and text.startswith(standard[0]):
            return _tr(standard[0]) + text[len(standard[0]):]
    return text


def error_hint(exc: BaseException) -> str:
    """The hint, translated when it is the class's standard one."""
    hint = getattr(exc, "hint", "") or ""
    for cls in type(exc).__mro__:
        standard = _TEXTS.get(cls)  # type: ignore[call-overload]
        if standard and hint == standard[1]:
            return _tr(standard[1])
    return hint
