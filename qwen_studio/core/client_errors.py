"""The client's errors: a transport failure or a refusing answer as the ApiError the user
reads, with the API key scrubbed from everything that leaves the client.

A transport failure carries a reason code (errors.TRANSPORT_REASONS, picked here from the
httpx exception and what it was raised from): the CLI prints its English, the window
translates it by code; neither reads the transport's own text (often just a class name).
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
    Reason,
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


def transport_reason(exc: httpx.RequestError) -> Reason:
    """Why a request got no answer, as a TRANSPORT_REASONS code, from the httpx class (most
    specific first) and, for a failed connect, the OS or TLS error it was raised from."""
    import httpx

    if isinstance(exc, httpx.ConnectError):
        return Reason(_connect_cause(exc))
    for cls, code in _BY_CLASS:
        if isinstance(exc, getattr(httpx, cls)):
            return Reason(code)
    return Reason("network_failed")


# httpx's classes, subclasses before their bases (looked up by name: httpx is imported
# only when a request fails here).
_BY_CLASS: tuple[tuple[str, str], ...] = (
    ("ConnectTimeout", "connect_timeout"),
    ("ReadTimeout", "read_timeout"),
    ("WriteTimeout", "write_timeout"),
    ("PoolTimeout", "pool_timeout"),
    ("TimeoutException", "timed_out"),
    ("ReadError", "closed_reading"),
    ("WriteError", "closed_sending"),
    ("CloseError", "close_failed"),
    ("RemoteProtocolError", "protocol_broken"),
    ("LocalProtocolError", "local_protocol"),
    ("ProtocolError", "protocol_error"),
    ("ProxyError", "proxy_failed"),
    ("UnsupportedProtocol", "unsupported_scheme"),
    ("TooManyRedirects", "too_many_redirects"),
    ("DecodingError", "decoding_failed"),
)


def _connect_cause(exc: BaseException) -> str:
    """A failed connect's code from the chain it was raised from (httpx -> httpcore ->
    anyio/asyncio -> the OS or ssl error)."""
    import errno
    import socket
    import ssl

    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "tls_certificate"
        if isinstance(cause, ssl.SSLError):
            return "tls_failed"
        if isinstance(cause, socket.gaierror):
            return "host_not_found"
        if isinstance(cause, ConnectionRefusedError):
            return "connection_refused"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH,
                                                          errno.EHOSTUNREACH):
            return "network_unreachable"
        cause = cause.__cause__ or cause.__context__
    return "connect_failed"


def transport_error(exc: httpx.RequestError, url: str, *, download: bool, api_key: str,
                    read_timeout: float) -> ApiError:
    """The ApiError for a request that got no answer (the key scrubbed from its text)."""
    import httpx

    what = httpx.URL(url).host or url  # a download's headline is its own (below)
    # Scrubbed before shortening: a cut could leave a piece of the key no scrub finds.
    text = scrub(str(exc), api_key) if api_key else str(exc)
    # The transport's own words stay in the detail (logs, support); the message says why
    # in plain words.
    detail = ErrorDetail(provider_message=shorten(text or type(exc).__name__, 200))
    why = transport_reason(exc)
    guard = current_guard()
    if download and guard is not None and guard.refused:
        refused = ResultDownloadError(
            f"Refused to fetch the result from a private address ({guard.refused})",
            hint="The service named an address on your own machine or network.")
        refused.retryable = False
        return refused
    err: ApiError
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError):
        err = ConnectionFailed(f"Could not reach {what}", detail=detail, transport=why)
    elif isinstance(exc, httpx.TimeoutException):
        err = RequestTimeout(
            f"No answer from {what} within {read_timeout:g} s", detail=detail, transport=why)
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        err = ConnectionFailed(f"Cannot send this request to {what}", detail=detail,
                               hint=CHECK_HINT, transport=why)
        err.retryable = False  # retrying cannot fix our own request
    else:  # RemoteProtocolError, ReadError, WriteError, ProxyError: cut off midway
        err = ConnectionFailed(f"The connection to {what} was interrupted", detail=detail,
                               transport=why)
    if download:
        # "The result download failed: the answer stopped before it was complete" (the
        # reason says more than "the result server").
        wrapped = ResultDownloadError("The result download failed", detail=detail,
                                      hint="Check your connection.", transport=why)
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
