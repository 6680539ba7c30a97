"""Typed errors. Each carries a short message a user can act on; none ever carries the key."""

from __future__ import annotations

from dataclasses import dataclass


class QwenStudioError(Exception):
    """Base for every error the app expects and explains instead of crashing."""

    def __init__(self, user_message: str, *, hint: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.hint = hint

    def __str__(self) -> str:
        return self.user_message


class ConfigError(QwenStudioError):
    """Missing or invalid configuration (no key, no endpoint, bad profile)."""


class InputImageError(QwenStudioError):
    """An input file that cannot be used; names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class EditCancelled(QwenStudioError):
    def __init__(self) -> None:
        super().__init__("cancelled")


@dataclass
class ErrorDetail:
    """What the service said, normalized across the OpenAI and DashScope envelopes."""

    status: int | None = None
    code: str = ""
    provider_message: str = ""
    request_id: str = ""


class ApiError(QwenStudioError):
    """The service (or the way to it) failed. `retryable` drives the retry loop."""

    retryable = False
    default_message = "The service refused the request"
    default_hint = ""

    def __init__(
        self,
        user_message: str = "",
        *,
        detail: ErrorDetail | None = None,
        hint: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.detail = detail or ErrorDetail()
        msg = user_message or self.default_message
        if self.detail.provider_message and self.detail.provider_message not in msg:
            msg = f"{msg}: {self.detail.provider_message}"
        super().__init__(msg, hint=hint or self.default_hint)
        self.retry_after = retry_after

    @property
    def status(self) -> int | None:
        return self.detail.status

    @property
    def code(self) -> str:
        return self.detail.code

    @property
    def request_id(self) -> str:
        return self.detail.request_id


class AuthError(ApiError):
    default_message = "The API key was refused"
    default_hint = "Check the API key and region in Settings (Beijing and Singapore keys differ)."


class ModerationError(ApiError):
    default_message = "The content was flagged by moderation"
    default_hint = "Rephrase the prompt or use a different image; retrying will not help."


class InvalidRequestError(ApiError):
    default_message = "The service rejected a parameter"
    default_hint = "Adjust the parameter named in the message."


class QuotaError(ApiError):
    default_message = "The account cannot be charged"
    default_hint = "Top up the account in the provider's console."


class RateLimitError(ApiError):
    retryable = True
    default_message = "Rate limited by the service"
    default_hint = "Retrying automatically with backoff."


class ServerError(ApiError):
    retryable = True
    default_message = "The service had an internal error"
    default_hint = "Usually temporary; retrying."


class RequestTimeout(ApiError):
    retryable = True
    default_message = "The request timed out"
    default_hint = "Edits can take up to a minute; the timeout is in Settings."


class ConnectionFailed(ApiError):
    retryable = True
    default_message = "Could not reach the service"
    default_hint = "Check the endpoint URL and your connection."


class BadResponseError(ApiError):
    """The service answered 2xx but the body is not something we can use."""

    default_message = "The service sent a response that could not be understood"
    default_hint = "The gateway may not support this request style; try another style."


class ResultDownloadError(ApiError):
    default_message = "The result image could not be downloaded"
    default_hint = "Result links expire after 24 hours; run the edit again."
