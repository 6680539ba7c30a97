"""Error answers become typed errors with a short message and the provider's words kept."""

from __future__ import annotations

import email.utils
import json
import time

import pytest

from qwen_studio.core.api_errors import error_from_response, parse_retry_after
from qwen_studio.core.errors import (
    ApiError,
    AuthError,
    InvalidRequestError,
    ModerationError,
    QuotaError,
    RateLimitError,
    RequestTimeout,
    ServerError,
)


def openai(code: str, message: str, status: int) -> bytes:
    return json.dumps({"error": {"message": message, "type": "upstream_error",
                                 "param": str(status), "code": code}}).encode()


def native(code: str, message: str, request_id: str = "rid-1") -> bytes:
    return json.dumps({"request_id": request_id, "code": code, "message": message}).encode()


@pytest.mark.parametrize("envelope", [openai, native])
@pytest.mark.parametrize(("status", "code", "cls", "retryable"), [
    (400, "InvalidParameter", InvalidRequestError, False),
    (400, "DataInspectionFailed", ModerationError, False),
    (200, "DataInspectionFailed", ModerationError, False),
    (500, "DataInspectionFailed", ModerationError, False),
    (400, "Arrearage", QuotaError, False),
    (401, "InvalidApiKey", AuthError, False),
    (403, "AccessDenied", AuthError, False),
    (408, "RequestTimeOut", RequestTimeout, True),
    (413, "BadRequest.TooLarge", InvalidRequestError, False),
    (429, "Throttling.RateQuota", RateLimitError, True),
    (500, "InternalError.Algo", ServerError, True),
    (503, "ServiceUnavailable", ServerError, True),
])
def test_mapping_for_both_envelopes(envelope, status, code, cls, retryable):
    body = envelope(code, "what the service said", 400) if envelope is openai else envelope(
        code, "what the service said")
    err = error_from_response(status, {}, body)
    assert type(err) is cls
    assert err.retryable is retryable
    assert err.code == code
    assert err.status == status
    assert err.detail.provider_message == "what the service said"
    assert "what the service said" in str(err)


def test_user_message_is_short_and_names_the_status():
    err = error_from_response(429, {}, openai("Throttling", "Requests rate limit exceeded", 429))
    assert err.user_message.startswith("Rate limited by the service (HTTP 429)")
    assert err.detail.provider_message == "Requests rate limit exceeded"
    assert err.hint  # the banner has a next step


def test_native_request_id_and_header_request_id():
    assert error_from_response(400, {}, native("InvalidParameter", "m", "abc-123")).request_id \
        == "abc-123"
    err = error_from_response(500, {"X-Request-Id": "hdr-9"}, openai("InternalError", "x", 500))
    assert err.request_id == "hdr-9"


def test_gateway_wrapping_upstream_json_in_the_message():
    inner = json.dumps({"code": "DataInspectionFailed", "message": "Output may be unsafe.",
                        "request_id": "up-1"})
    err = error_from_response(400, {}, openai("upstream_error", inner, 400))
    assert isinstance(err, ModerationError)
    assert err.detail.provider_message == "Output may be unsafe."
    assert err.request_id == "up-1"


def test_html_proxy_page_gives_its_title():
    page = (b"<html><head><title>502 Bad Gateway</title><style>body{}</style></head>"
            b"<body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>")
    err = error_from_response(502, {"content-type": "text/html"}, page)
    assert isinstance(err, ServerError) and err.retryable
    assert err.detail.provider_message == "502 Bad Gateway"
    assert "<" not in str(err)


def test_html_page_without_title_gives_its_first_text_shortened():
    page = b"<html><body><h1>Service  Unavailable</h1><p>" + b"x" * 5000 + b"</p></body></html>"
    err = error_from_response(503, {}, page)
    assert err.detail.provider_message.startswith("Service Unavailable")
    assert len(err.detail.provider_message) <= 160
    assert len(str(err)) < 300


def test_plain_text_and_empty_bodies():
    assert error_from_response(504, {}, b"upstream request timeout").detail.provider_message \
        == "upstream request timeout"
    err = error_from_response(401, {}, b"")
    assert isinstance(err, AuthError) and str(err) == "The API key was refused (HTTP 401)"


def test_undecodable_bytes_do_not_crash():
    err = error_from_response(500, {}, b"\xff\xfe\x00garbage\x80")
    assert isinstance(err, ServerError)


def test_wrong_url_404_is_not_retryable_and_says_so():
    err = error_from_response(404, {}, b"404 page not found")
    assert isinstance(err, InvalidRequestError) and not err.retryable
    assert "not found" in str(err)
    assert "URL" in err.hint


def test_unknown_code_in_a_200_is_still_an_api_error():
    err = error_from_response(200, {}, native("SomethingNew", "hmm"))
    assert isinstance(err, ApiError) and not err.retryable


@pytest.mark.parametrize(("headers", "expected"), [
    ({"Retry-After": "7"}, 7.0),
    ({"retry-after": "2.5"}, 2.5),
    ({"RETRY-AFTER": "0"}, 0.0),
    ({}, None),
    ({"Retry-After": "soon"}, None),
])
def test_retry_after_seconds(headers, expected):
    err = error_from_response(429, headers, openai("Throttling", "slow", 429))
    assert err.retry_after == expected


def test_retry_after_http_date():
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    err = error_from_response(503, {"Retry-After": when}, b"busy")
    assert err.retry_after is not None and 25 <= err.retry_after <= 31


def test_retry_after_date_in_the_past_is_zero():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_retry_after_works_with_httpx_headers():
    import httpx

    err = error_from_response(429, httpx.Headers({"Retry-After": "3"}), b"{}")
    assert isinstance(err, RateLimitError) and err.retry_after == 3.0
