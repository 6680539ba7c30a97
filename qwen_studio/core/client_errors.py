"""The client's errors: a transport failure or a refusing answer as the ApiError the user
reads, with the API key scrubbed from everything that leaves the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qwen_studio.core.address_policy import current_guard
from qwen_studio.core.api_errors import error_from_response, shorten
from qwen_studio.core.errors import (
    ApiError,
    ConnectionFailed,
    ErrorDetail,
    InvalidRequestError,
    RequestTimeout,
    ResultDownloadError,
)
from qwen_studio.core.logs import scrub, secret_spellings

if TYPE_CHECKING:
    import httpx

REDIRECTS = (301, 302, 303, 307, 308)
CHECK_HINT = "Check the endpoint URL and your connection."


def log_url(url: str) -> str:
    """URLs without their query: result links carry signatures that are nobody's business."""
    return url.split("?", 1)[0]


def transport_error(exc: httpx.RequestError, url: str, *, download: bool, api_key: str,
                    read_timeout: float) -> ApiError:
    """The ApiError for a request that got no answer (the key scrubbed from its text)."""
    import httpx

    host = httpx.URL(url).host or url
    what = "the result server" if download else host
    # Scrubbed before shortening: a cut could leave a piece of the key no scrub finds.
    text = scrub(str(exc), api_key) if api_key else str(exc)
    detail = ErrorDetail(provider_message=shorten(text or type(exc).__name__, 200))
    err: ApiError
    guard = current_guard()
    if download and guard is not None and guard.refused:
        refused = ResultDownloadError(
            f"Refused to fetch the result from a private address ({guard.refused})",
            hint="The service named an address on your own machine or network.")
        refused.retryable = False
        return refused
    if isinstance(exc, httpx.ConnectTimeout):
        err = ConnectionFailed(f"Could not reach {what} (connection timed out)",
                               detail=detail)
    elif isinstance(exc, httpx.TimeoutException):
        err = RequestTimeout(
            f"No answer from {what} within {read_timeout:g} s", detail=detail)
    elif isinstance(exc, httpx.ConnectError):
        err = ConnectionFailed(f"Could not reach {what}", detail=detail)
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        err = ConnectionFailed(f"Cannot send this request to {what}", detail=detail,
                               hint=CHECK_HINT)
        err.retryable = False  # retrying cannot fix our own request
    else:  # RemoteProtocolError, ReadError, WriteError, ProxyError: cut off midway
        err = ConnectionFailed(f"The connection to {what} was interrupted", detail=detail)
    if download:
        wrapped = ResultDownloadError(
            f"The result download failed: {err.user_message[0].lower()}"
            f"{err.user_message[1:]}",
            detail=detail, hint="Check your connection.")
        wrapped.retryable = err.retryable
        return wrapped
    return err


def error_for(status: int, headers: httpx.Headers, body: bytes, api_key: str) -> ApiError:
    """The ApiError for an answer that is not a 2xx (a redirect, a refusal, a failure)."""
    key = api_key
    if len(key) >= 4:  # a service echoing the key back must not put it in our errors
        for form in secret_spellings(key):
            body = body.replace(form.encode("utf-8", "ignore"), b"***")
    if status in REDIRECTS:
        loc = log_url(headers.get("location", ""))
        return InvalidRequestError(
            f"The endpoint URL redirects elsewhere (HTTP {status})",
            detail=ErrorDetail(status=status),
            hint=f"Use {loc} as the endpoint URL." if loc else CHECK_HINT)
    return error_from_response(status, headers, body)


def scrub_error(err: ApiError, key: str) -> ApiError:
    """Belt and braces: no message that leaves the client contains the key."""
    if len(key) < 4:
        return err
    err.user_message = scrub(err.user_message, key)
    err.hint = scrub(err.hint, key)
    err.detail.provider_message = scrub(err.detail.provider_message, key)
    err.args = tuple(scrub(a, key) if isinstance(a, str) else a for a in err.args)
    return err
