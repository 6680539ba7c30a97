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
import dataclasses
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from qwen_studio.core.address_policy import (
    AddressRefused,
    DownloadGuard,
    check_url,
    reset_guard,
    set_guard,
)
from qwen_studio.core.answer_parsing import MAX_ANSWER_BYTES, decode_inline, parse_answer
from qwen_studio.core.answer_parsing import (
    decode_problem as _decode_problem,  # a module global: tests spy on the checks
)
from qwen_studio.core.api_errors import (
    REQUEST_ID_HEADERS,
    MalformedResponseError,
    header,
    parse_retry_after,
)
from qwen_studio.core.client_errors import (
    CHECK_HINT,
    REDIRECTS,
    error_for,
    log_url,
    scrub_error,
    transport_error,
)
from qwen_studio.core.endpoint import ClientSettings, Endpoint, RetryInfo
from qwen_studio.core.errors import (
    ApiError,
    BadResponseError,
    ErrorDetail,
    InvalidRequestError,
    RateLimitError,
    Reason,
    RequestTimeout,
    ResultDownloadError,
)
from qwen_studio.core.http_body import ACCEPT_ENCODING, BodyTooLarge, BodyUndecodable, read_capped
from qwen_studio.core.http_session import (
    DEFAULT_SETTINGS,
    LazyHttpClient,
    make_http_client,
    request_deadline,
    timeout_for,
)
from qwen_studio.core.request import DEFAULT_MODELS, EditRequest
from qwen_studio.core.request_body import encode_body
from qwen_studio.core.styles import GenerationResult, ResultRef, get_style
from qwen_studio.core.text_safety import key_problem

if TYPE_CHECKING:
    from concurrent.futures import Executor

    import httpx

# httpx is imported where it is used, not here: importing it costs 50-90 ms, and the batch
# queue imports this module before its first request. Answers are parsed and checked in
# answer_parsing.py, errors made in client_errors.py, request bodies built in
# request_body.py.
__all__ = ["MAX_ANSWER_BYTES", "ClientSettings", "Endpoint", "ImageClient", "LazyHttpClient",
           "RetryInfo", "make_http_client", "parse_answer"]

log = logging.getLogger("qwen_studio.client")

RETRY_AFTER_CAP = 120.0  # a server asking for longer is treated as asking for this
MAX_REDIRECTS = 5
MALFORMED_RETRIES = 1
ERROR_BODY_CAP = 1 << 20  # error pages are read this far, then cut off

T = TypeVar("T")


def _mb(n: int) -> str:
    return f"{n / 2**20:g}"


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
        executor: Executor | None = None,
    ) -> None:
        """`executor`: where results are decoded to check them (None: the loop's default)."""
        self._http = http
        self._executor = executor
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
        payload = encode_body(lambda imgs: self.style.build_body(request, imgs,
                                                                  response_format), list(images))
        _check_key(self.endpoint.api_key)
        # Inline base64 answers can hold up to six images, but within the memory cap.
        cap = min(8 * self.settings.max_result_bytes, MAX_ANSWER_BYTES)

        async def once(attempt: int) -> GenerationResult:
            resp = await self._send("POST", url, attempt, content=payload, cap=cap,
                                    too_large=lambda: BadResponseError(
                                        f"The answer is larger than {_mb(cap)} MB"))
            if not 200 <= resp.status < 300:
                raise error_for(resp.status, resp.headers, resp.body, self.endpoint.api_key)
            result = parse_answer(self.style, resp.status, resp.body, cap)
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
            data = decode_inline(ref.b64_json or ref.url or "", self.settings.max_result_bytes)
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
        _check_key(self.endpoint.api_key)
        try:
            resp = await self._send("POST", url, 1, content=payload, cap=ERROR_BODY_CAP,
                                    too_large=lambda: BadResponseError())
        except ApiError as err:
            raise scrub_error(err, self.endpoint.api_key) from None
        if 200 <= resp.status < 300:
            return Reason("connection_ok", host=host)
        err = error_for(resp.status, resp.headers, resp.body, self.endpoint.api_key)
        if resp.status in (400, 422) and type(err) is InvalidRequestError:
            return Reason("connection_ok", host=host)
        if isinstance(err, RateLimitError):
            return Reason("connection_ok_rate_limited", host=host)
        raise scrub_error(err, self.endpoint.api_key)

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
                scrub_error(err, self.endpoint.api_key)
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
        h["Accept-Encoding"] = ACCEPT_ENCODING  # what read_capped decodes, nothing else
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
        """One request; the body is streamed and refused past `cap` (2xx) or cut (errors),
        counted on the wire and expanded. The whole exchange has one deadline."""
        import httpx
        started = time.monotonic()
        is_post = method == "POST"
        deadline = request_deadline(self.settings, len(content or b""))
        try:
            async with asyncio.timeout(deadline), self._http.stream(
                method, url, content=content, headers=self._headers(json_body=is_post),
                timeout=self._timeout, follow_redirects=False,
            ) as resp:
                ok = 200 <= resp.status_code < 300
                declared = resp.headers.get("content-length", "")
                if ok and declared.isdigit() and int(declared) > cap:
                    raise too_large()
                try:
                    body = await read_capped(*_raw_body(resp), cap if ok else ERROR_BODY_CAP,
                                             truncate=not ok)
                except BodyTooLarge:
                    raise too_large() from None  # leaving the block aborts the download
                except BodyUndecodable as exc:
                    raise BadResponseError(f"The service sent an answer that cannot be "
                                           f"read: {exc}") from None
                status, headers = resp.status_code, resp.headers
        except TimeoutError:
            log.debug("%s %s -> deadline of %.0f s passed (attempt %d)", method, log_url(url),
                      deadline, attempt)
            what = "the result server" if not is_post else (httpx.URL(url).host or url)
            err: ApiError = RequestTimeout(
                f"No complete answer from {what} within {deadline:.0f} s")
            if not is_post:
                err = ResultDownloadError(f"The result download took longer than "
                                          f"{deadline:.0f} s", hint="Check your connection.")
                err.retryable = True
            raise err from None
        except httpx.RequestError as exc:  # transport failures, refused addresses, ...
            log.debug("%s %s -> %s (attempt %d, %.2f s)", method, log_url(url),
                      type(exc).__name__, attempt, time.monotonic() - started)
            raise transport_error(exc, url, download=not is_post, api_key=self.endpoint.api_key,
                                  read_timeout=self.settings.read_timeout) from None
        except httpx.InvalidURL:
            # httpx prepares the next request of any redirect, even unfollowed ones, so a
            # malformed Location header lands here as well as a malformed URL of ours.
            log.debug("%s %s -> invalid URL (attempt %d)", method, log_url(url), attempt)
            if not is_post:
                raise ResultDownloadError(
                    "Refused to follow the result link to an invalid address") from None
            raise InvalidRequestError("The endpoint URL or its redirect is not a valid address",
                                      hint=CHECK_HINT) from None
        log.debug("%s %s -> %d (attempt %d, %.2f s, %d bytes)", method, log_url(url), status,
                  attempt, time.monotonic() - started, len(body))
        return _Response(status, headers, body, url)

    # -- downloads ---------------------------------------------------------------------------
    async def _download(self, url: str, attempt: int) -> bytes:
        guard = DownloadGuard.for_endpoint(self.endpoint.base_url)
        token = set_guard(guard)  # seen by the connection backend (connect-time check)
        try:
            return await self._download_guarded(url, attempt, guard)
        finally:
            reset_guard(token)

    async def _download_guarded(self, url: str, attempt: int, guard: DownloadGuard) -> bytes:
        import httpx
        cap = self.settings.max_result_bytes
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            scheme = urlsplit(current).scheme.lower()
            if scheme not in ("http", "https"):
                raise ResultDownloadError(
                    f"Refused to fetch the result from a {scheme or 'non-web'} link",
                    hint="Only http and https result links are downloaded.")
            try:
                await check_url(current, guard)
            except AddressRefused as exc:
                raise ResultDownloadError(
                    f"Refused to fetch the result: {exc}",
                    hint="The service named an address on your own machine or network."
                ) from None
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

    async def _image_problem(self, data: bytes) -> str | None:
        # Decoding is CPU work: keep it off the event loop (the GUI thread under qasync).
        return await asyncio.get_running_loop().run_in_executor(self._executor,
                                                                 _decode_problem, data)


def _raw_body(resp: httpx.Response) -> tuple[AsyncIterator[bytes], str]:
    """The body's raw bytes and their encoding; a response built in memory (a test's mock
    transport) has its content already, decoded."""
    if hasattr(resp, "_content"):
        async def content() -> AsyncIterator[bytes]:
            yield resp.content
        return content(), ""
    return resp.aiter_raw(), resp.headers.get("content-encoding", "")


def _check_key(key: str) -> None:
    """A key that cannot travel in a header is refused before anything is sent (httpx
    would quote it, escaped, in its error)."""
    if key and key_problem(key):
        raise InvalidRequestError(f"The API key {key_problem(key)}",
                                  hint="Paste the key again in Settings.")
