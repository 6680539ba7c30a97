"""What the service's answers and results must be: a 2xx body parsed within limits into a
GenerationResult, an inline result decoded from base64, and a result that decodes as an
image (checked in a worker thread: a broken download is retried, not reported done).
"""

from __future__ import annotations

import base64
import binascii
import io

from qwen_studio.core.api_errors import MalformedResponseError, text_of_non_json
from qwen_studio.core.errors import ApiError, BadResponseError, ErrorDetail, ResultDownloadError
from qwen_studio.core.safe_json import JsonLimitError, loads_bounded
from qwen_studio.core.styles import GenerationResult, RequestStyle

# A JSON answer (inline base64 images included) is refused past this, on the wire and
# expanded: 16 edits in flight may hold ~3 copies of each while decoding (~1.5 GB at most).
MAX_ANSWER_BYTES = 32 * 2**20
MAX_RESULT_IMAGES = 6  # n is 1-6 for every model (api-contract); more is a hostile answer


def decode_problem(data: bytes) -> str | None:
    """None when Pillow decodes `data` fully, else why not. Runs in a worker thread."""
    from PIL import Image

    from qwen_studio.core.png_check import pixels_decode

    try:
        with Image.open(io.BytesIO(data)) as im:
            if not pixels_decode(im, data):  # a common PNG's rows checked, not built
                im.load()
    except Image.DecompressionBombError:
        return "the image is too large to decode safely"
    except Exception as exc:  # Pillow raises many types for garbage; all mean "not an image"
        return f"{len(data)} bytes that do not decode as an image ({type(exc).__name__})"
    return None


def decode_inline(text: str, max_bytes: int) -> bytes:
    """An inline result's bytes (base64, or a data: URI), refused past `max_bytes`."""
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BadResponseError("The inline result image is not valid base64") from None
    if not data:
        raise BadResponseError("The inline result image is empty")
    if len(data) > max_bytes:
        raise ResultDownloadError(f"The result is larger than {max_bytes / 2**20:g} MB")
    return data


def parse_answer(style: RequestStyle, status: int, body: bytes,
                 cap: int = MAX_ANSWER_BYTES) -> GenerationResult:
    """A 2xx answer's body as a GenerationResult, or an ApiError: never anything else.

    The JSON is parsed within size and depth limits before the style sees it, and a
    style meeting a shape it does not expect (a list where a dict belongs) is a
    BadResponseError, not an "unexpected error"."""
    try:
        decoded = loads_bounded(body, max_bytes=cap)
    except JsonLimitError as exc:
        raise BadResponseError(f"The service sent an answer that cannot be read "
                               f"safely ({exc})") from None
    except ValueError:  # UnicodeDecodeError included
        raise MalformedResponseError(
            f"The service sent a response that is not JSON (HTTP {status})",
            detail=ErrorDetail(status=status, provider_message=_preview(body)),
        ) from None
    try:
        result = style.parse_success(decoded)
    except ApiError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError,
            RecursionError) as exc:
        raise BadResponseError(f"The service sent an answer in an unexpected shape "
                               f"({type(exc).__name__})") from None
    if len(result.images) > MAX_RESULT_IMAGES:  # each would be downloaded, all at once
        raise BadResponseError(f"The answer names {len(result.images)} result images; at "
                               f"most {MAX_RESULT_IMAGES} are accepted")
    return result


def _preview(body: bytes) -> str:
    return text_of_non_json(body) if body.strip() else "empty body"
