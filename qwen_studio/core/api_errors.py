"""Turn an error answer (status, headers, body) into a typed ApiError.

Understands the OpenAI envelope `{"error": {"message", "type", "param", "code"}}`, the
DashScope envelope `{"request_id", "code", "message"}` and non-JSON bodies such as a proxy's
HTML error page. The user message is short ("Rate limited by the service (HTTP 429)"); what
the service said is kept in `detail.provider_message` (and appended by ApiError).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from qwen_studio.core.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ErrorDetail,
    InvalidRequestError,
    ModerationError,
    QuotaError,
    RateLimitError,
    RequestTimeout,
    ServerError,
)
from qwen_studio.core.safe_json import loads_bounded

PROVIDER_MESSAGE_LIMIT = 300
REQUEST_ID_HEADERS = ("x-request-id", "x-dashscope-request-id", "x-acs-request-id", "request-id")


class MalformedResponseError(BadResponseError):
    """A 2xx whose body is not JSON at all (truncated, an HTML page).

    Unlike other BadResponseErrors this is usually a hiccup on the way, so it is retryable;
    the client retries it at most once (see ImageClient).
    """

    retryable = True


# -- small parsers ---------------------------------------------------------------------------
def header(headers: Mapping[str, str] | None, name: str) -> str:
    """Case-insensitive lookup that works for plain dicts as well as httpx.Headers."""
    if not headers:
        return ""
    value = headers.get(name)
    if value is None:
        lname = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lname), None)
    return str(value).strip() if value is not None else ""


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP date; None if absent."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # only for HTTP-date values; kept off the start-up path

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds or seconds == float("inf"):  # NaN / inf are not a plan
        return None
    return max(0.0, seconds)


def shorten(text: str, limit: int = PROVIDER_MESSAGE_LIMIT) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_DROP_RE = re.compile(r"<(script|style|head)[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


def text_of_non_json(body: bytes) -> str:
    """A one-line summary of a non-JSON body: an HTML page's <title>, else its first text."""
    import html  # error path only

    text = body[:65536].decode("utf-8", errors="replace")
    m = _TITLE_RE.search(text)
    if m and m.group(1).strip():
        return shorten(html.unescape(m.group(1)), 160)
    if "<" in text and ">" in text:
        text = _TAG_RE.sub(" ", _DROP_RE.sub(" ", text))
    return shorten(html.unescape(text), 160)


def _str(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def extract_detail(status: int | None, payload: Any) -> ErrorDetail:
    """Code, message and request id from either envelope (or a mix gateways produce)."""
    detail = ErrorDetail(status=status)
    if not isinstance(payload, dict):
        return detail
    err = payload.get("error")
    if isinstance(err, dict):
        detail.code = _str(err.get("code")) or _str(err.get("type"))
        detail.provider_message = _str(err.get("message"))
    elif isinstance(err, str):
        detail.provider_message = err.strip()
    if not detail.code:
        detail.code = _str(payload.get("code"))
    if not detail.provider_message:
        detail.provider_message = _str(payload.get("message"))
    # Gateways sometimes wrap the upstream DashScope JSON as the message text.
    inner = detail.provider_message
    if inner.startswith("{") and inner.endswith("}"):
        try:
            nested = loads_bounded(inner, max_bytes=1 << 16)
        except ValueError:
            nested = None
        if isinstance(nested, dict) and ("code" in nested or "message" in nested):
            detail.code = _str(nested.get("code")) or detail.code
            detail.provider_message = _str(nested.get("message")) or inner
            detail.request_id = _str(nested.get("request_id"))
    detail.request_id = detail.request_id or _str(payload.get("request_id"))
    if not detail.request_id and isinstance(err, dict):
        detail.request_id = _str(err.get("request_id"))
    detail.provider_message = shorten(detail.provider_message, PROVIDER_MESSAGE_LIMIT)
    return detail


# -- mapping ---------------------------------------------------------------------------------
def _is_moderation(detail: ErrorDetail) -> bool:
    code = detail.code.lower().replace("_", "")
    return "datainspection" in code or "DataInspectionFailed" in detail.provider_message


def _is_quota(detail: ErrorDetail) -> bool:
    code = detail.code.lower()
    return code.startswith("arrearage") or code == "insufficient_quota"


# Proxies in front of the service answer these; say what they mean rather than "internal error".
_SERVER_MESSAGES = {
    502: "The gateway got no valid answer from the service",
    503: "The service is temporarily unavailable",
    504: "The gateway timed out waiting for the service",
}


def _suffix(status: int | None) -> str:
    return f" (HTTP {status})" if status else ""


def error_for(
    status: int | None, detail: ErrorDetail, retry_after: float | None = None
) -> ApiError:
    """The typed error for a status and normalized detail. Order matters: content codes first."""
    sfx = _suffix(status)
    code = detail.code.lower()
    if _is_moderation(detail):
        return ModerationError(ModerationError.default_message + sfx, detail=detail)
    if _is_quota(detail):
        return QuotaError(QuotaError.default_message + sfx, detail=detail)
    if status in (401, 403) or code in ("invalidapikey", "accessdenied", "invalid_api_key"):
        return AuthError(AuthError.default_message + sfx, detail=detail)
    if status == 408 or code == "requesttimeout":
        return RequestTimeout(RequestTimeout.default_message + sfx, detail=detail,
                              retry_after=retry_after)
    if status == 429 or code.startswith("throttling"):
        return RateLimitError(RateLimitError.default_message + sfx, detail=detail,
                              retry_after=retry_after)
    if (status is not None and 500 <= status <= 599) or code.startswith("internalerror"):
        return ServerError(_SERVER_MESSAGES.get(status or 0, ServerError.default_message) + sfx,
                           detail=detail, retry_after=retry_after)
    if status == 404:
        return InvalidRequestError(
            "The endpoint URL was not found (HTTP 404)", detail=detail,
            hint="Check the endpoint URL and the request style in Settings.",
        )
    if status in (405, 415):
        return InvalidRequestError(
            f"The endpoint does not accept this request{sfx}", detail=detail,
            hint="Check the endpoint URL and the request style in Settings.",
        )
    if status == 413 or code.startswith("badrequest.toolarge"):
        return InvalidRequestError(
            f"The request is too large{sfx}", detail=detail,
            hint="Use smaller or fewer input images.",
        )
    if (status is not None and 400 <= status <= 499) or code.startswith("invalid"):
        return InvalidRequestError(InvalidRequestError.default_message + sfx, detail=detail)
    # A 200 carrying an error code we do not know, or an odd status (1xx/3xx).
    return ApiError(f"The service reported an error{sfx}", detail=detail)


def error_from_payload(
    status: int | None, payload: Any, headers: Mapping[str, str] | None = None
) -> ApiError:
    """Typed error for an already-decoded JSON error body (also used for errors inside a 200)."""
    detail = extract_detail(status, payload)
    detail.request_id = detail.request_id or next(
        (v for v in (header(headers, h) for h in REQUEST_ID_HEADERS) if v), ""
    )
    return error_for(status, detail, parse_retry_after(header(headers, "retry-after")))


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> ApiError:
    """Typed error for a non-2xx answer. Never raises; the body may be anything."""
    try:
        payload: Any = loads_bounded(body) if body.strip() else None
    except ValueError:  # not JSON, or too deep/large to parse safely: shown as text
        payload = None
    if isinstance(payload, dict):
        return error_from_payload(status, payload, headers)
    detail = ErrorDetail(status=status, provider_message=text_of_non_json(body) if body else "")
    detail.request_id = next((v for v in (header(headers, h) for h in REQUEST_ID_HEADERS) if v), "")
    return error_for(status, detail, parse_retry_after(header(headers, "retry-after")))
