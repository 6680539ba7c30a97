"""An error as data the library can keep, and the error again from that data.

The library's `error` column keeps the English message (the CLI, `history`, exports read
it). To say a failed edit's reason in another language after a restart, the UI needs what
the live error carried: its kind, the HTTP status, the service's code and own message
(verbatim), the transport reason's code, an input file's reason code. `error_data` keeps
those as a flat JSON-able dict; `rebuilt_error` makes the error again from it and the
stored message, so the UI says it exactly as it said the live one. A row from before the
codes were kept has no data and keeps its stored text.
"""

from __future__ import annotations

import json
from typing import Any

from qwen_studio.core import errors
from qwen_studio.core.errors import ApiError, ErrorDetail, QwenStudioError, Reason

# The kinds that can be made again, by class name (a name this build lacks: the text).
_API_KINDS: dict[str, type[ApiError]] = {
    cls.__name__: cls for cls in (
        errors.ApiError, errors.AuthError, errors.ModerationError,
        errors.InvalidRequestError, errors.QuotaError, errors.RateLimitError,
        errors.ServerError, errors.RequestTimeout, errors.ConnectionFailed,
        errors.BadResponseError, errors.ResultDownloadError)
}


def error_data(exc: BaseException | None) -> dict[str, Any]:
    """What it takes to say `exc` again in any language ({} for an error without codes)."""
    if isinstance(exc, ApiError) and type(exc).__name__ in _API_KINDS:
        d = exc.detail
        data: dict[str, Any] = {"kind": type(exc).__name__, "status": d.status,
                                "code": d.code, "provider_message": d.provider_message,
                                "request_id": d.request_id, "hint": exc.hint,
                                "retryable": exc.retryable}
        if exc.transport is not None:
            data["transport"] = exc.transport.code
            data["transport_params"] = exc.transport.params
        return data
    if isinstance(exc, errors.InputImageError) and exc.code:
        return {"kind": "InputImageError", "path": exc.path, "reason": exc.code,
                "params": exc.params}
    if isinstance(exc, errors.NoteError):
        return {"kind": "NoteError", "reason": exc.reason.code, "params": exc.reason.params,
                "hint": exc.hint}
    return {}


def error_json(exc: BaseException | None) -> str:
    """error_data as the library's `error_data` column keeps it."""
    data = error_data(exc)
    return json.dumps(data, ensure_ascii=False) if data else "{}"


def rebuilt_error(data: dict[str, Any], message: str) -> QwenStudioError | None:
    """The error `error_data` described, with `message` (the English the library keeps);
    None when there is no data or it names what this build cannot make again."""
    try:
        kind = data.get("kind", "")
        if kind == "InputImageError":
            return errors.InputImageError(str(data["path"]),
                                          Reason(data["reason"], **data.get("params", {})))
        if kind == "NoteError":
            return errors.NoteError(Reason(data["reason"], **data.get("params", {})),
                                    hint=str(data.get("hint", "")))
        cls = _API_KINDS.get(kind)
        if cls is None:
            return None
        transport = (Reason(data["transport"], **data.get("transport_params", {}))
                     if data.get("transport") else None)
        status = data.get("status")
        err = cls(message, hint=str(data.get("hint", "")), transport=transport,
                  detail=ErrorDetail(status=status if isinstance(status, int) else None,
                                     code=str(data.get("code", "")),
                                     provider_message=str(data.get("provider_message", "")),
                                     request_id=str(data.get("request_id", ""))))
        err.retryable = bool(data.get("retryable", err.retryable))
        return err
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return None  # damaged or from another build: the stored text says it
