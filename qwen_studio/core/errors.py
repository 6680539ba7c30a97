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


# Why an input file cannot be used: a stable machine code -> its English text. The CLI and
# the logs print the English; the window translates by code (ui/error_text.py keeps the same
# texts for lupdate, and tests/test_i18n_reasons.py checks the two agree). Parameters are
# already formatted strings (sizes, file types, the OS's or Pillow's own words, kept as is).
_FORMATS = "JPG, PNG, WebP, BMP, TIFF or GIF"
_BOMB = "(files this big are refused as possible decompression bombs)"
INPUT_REASONS: dict[str, str] = {
    "file_missing": "the file does not exist",
    "is_folder": "this is a folder, not an image file",
    "permission_denied": "the file cannot be read (permission denied)",
    "unreadable": "the file cannot be read ({detail})",
    "empty_file": "the file is empty (0 bytes)",
    "empty_data": "the image data is empty (0 bytes)",
    "out_of_memory": "there is not enough memory to read this image",
    "too_many_pixels": "the image is too large: {size} pixels ({megapixels} megapixels); "
                       "the limit is {limit} megapixels",
    "bomb": f"the image is too large; the limit is {{limit}} megapixels {_BOMB}",
    "bomb_pixels": "the image is too large ({megapixels} megapixels); the limit is "
                   f"{{limit}} megapixels {_BOMB}",
    "unsupported_format": f"unsupported image format ({{format}}); use {_FORMATS}",
    "text_file": "this is not an image (the file contains text)",
    "not_image": f"this is not an image, or it is damaged beyond reading (expected {_FORMATS})",
    "damaged_open": "the image is damaged and cannot be read ({detail})",
    "damaged": "the image is damaged and cannot be decoded ({detail})",
    "truncated": "the file is incomplete (truncated); it may not have finished downloading "
                 "or copying",
    "aspect_ratio": "the aspect ratio is too extreme ({size}, about {ratio}:1); the service "
                    "needs each side between {min_side} and {max_side} px, so at most "
                    "{max_ratio}:1",
    "too_large_to_send": "the image cannot be made small enough: even at {size} it needs "
                         "{megabytes} MB as a data URI; the limit is {limit} MB",
    "not_image_type": "not an image file type ({ext})",
    "no_extension": "not an image file type (no extension)",
    "folder_unreadable": "folder cannot be read ({detail})",
    # Region edits (core/region.py, core/region_mask.py).
    "region_needs_file": "a region edit needs the original as a local file (it is composited "
                         "at full resolution); download it first",
    "region_too_large": "the image is too large for a region edit ({size})",
    "region_mode": "a region edit keeps the other pixels exactly, which a PNG cannot do for "
                   "a {mode} image; convert it to RGB first",
    "region_outside": "the region {rect} lies outside the {size} image",
    "region_empty": "the region marks no pixel of the image",
    "mask_unreadable": "the mask cannot be read ({detail})",
    "mask_missing": "the region's mask ({region}) was not found",
    "mask_mismatch": "this is not the edit's mask ({region}): its content differs",
    "result_unreadable": "the result is not a readable image ({detail})",
}

# Why a request cannot run yet (EditRequest.problems(), parse_size): code -> English text, as
# INPUT_REASONS (ui/error_text.py repeats them; the same test keeps the two equal). The texts
# are exactly what the CLI has always printed.
REQUEST_PROBLEMS: dict[str, str] = {
    "prompt_empty": "the prompt is empty",
    "prompt_too_long": "the prompt has {n} characters; the limit is {limit}",
    "negative_too_long": "the negative prompt has {n} characters; the limit is {limit}",
    "unknown_style": "unknown request style {style} (use one of {styles})",
    "text_model_with_input": "{model} makes images from text and takes no input image",
    "no_input": "an edit needs at least one input image",
    "too_many_inputs": "{model} takes at most {limit} input image(s), got {n}",
    "count_range": "count n={n} is outside 1–{max} for {model}",
    "seed_range": "seed {seed} is outside 0–{max}",
    "size_not_offered": "size {size} is not one of {sizes} for {model}",
    "size_sides": "size {width}x{height}: each side must be {min}–{max} px",
    "size_format": "size {text} is not of the form WIDTHxHEIGHT, e.g. 1024x1024",
    "size_pixels": "size {width}x{height} is {pixels} pixels; {model} takes {min} to {max} "
                   "pixels in total",
    "size_not_customizable": "{model} does not take a size; leave Size on Auto",
    # Characters that could drive a terminal or hide text (core/text_safety.py).
    "prompt_control_char": "the prompt contains a control character ({char} at position "
                           "{position}); remove it",
    "prompt_direction_char": "the prompt contains an invisible text-direction character "
                             "({char} at position {position}); remove it",
    "prompt_undecodable": "the prompt is not valid text (it holds undecodable bytes)",
    "negative_control_char": "the negative prompt contains a control character ({char} at "
                             "position {position}); remove it",
    "negative_direction_char": "the negative prompt contains an invisible text-direction "
                               "character ({char} at position {position}); remove it",
    "negative_undecodable": "the negative prompt is not valid text (it holds undecodable "
                            "bytes)",
}
# The problems about how many input images there are: a batch supplies its own inputs, so
# it skips these (by code, not by matching the English).
INPUT_COUNT_PROBLEMS = frozenset({"text_model_with_input", "no_input", "too_many_inputs"})
# What core reports back to the user that is not a problem (a connection test, where API
# keys are kept): code -> English, as above (ui/error_text.py repeats them).
STATUS_NOTES: dict[str, str] = {
    "connection_ok": "Connected to {host}; the key was accepted",
    "connection_ok_rate_limited": "Connected to {host}; the key was accepted (rate limited "
                                  "right now)",
    "keys_in_keyring": "Keys are stored in the system keyring.",
    "keys_in_file": "No system keyring was found: keys are stored in {path} (readable only "
                    "by you).",
    # Why an edit was not sent again (a resume): status SKIPPED.
    "already_in_output": "already in the output folder",
    "already_done": "already done",
    # Output-folder batches (core/editing/sinks.py FolderSink, core/output_claims.py).
    "duplicate_input": "the same edit as another input of this run",
    "claimed_elsewhere": "another qwen-studio run is editing it (process {pid})",
    "kept_saved": "saved from the result kept when the output folder could not take it",
    # CANCELLED: the output folder stopped taking results, so nothing more was sent.
    "output_unavailable": "not sent: the output folder cannot take results",
    # A batch edit not sent because of its budget (core/editing/budget.py): "skipped (over budget)".
    "over_budget": "over the budget: its {cost} would take the batch to {total}, over "
                   "{budget}",
    "no_price": "over the budget: no price per image is known for {model}, so its cost "
                "cannot be kept under {budget}",
    # FAILED after the service billed it (core/paid_results.py): the links are kept.
    "paid_not_downloaded": "Paid result not downloaded: {why} — Retry downloads it again "
                           "without a new charge",
    "paid_result_lost": "Paid result lost: {why} — Retry sends the edit again, at a new "
                        "charge",
    # FAILED at queue time: the history could not keep its copy of an input.
    "input_not_kept": "Could not keep a copy of {file}: {why}",
    # The `why` of a paid result lost because its kept link is too old.
    "link_expired": "its link has expired (billed over 24 hours ago)",
}
# What the user should know before a request is sent, without stopping it
# (EditRequest.notes()): code -> English, as above (ui/error_text.py repeats them).
REQUEST_NOTES: dict[str, str] = {
    "unknown_model": "{model} is not in Qwen Studio's model catalog: its limits are not "
                     "checked here, the service will judge the request",
    "option_not_taken": "{model} does not take {options}; the service may ignore it",
    "style_loses": "the {style} request style loses {options} on {gateway} relays; the "
                   "{better} style keeps them",
}
# Why a request got no answer (a transport failure): code -> English, as above. The client
# picks the code from the httpx exception (core/client_errors.py transport_reason); the CLI
# prints the English after the failure's headline ("Could not reach api.example.com: the
# host name could not be found"), ui/transport_reasons.py translates by code.
TRANSPORT_REASONS: dict[str, str] = {
    "connection_refused": "the service refused the connection (nothing answers at that "
                          "address and port)",
    "host_not_found": "the host name could not be found (check the address and your "
                      "connection)",
    "network_unreachable": "the network or the host cannot be reached from here",
    "tls_certificate": "the service's security certificate could not be verified",
    "tls_failed": "a secure (TLS) connection could not be set up",
    "connect_failed": "no connection could be opened (the service may be down or the "
                      "address wrong)",
    "connect_timeout": "the service did not accept the connection in time",
    "read_timeout": "no data arrived from the service in time",
    "write_timeout": "the request could not be sent in time",
    "pool_timeout": "no connection became free in time",
    "timed_out": "the service took too long",
    "closed_reading": "the answer stopped before it was complete",
    "closed_sending": "the request stopped before it was all sent",
    "close_failed": "the connection did not close cleanly",
    "protocol_broken": "the service broke off the answer or sent one that breaks the HTTP "
                       "rules",
    "protocol_error": "the service's answer breaks the HTTP rules",
    "local_protocol": "the request could not be sent in a form HTTP allows",
    "proxy_failed": "the proxy server refused or failed the connection",
    "unsupported_scheme": "the address must start with http:// or https://",
    "too_many_redirects": "the service redirected too many times",
    "decoding_failed": "the answer could not be decoded",
    "network_failed": "the network connection failed",
}
# Codes are unique across the five tables.
_REASON_TEXTS = {**INPUT_REASONS, **REQUEST_PROBLEMS, **STATUS_NOTES, **REQUEST_NOTES,
                 **TRANSPORT_REASONS}


class Reason(str):
    """Why an input file cannot be used, or why a request cannot run, in English: a str (it
    prints, joins and compares exactly as before) that also carries a stable `code` from
    INPUT_REASONS or REQUEST_PROBLEMS and the `params` it was formatted with, so the UI can
    say it in the user's language."""

    code: str
    params: dict[str, str]

    def __new__(cls, code: str, **params: object) -> Reason:
        texts = {k: str(v) for k, v in params.items()}
        self = super().__new__(cls, _REASON_TEXTS[code].format(**texts))
        self.code = code
        self.params = texts
        return self

    def __reduce__(self) -> tuple[object, tuple[str, dict[str, str]]]:
        return _make_reason, (self.code, self.params)  # pickle/copy keep the code


def _make_reason(code: str, params: dict[str, str]) -> Reason:
    return Reason(code, **params)


class InputImageError(QwenStudioError):
    """An input file that cannot be used; names the file and the reason.

    `reason` is a Reason when the pipeline made it (then `code`/`params` say which one), or
    a plain str from elsewhere (`code` is then "" and the text is shown as it is)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.code: str = getattr(reason, "code", "")
        self.params: dict[str, str] = dict(getattr(reason, "params", {}))


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
    """The service (or the way to it) failed. `retryable` drives the retry loop.

    `transport`: for a request that got no answer, why, as a TRANSPORT_REASONS Reason; the
    message then ends in its English (": the host name could not be found") instead of the
    transport's own words, which stay in `detail.provider_message` for the logs. (Not named
    `reason`: the library stores an error's `reason` as the edit's note, which would drop
    the headline that names the host.)"""

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
        transport: Reason | None = None,
    ) -> None:
        self.detail = detail or ErrorDetail()
        self.transport = transport
        msg = user_message or self.default_message
        tail = str(transport) if transport is not None else self.detail.provider_message
        if tail and tail not in msg:
            msg = f"{msg}: {tail}"
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


class NoteError(QwenStudioError):
    """A failure whose message is a status note: `reason` carries its code and parameters
    (stored in the library's reason column, put in words by the UI)."""

    def __init__(self, reason: Reason, *, hint: str = "") -> None:
        super().__init__(str(reason), hint=hint)
        self.reason = reason


# The reasons (STATUS_NOTES codes, the library's `reason` column) of a SKIPPED edit its
# budget stopped: not sent, so a resume with a larger budget runs it. Here, not in
# editing/batches.py, so the UI's status look can know them without loading the service
# (which pulls hashlib and secrets in before the first frame).
BUDGET_REASONS = frozenset({"over_budget", "no_price"})
