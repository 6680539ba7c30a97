"""HTTP client for the image service: one request style, retries with backoff, downloads.

One shared httpx.AsyncClient is passed in (make_http_client builds a suitable one). The API
key is put into the Authorization header per request and appears nowhere else: not in
reprs, exceptions or logs. Result downloads never carry the key (result links are signed).

Retry policy (ImageClient._retrying): at most `max_attempts` attempts in all. Retried:
408, 429, 5xx, connection failures and timeouts, with exponential backoff and jitter, or
the server's Retry-After (capped). A 2xx whose body is not JSON (MalformedResponseError) is
retried once only, since a second garbled answer means the gateway speaks something else.
Never retried: any other 4xx, moderation above all, and well-formed answers without images.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import io
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from qwen_studio.core.api_errors import (
    REQUEST_ID_HEADERS,
    MalformedResponseError,
    error_from_response,
    header,
    parse_retry_after,
    shorten,
    text_of_non_json,
)
from qwen_studio.core.endpoint import ClientSettings, Endpoint, RetryInfo
from qwen_studio.core.errors import (
    ApiError,
    BadResponseError,
    ConnectionFailed,
    ErrorDetail,
    InvalidRequestError,
    RateLimitError,
    Reason,
    RequestTimeout,
    ResultDownloadError,
)
from qwen_studio.core.http_session import (
    DEFAULT_SETTINGS,
    LazyHttpClient,
    make_http_client,
    timeout_for,
)
from qwen_studio.core.request import DEFAULT_MODELS, EditRequest
from qwen_studio.core.styles import GenerationResult, ResultRef, get_style

if TYPE_CHECKING:
    import httpx

# httpx is imported where it is used, not here: importing it costs 50-90 ms, and the batch
# queue imports this module before its first request.
__all__ = ["ClientSettings", "Endpoint", "ImageClient", "LazyHttpClient", "RetryInfo",
           "make_http_client"]

log = logging.getLogger("qwen_studio.client")

RETRY_AFTER_CAP = 120.0  # a server asking for longer is treated as asking for this
MAX_REDIRECTS = 5
MALFORMED_RETRIES = 1
ERROR_BODY_CAP = 1 << 20  # error pages are read this far, then cut off
REDIRECTS = (301, 302, 303, 307, 308)
_CHECK_HINT = "Check the endpoint URL and your connection."

T = TypeVar("T")


def _log_url(url: str) -> str:
    """URLs without their query: result links carry signatures that are nobody's business."""
    return url.split("?", 1)[0]


def _mb(n: int) -> str:
    return f"{n / 2**20:g}"


def _decode_problem(data: bytes) -> str | None:
    """None when Pillow decodes `data` fully, else why not. Runs in a worker thread."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    except Image.DecompressionBombError:
        return "the image is too large to decode safely"
    except Exception as exc:  # Pillow raises many types for garbage; all mean "not an image"
        return f"{len(data)} bytes that do not decode as an image ({type(exc).__name__})"
    return None


def _splice_safe(uri: str) -> bool:
    """A data URI whose text is JSON as it stands (base64 after an ASCII header): it can be
    copied into the body verbatim. isascii() is O(1); the `in` tests are memchr scans."""
    return (len(uri) > 4096 and uri.startswith("data:") and uri.isascii()
            and '"' not in uri and "\\" not in uri and "\n" not in uri and "\r" not in uri)


def _encode_body(build: Callable[[list[str]], Any], images: list[str]) -> bytes:
    """The JSON request body as bytes, without running multi-MB data URIs through json.dumps.

    json.dumps of a body holding 10 MB data URIs holds the GIL (the GUI thread under qasync)
    for tens of ms, and it cannot be moved to a worker for that reason. Large JSON-safe
    URIs are replaced by short unique tokens, the small body is encoded, and the URIs'
    bytes are spliced in where the tokens were (a memory copy).
    """
    nonce = f"{random.getrandbits(64):016x}"
    spliced: dict[str, str] = {}
    stand_ins: list[str] = []
    for i, uri in enumerate(images):
        if _splice_safe(uri):
            token = f"qs-image-{nonce}-{i}"
            spliced[token] = uri
            stand_ins.append(token)
        else:
            stand_ins.append(uri)
    text = json.dumps(build(stand_ins), ensure_ascii=False)
    if not spliced:
        return text.encode("utf-8")
    parts: list[bytes] = []
    for piece in re.split(f"(qs-image-{nonce}-\\d+)", text):
        uri = spliced.get(piece)
        parts.append(uri.encode("ascii") if uri is not None else piece.encode("utf-8"))
    return b"".join(parts)


class _Response:
    __slots__ = ("body", "headers", "status", "url")

    def __init__(self, status: int, headers: httpx.Headers, body: bytes, url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url


class ImageClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        endpoint: Endpoint,
        settings: ClientSettings = DEFAULT_SETTINGS,
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._http = http
        self.endpoint = endpoint
        self.settings = settings
        self.style = get_style(endpoint.style)
        self._sleep = sleep
        self._rng = rng
        self._timeout = timeout_for(settings)

    def __repr__(self) -> str:
        return f"ImageClient({self.endpoint!r})"  # Endpoint's repr leaves the key out

    # -- public ------------------------------------------------------------------------------
    async def generate(
        self,
        request: EditRequest,
        images: list[str],
        *,
        response_format: str | None = None,
        on_retry: Callable[[RetryInfo], None] | None = None,
    ) -> GenerationResult:
        """POST one edit and parse the answer (the wire format is the endpoint's style)."""
        url = self.style.endpoint_url(self.endpoint.base_url)
        payload = _encode_body(lambda imgs: self.style.build_body(request, imgs,
                                                                  response_format), list(images))
        # Inline base64 answers can hold up to six images.
        cap = 8 * self.settings.max_result_bytes

        async def once(attempt: int) -> GenerationResult:
            resp = await self._send("POST", url, attempt, content=payload, cap=cap,
                                    too_large=lambda: BadResponseError(
                                        f"The answer is larger than {_mb(cap)} MB"))
            if not 200 <= resp.status < 300:
                raise self._error_for(resp)
            try:
                decoded = json.loads(resp.body)
            except (ValueError, UnicodeDecodeError):
                raise MalformedResponseError(
                    f"The service sent a response that is not JSON (HTTP {resp.status})",
                    detail=ErrorDetail(status=resp.status,
                                       provider_message=_preview(resp.body)),
                ) from None
            result = self.style.parse_success(decoded)
            if not result.request_id:
                rid = next((v for v in (header(resp.headers, h) for h in REQUEST_ID_HEADERS)
                            if v), "")
                result = dataclasses.replace(result, request_id=rid)
            return result

        return await self._retrying(once, on_retry)

    async def fetch_image(
        self, ref: ResultRef, *, on_retry: Callable[[RetryInfo], None] | None = None
    ) -> bytes:
        """The result image's bytes exactly as received, after checking they decode."""
        if ref.b64_json or (ref.url or "").startswith("data:"):
            data = self._decode_inline(ref.b64_json or ref.url or "")
            problem = await self._image_problem(data)
            if problem:
                raise BadResponseError(f"The inline result is not an image: {problem}")
            return data
        if not ref.url:
            raise BadResponseError("The answer names no result image")
        url = ref.url
        data = await self._retrying(lambda attempt: self._download(url, attempt), on_retry)
        problem = await self._image_problem(data)
        if problem:
            raise ResultDownloadError(f"The downloaded result is not an image: {problem}",
                                      hint="The result link may be broken; run the edit again.")
        return data

    async def check_connection(self) -> str:
        """Prove URL and key work without paying for an edit: POST a body the service must
        refuse (empty prompt, no image). 400 means "reachable and key accepted"."""
        import httpx
        url = self.style.endpoint_url(self.endpoint.base_url)
        probe = EditRequest(inputs=(), prompt="", style=self.style.name,
                            model=DEFAULT_MODELS.get(self.style.name, "qwen-image-edit-plus"))
        payload = json.dumps(self.style.build_body(probe, [], None)).encode("utf-8")
        host = httpx.URL(url).host
        try:
            resp = await self._send("POST", url, 1, content=payload, cap=ERROR_BODY_CAP,
                                    too_large=lambda: BadResponseError())
        except ApiError as err:
            raise self._scrub(err) from None
        if 200 <= resp.status < 300:
            return Reason("connection_ok", host=host)
        err = self._error_for(resp)
        if resp.status in (400, 422) and type(err) is InvalidRequestError:
            return Reason("connection_ok", host=host)
        if isinstance(err, RateLimitError):
            return Reason("connection_ok_rate_limited", host=host)
        raise self._scrub(err)

    # -- retries -----------------------------------------------------------------------------
    def _delay(self, attempt: int, err: ApiError) -> float:
        if err.retry_after is not None:
            return min(err.retry_after, RETRY_AFTER_CAP)
        s = self.settings
        return min(s.backoff_max, s.backoff_base * 2 ** (attempt - 1)) * (0.5 + self._rng())

    async def _retrying(
        self,
        op: Callable[[int], Awaitable[T]],
        on_retry: Callable[[RetryInfo], None] | None,
    ) -> T:
        max_attempts = max(1, self.settings.max_attempts)
        malformed = 0
        attempt = 0
        while True:
            attempt += 1
            try:
                return await op(attempt)
            except ApiError as err:
                self._scrub(err)
                if isinstance(err, MalformedResponseError):
                    malformed += 1
                if (
                    not err.retryable
                    or attempt >= max_attempts
                    or malformed > MALFORMED_RETRIES
                ):
                    raise
                delay = self._delay(attempt, err)
                log.debug("attempt %d/%d failed (%s); retrying in %.2f s",
                          attempt, max_attempts, type(err).__name__, delay)
                if on_retry is not None:
                    on_retry(RetryInfo(attempt, max_attempts, delay, err))
                await self._sleep(delay)

    # -- transport ---------------------------------------------------------------------------
    def _headers(self, *, json_body: bool) -> dict[str, str]:
        h = {"Accept": "application/json"} if json_body else {"Accept": "image/*"}
        if json_body:
            h["Content-Type"] = "application/json"
            if self.endpoint.api_key:
                h["Authorization"] = f"Bearer {self.endpoint.api_key}"
        return h

    async def _send(
        self,
        method: str,
        url: str,
        attempt: int,
        *,
        cap: int,
        too_large: Callable[[], ApiError],
        content: bytes | None = None,
    ) -> _Response:
        """One request; the body is streamed and refused past `cap` (2xx) or cut (errors)."""
        import httpx
        started = time.monotonic()
        is_post = method == "POST"
        try:
            async with self._http.stream(
                method, url, content=content, headers=self._headers(json_body=is_post),
                timeout=self._timeout, follow_redirects=False,
            ) as resp:
                ok = 200 <= resp.status_code < 300
                declared = resp.headers.get("content-length", "")
                if ok and declared.isdigit() and int(declared) > cap:
                    raise too_large()
                chunks: list[bytes] = []
                total = 0
                async for chunk in resp.aiter_bytes():
                    total += len(chunk)
                    if ok and total > cap:
                        raise too_large()  # leaving the block aborts the download
                    if not ok and total > ERROR_BODY_CAP:
                        break  # enough of an error page to explain it
                    chunks.append(chunk)
                status, headers = resp.status_code, resp.headers
        except httpx.RequestError as exc:  # transport failures, undecodable gzip, ...
            log.debug("%s %s -> %s (attempt %d, %.2f s)", method, _log_url(url),
                      type(exc).__name__, attempt, time.monotonic() - started)
            raise self._transport_error(exc, url, download=not is_post) from None
        except httpx.InvalidURL:
            # httpx prepares the next request of any redirect, even unfollowed ones, so a
            # malformed Location header lands here as well as a malformed URL of ours.
            log.debug("%s %s -> invalid URL (attempt %d)", method, _log_url(url), attempt)
            if not is_post:
                raise ResultDownloadError(
                    "Refused to follow the result link to an invalid address") from None
            raise InvalidRequestError("The endpoint URL or its redirect is not a valid address",
                                      hint=_CHECK_HINT) from None
        log.debug("%s %s -> %d (attempt %d, %.2f s, %d bytes)", method, _log_url(url), status,
                  attempt, time.monotonic() - started, total)
        return _Response(status, headers, b"".join(chunks), url)

    def _transport_error(self, exc: httpx.RequestError, url: str, *, download: bool) -> ApiError:
        import httpx
        host = httpx.URL(url).host or url
        what = "the result server" if download else host
        detail = ErrorDetail(provider_message=shorten(str(exc) or type(exc).__name__, 200))
        err: ApiError
        if isinstance(exc, httpx.ConnectTimeout):
            err = ConnectionFailed(f"Could not reach {what} (connection timed out)",
                                   detail=detail)
        elif isinstance(exc, httpx.TimeoutException):
            err = RequestTimeout(
                f"No answer from {what} within {self.settings.read_timeout:g} s", detail=detail)
        elif isinstance(exc, httpx.ConnectError):
            err = ConnectionFailed(f"Could not reach {what}", detail=detail)
        elif isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
            err = ConnectionFailed(f"Cannot send this request to {what}", detail=detail,
                                   hint=_CHECK_HINT)
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

    def _error_for(self, resp: _Response) -> ApiError:
        body = resp.body
        key = self.endpoint.api_key
        if len(key) >= 4:  # a service echoing the key back must not put it in our errors
            body = body.replace(key.encode("utf-8", "ignore"), b"***")
        if resp.status in REDIRECTS:
            loc = _log_url(resp.headers.get("location", ""))
            return InvalidRequestError(
                f"The endpoint URL redirects elsewhere (HTTP {resp.status})",
                detail=ErrorDetail(status=resp.status),
                hint=f"Use {loc} as the endpoint URL." if loc else _CHECK_HINT)
        return error_from_response(resp.status, resp.headers, body)

    def _scrub(self, err: ApiError) -> ApiError:
        """Belt and braces: no message that leaves this client contains the key."""
        key = self.endpoint.api_key
        if len(key) < 4:
            return err
        err.user_message = err.user_message.replace(key, "***")
        err.hint = err.hint.replace(key, "***")
        err.detail.provider_message = err.detail.provider_message.replace(key, "***")
        err.args = tuple(a.replace(key, "***") if isinstance(a, str) else a for a in err.args)
        return err

    # -- downloads ---------------------------------------------------------------------------
    async def _download(self, url: str, attempt: int) -> bytes:
        import httpx
        cap = self.settings.max_result_bytes
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            scheme = urlsplit(current).scheme.lower()
            if scheme not in ("http", "https"):
                raise ResultDownloadError(
                    f"Refused to fetch the result from a {scheme or 'non-web'} link",
                    hint="Only http and https result links are downloaded.")
            resp = await self._send("GET", current, attempt, cap=cap, too_large=lambda: (
                ResultDownloadError(f"The result is larger than {_mb(cap)} MB",
                                    hint="The limit is in Settings.")))
            if resp.status in REDIRECTS:
                location = resp.headers.get("location", "").strip()
                if not location:
                    raise ResultDownloadError(f"The result link redirects nowhere "
                                              f"(HTTP {resp.status})")
                try:
                    current = str(httpx.URL(current).join(location))
                except httpx.InvalidURL:
                    raise ResultDownloadError(
                        "Refused to follow the result link to an invalid address") from None
                continue
            if 200 <= resp.status < 300:
                return resp.body
            detail = ErrorDetail(status=resp.status)
            if resp.status in (403, 404, 410):
                raise ResultDownloadError(
                    f"The result link has expired or was not found (HTTP {resp.status})",
                    detail=detail)
            err = ResultDownloadError(f"The result download failed (HTTP {resp.status})",
                                      detail=detail,
                                      retry_after=parse_retry_after(
                                          header(resp.headers, "retry-after")))
            if resp.status in (408, 429) or resp.status >= 500:
                err.retryable = True
            raise err
        raise ResultDownloadError(f"The result link redirected more than {MAX_REDIRECTS} times")

    def _decode_inline(self, text: str) -> bytes:
        if text.startswith("data:"):
            text = text.partition(",")[2]
        try:
            data = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise BadResponseError("The inline result image is not valid base64") from None
        if not data:
            raise BadResponseError("The inline result image is empty")
        if len(data) > self.settings.max_result_bytes:
            raise ResultDownloadError(
                f"The result is larger than {_mb(self.settings.max_result_bytes)} MB")
        return data

    async def _image_problem(self, data: bytes) -> str | None:
        # Decoding is CPU work: keep it off the event loop (the GUI thread under qasync).
        return await asyncio.get_running_loop().run_in_executor(None, _decode_problem, data)


def _preview(body: bytes) -> str:
    return text_of_non_json(body) if body.strip() else "empty body"
