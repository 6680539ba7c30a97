"""Service errors and input-file reasons in the window's language.

core/ stays Qt-free and English (the CLI and logs use its texts). Here each error class's
standard message and hint are marked for translation; a message that starts with the
standard text keeps its English tail (the HTTP status, the provider's own words) verbatim,
since the provider's message is the one thing we must not reword.

Input files and requests: core gives each reason a stable code and its parameters
(core.errors.Reason); `input_reason` and `request_problem` translate by code and fill the
parameters in, and keep a text without a code as it is. Parameters that are the OS's,
Qt's or Pillow's own words stay English, like the provider's.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from qwen_studio.core import errors
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP
from qwen_studio.ui.punctuation import colon, headline_rest

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


# Reason code -> its English text, exactly as core.errors.INPUT_REASONS has it (lupdate needs
# the literals here; tests/test_i18n_reasons.py checks the two dicts agree).
_REASONS: dict[str, str] = {
    "file_missing": QT_TRANSLATE_NOOP("InputReasons", "the file does not exist"),
    "is_folder": QT_TRANSLATE_NOOP("InputReasons", "this is a folder, not an image file"),
    "permission_denied": QT_TRANSLATE_NOOP("InputReasons",
                                           "the file cannot be read (permission denied)"),
    "unreadable": QT_TRANSLATE_NOOP("InputReasons", "the file cannot be read ({detail})"),
    "empty_file": QT_TRANSLATE_NOOP("InputReasons", "the file is empty (0 bytes)"),
    "empty_data": QT_TRANSLATE_NOOP("InputReasons", "the image data is empty (0 bytes)"),
    "out_of_memory": QT_TRANSLATE_NOOP("InputReasons",
                                       "there is not enough memory to read this image"),
    "too_many_pixels": QT_TRANSLATE_NOOP(
        "InputReasons", "the image is too large: {size} pixels ({megapixels} megapixels); "
                        "the limit is {limit} megapixels"),
    "bomb": QT_TRANSLATE_NOOP(
        "InputReasons", "the image is too large; the limit is {limit} megapixels "
                        "(files this big are refused as possible decompression bombs)"),
    "bomb_pixels": QT_TRANSLATE_NOOP(
        "InputReasons", "the image is too large ({megapixels} megapixels); the limit is "
                        "{limit} megapixels "
                        "(files this big are refused as possible decompression bombs)"),
    "unsupported_format": QT_TRANSLATE_NOOP(
        "InputReasons", "unsupported image format ({format}); use JPG, PNG, WebP, BMP, TIFF "
                        "or GIF"),
    "text_file": QT_TRANSLATE_NOOP("InputReasons",
                                   "this is not an image (the file contains text)"),
    "not_image": QT_TRANSLATE_NOOP(
        "InputReasons", "this is not an image, or it is damaged beyond reading "
                        "(expected JPG, PNG, WebP, BMP, TIFF or GIF)"),
    "damaged_open": QT_TRANSLATE_NOOP("InputReasons",
                                      "the image is damaged and cannot be read ({detail})"),
    "damaged": QT_TRANSLATE_NOOP("InputReasons",
                                 "the image is damaged and cannot be decoded ({detail})"),
    "truncated": QT_TRANSLATE_NOOP(
        "InputReasons", "the file is incomplete (truncated); it may not have finished "
                        "downloading or copying"),
    "aspect_ratio": QT_TRANSLATE_NOOP(
        "InputReasons", "the aspect ratio is too extreme ({size}, about {ratio}:1); the "
                        "service needs each side between {min_side} and {max_side} px, so "
                        "at most {max_ratio}:1"),
    "too_large_to_send": QT_TRANSLATE_NOOP(
        "InputReasons", "the image cannot be made small enough: even at {size} it needs "
                        "{megabytes} MB as a data URI; the limit is {limit} MB"),
    "not_image_type": QT_TRANSLATE_NOOP("InputReasons", "not an image file type ({ext})"),
    "no_extension": QT_TRANSLATE_NOOP("InputReasons", "not an image file type (no extension)"),
    "folder_unreadable": QT_TRANSLATE_NOOP("InputReasons", "folder cannot be read ({detail})"),
    # Region edits.
    "region_needs_file": QT_TRANSLATE_NOOP(
        "InputReasons",
        "a region edit needs the original as a local file (it is composited at "
        "full resolution); download it first"),
    "region_too_large": QT_TRANSLATE_NOOP(
        "InputReasons",
        "the image is too large for a region edit ({size})"),
    "region_mode": QT_TRANSLATE_NOOP(
        "InputReasons",
        "a region edit keeps the other pixels exactly, which a PNG cannot do for "
        "a {mode} image; convert it to RGB first"),
    "region_outside": QT_TRANSLATE_NOOP(
        "InputReasons",
        "the region {rect} lies outside the {size} image"),
    "region_empty": QT_TRANSLATE_NOOP(
        "InputReasons",
        "the region marks no pixel of the image"),
    "mask_unreadable": QT_TRANSLATE_NOOP(
        "InputReasons",
        "the mask cannot be read ({detail})"),
    "mask_missing": QT_TRANSLATE_NOOP(
        "InputReasons",
        "the region's mask ({region}) was not found"),
    "mask_mismatch": QT_TRANSLATE_NOOP(
        "InputReasons",
        "this is not the edit's mask ({region}): its content differs"),
    "result_unreadable": QT_TRANSLATE_NOOP(
        "InputReasons",
        "the result is not a readable image ({detail})"),
}

# Why a request cannot run yet: code -> English, exactly as core.errors.REQUEST_PROBLEMS.
_PROBLEMS: dict[str, str] = {
    "prompt_empty": QT_TRANSLATE_NOOP("RequestProblems", "the prompt is empty"),
    "prompt_too_long": QT_TRANSLATE_NOOP("RequestProblems",
                                         "the prompt has {n} characters; the limit is {limit}"),
    "negative_too_long": QT_TRANSLATE_NOOP(
        "RequestProblems", "the negative prompt has {n} characters; the limit is {limit}"),
    "unknown_style": QT_TRANSLATE_NOOP("RequestProblems",
                                       "unknown request style {style} (use one of {styles})"),
    "text_model_with_input": QT_TRANSLATE_NOOP(
        "RequestProblems", "{model} makes images from text and takes no input image"),
    "no_input": QT_TRANSLATE_NOOP("RequestProblems", "an edit needs at least one input image"),
    "too_many_inputs": QT_TRANSLATE_NOOP(
        "RequestProblems", "{model} takes at most {limit} input image(s), got {n}"),
    "count_range": QT_TRANSLATE_NOOP("RequestProblems",
                                     "count n={n} is outside 1–{max} for {model}"),
    "seed_range": QT_TRANSLATE_NOOP("RequestProblems", "seed {seed} is outside 0–{max}"),
    "size_not_offered": QT_TRANSLATE_NOOP("RequestProblems",
                                          "size {size} is not one of {sizes} for {model}"),
    "size_sides": QT_TRANSLATE_NOOP("RequestProblems",
                                    "size {width}x{height}: each side must be {min}–{max} px"),
    "size_format": QT_TRANSLATE_NOOP(
        "RequestProblems", "size {text} is not of the form WIDTHxHEIGHT, e.g. 1024x1024"),
    "size_pixels": QT_TRANSLATE_NOOP(
        "RequestProblems",
        "size {width}x{height} is {pixels} pixels; {model} takes {min} to {max} pixels in total"),
    "size_not_customizable": QT_TRANSLATE_NOOP(
        "RequestProblems", "{model} does not take a size; leave Size on Auto"),
    "prompt_control_char": QT_TRANSLATE_NOOP(
        "RequestProblems",
        "the prompt contains a control character ({char} at position {position}); remove it"),
    "prompt_direction_char": QT_TRANSLATE_NOOP(
        "RequestProblems", "the prompt contains an invisible text-direction character "
                           "({char} at position {position}); remove it"),
    "prompt_undecodable": QT_TRANSLATE_NOOP(
        "RequestProblems", "the prompt is not valid text (it holds undecodable bytes)"),
    "negative_control_char": QT_TRANSLATE_NOOP(
        "RequestProblems", "the negative prompt contains a control character ({char} at "
                           "position {position}); remove it"),
    "negative_direction_char": QT_TRANSLATE_NOOP(
        "RequestProblems", "the negative prompt contains an invisible text-direction "
                           "character ({char} at position {position}); remove it"),
    "negative_undecodable": QT_TRANSLATE_NOOP(
        "RequestProblems", "the negative prompt is not valid text (it holds undecodable bytes)"),
}

# What to know before sending, without stopping it: code -> English, exactly as
# core.errors.REQUEST_NOTES.
_REQUEST_NOTES: dict[str, str] = {
    "unknown_model": QT_TRANSLATE_NOOP(
        "RequestNotes", "{model} is not in Qwen Studio's model catalog: its limits are not "
                        "checked here, the service will judge the request"),
    "option_not_taken": QT_TRANSLATE_NOOP(
        "RequestNotes", "{model} does not take {options}; the service may ignore it"),
    "style_loses": QT_TRANSLATE_NOOP(
        "RequestNotes", "the {style} request style loses {options} on {gateway} relays; the "
                        "{better} style keeps them"),
}

# Notes core reports back (connection test, key storage): code -> English, exactly as
# core.errors.STATUS_NOTES.
_NOTES: dict[str, str] = {
    "connection_ok": QT_TRANSLATE_NOOP("StatusNotes", "Connected to {host}; the key was accepted"),
    "connection_ok_rate_limited": QT_TRANSLATE_NOOP(
        "StatusNotes", "Connected to {host}; the key was accepted (rate limited right now)"),
    "keys_in_keyring": QT_TRANSLATE_NOOP("StatusNotes", "Keys are stored in the system keyring."),
    "keys_in_file": QT_TRANSLATE_NOOP(
        "StatusNotes",
        "No system keyring was found: keys are stored in {path} (readable only by you)."),
    "already_in_output": QT_TRANSLATE_NOOP("StatusNotes", "already in the output folder"),
    "already_done": QT_TRANSLATE_NOOP("StatusNotes", "already done"),
    "duplicate_input": QT_TRANSLATE_NOOP("StatusNotes",
                                         "the same edit as another input of this run"),
    "claimed_elsewhere": QT_TRANSLATE_NOOP(
        "StatusNotes", "another qwen-studio run is editing it (process {pid})"),
    "kept_saved": QT_TRANSLATE_NOOP(
        "StatusNotes", "saved from the result kept when the output folder could not take it"),
    "output_unavailable": QT_TRANSLATE_NOOP(
        "StatusNotes", "not sent: the output folder cannot take results"),
    "over_budget": QT_TRANSLATE_NOOP(
        "StatusNotes", "over the budget: its {cost} would take the batch to {total}, over "
                       "{budget}"),
    "no_price": QT_TRANSLATE_NOOP(
        "StatusNotes", "over the budget: no price per image is known for {model}, so its "
                       "cost cannot be kept under {budget}"),
    "paid_not_downloaded": QT_TRANSLATE_NOOP(
        "StatusNotes", "Paid result not downloaded: {why} — Retry downloads it again "
                       "without a new charge"),
    "paid_result_lost": QT_TRANSLATE_NOOP(
        "StatusNotes", "Paid result lost: {why} — Retry sends the edit again, at a new "
                       "charge"),
    "input_not_kept": QT_TRANSLATE_NOOP("StatusNotes", "Could not keep a copy of {file}: {why}"),
}


# The client's headlines for a request that got no answer (core/client_errors.py
# transport_error), as patterns: the host stays verbatim; the reason after them is translated
# by its code (ui/transport_reasons.py), any other tail stays verbatim.
_HOST_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"The connection to (?P<what>\S+) was interrupted",
     QT_TRANSLATE_NOOP("ServiceErrors", "The connection to {what} was interrupted")),
    (r"Could not reach (?P<what>\S+) \(connection timed out\)",
     QT_TRANSLATE_NOOP("ServiceErrors", "Could not reach {what} (connection timed out)")),
    (r"Could not reach (?P<what>\S+)",
     QT_TRANSLATE_NOOP("ServiceErrors", "Could not reach {what}")),
    (r"No answer from (?P<what>\S+) within (?P<s>[0-9.]+) s",
     QT_TRANSLATE_NOOP("ServiceErrors", "No answer from {what} within {s} s")),
    (r"Cannot send this request to (?P<what>\S+)",
     QT_TRANSLATE_NOOP("ServiceErrors", "Cannot send this request to {what}")),
    (r"The result download failed",
     QT_TRANSLATE_NOOP("ServiceErrors", "The result download failed")),
)


def _host_message(text: str) -> str | None:
    import re

    for pattern, source in _HOST_MESSAGES:
        m = re.match(pattern + r"(?=: |$)", text)
        if m is not None:
            head = QCoreApplication.translate(_CTX, source).format(**m.groupdict())
            return headline_rest(head, text[m.end():])
    return None


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text) if text else text


def _translated(context: str, table: dict[str, str], reason: str) -> str:
    """`reason` in the window's language when it is a core Reason with a code from `table`;
    any other text as it is."""
    source = table.get(getattr(reason, "code", ""))
    if source is None:
        return str(reason)
    try:
        return QCoreApplication.translate(context, source).format(
            **getattr(reason, "params", {}))
    except (KeyError, IndexError, ValueError):
        return str(reason)  # a broken translation must not hide the reason


def input_reason(reason: str) -> str:
    """Why an input file cannot be used, in the window's language (a core Reason is
    translated by its code; any other text is returned as it is)."""
    return _translated("InputReasons", _REASONS, reason)


def request_problem(problem: str) -> str:
    """One of EditRequest.problems() (or a size that does not parse), in the window's
    language; text without a code is returned as it is."""
    return _translated("RequestProblems", _PROBLEMS, problem)


def request_problems(problems: list[str]) -> str:
    """All of a request's problems as one clause for "Can't run yet: …", in the window's
    language, the first letter capitalised (English)."""
    sep = QCoreApplication.translate("RequestProblems", "; ", "between problems")
    text = sep.join(request_problem(p) for p in problems)
    return text[:1].upper() + text[1:]


def status_note(note: str) -> str:
    """A note from core (connection test result, where keys are kept) in the window's
    language; text without a code is returned as it is."""
    return _translated("StatusNotes", _NOTES, note)


def request_note(note: str) -> str:
    """One of EditRequest.notes() in the window's language."""
    return _translated("RequestNotes", _REQUEST_NOTES, note)


def input_problem(name: str, reason: str) -> str:
    """"file: reason" for the drop zone and banners, in the window's language."""
    return QCoreApplication.translate("InputReasons", "{file}: {reason}").format(
        file=name, reason=input_reason(reason))


def error_message(exc: BaseException) -> str:
    """The error's message with its standard part translated."""
    if isinstance(exc, errors.InputImageError):
        return input_problem(exc.path, exc.reason)
    if isinstance(exc, errors.NoteError):
        return status_note(exc.reason)
    text = exc.user_message if isinstance(exc, errors.QwenStudioError) else str(exc)
    # A request that got no answer: "<headline>: <reason>", the reason by its code.
    transport = exc.transport if isinstance(exc, errors.ApiError) else None
    if transport is not None and text.endswith(f": {transport}"):
        from qwen_studio.ui.transport_reasons import transport_reason_text

        head = _headline(exc, text[:-len(transport) - 2])
        return colon(head, transport_reason_text(transport))
    return _headline(exc, text)


def _headline(exc: BaseException, text: str) -> str:
    """`text` with its standard part (or a host-naming headline) translated."""
    for cls in type(exc).__mro__:
        standard = _TEXTS.get(cls)  # type: ignore[call-overload]
        if standard and text.startswith(standard[0]):
            return headline_rest(_tr(standard[0]), text[len(standard[0]):])
    if isinstance(exc, errors.ConnectionFailed | errors.RequestTimeout
                  | errors.ResultDownloadError):
        return _host_message(text) or text
    return text


# A paid result's note on a banner: what happened, then the next step as the hint (core's
# English hint, core/editing/paid.py, translatable here); the whole note said it twice.
_PAID_BANNERS: dict[str, tuple[str, str]] = {
    "paid_not_downloaded": (
        QT_TRANSLATE_NOOP("StatusNotes", "Paid result not downloaded: {why}"),
        QT_TRANSLATE_NOOP("StatusNotes", "It was paid for and its link is kept: Retry "
                                         "downloads it; nothing is sent or charged again.")),
    "paid_result_lost": (
        QT_TRANSLATE_NOOP("StatusNotes", "Paid result lost: {why}"),
        QT_TRANSLATE_NOOP("StatusNotes", "Retry sends the edit again; that is charged again.")),
}


def _paid_banner(exc: BaseException) -> tuple[str, str] | None:
    ok = isinstance(exc, errors.NoteError)
    return _PAID_BANNERS.get(getattr(exc.reason, "code", "")) if ok else None


def banner_message(exc: BaseException) -> str:
    """error_message, but a paid result's note without the next step (its hint says it)."""
    paid = _paid_banner(exc)
    if paid is None or not isinstance(exc, errors.NoteError):
        return error_message(exc)
    return _translated("StatusNotes", {exc.reason.code: paid[0]}, exc.reason)


def error_hint(exc: BaseException) -> str:
    """The hint, translated when it is the class's standard one."""
    paid = _paid_banner(exc)
    if paid is not None:
        return QCoreApplication.translate("StatusNotes", paid[1])
    hint = getattr(exc, "hint", "") or ""
    for cls in type(exc).__mro__:
        standard = _TEXTS.get(cls)  # type: ignore[call-overload]
        if standard and hint == standard[1]:
            return _tr(standard[1])
    return hint
