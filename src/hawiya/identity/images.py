"""Images as the SDKs send them (spec §1.10, vlens-clients.md §1): base64 JPEG or PNG in JSON.

Checklist RES-2: strict base64 (an explicitly parsed `data:image/...;base64,` prefix is allowed,
and line breaks, which some encoders insert every 76 characters, are dropped first); JPEG or PNG by
magic bytes, whatever a prefix claims; dimensions read from the header before any pixel is
decoded; Pillow's decompression-bomb warning is an error; a truncated file is refused. What is
kept is re-encoded from the pixels, so EXIF, GPS and any trailing bytes (polyglots) are gone.

Refusals carry the spec's codes: 5002 over 5 MB decoded, 5003 over 25 million pixels, 5001 for
anything that is not a well-formed JPEG or PNG of a usable size.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024  # 5002 (spec §1.10)
MAX_PIXELS = 25_000_000  # 5003 (spec §1.10)
MIN_WIDTH, MIN_HEIGHT = 320, 240  # RES-2: smaller than a usable capture
MAX_SIDE = 12_000  # no phone camera makes a wider frame; bounds the decoder's memory
# Base64 of MAX_BYTES is 4/3 longer; refuse before decoding anything larger.
MAX_BASE64_CHARS = (MAX_BYTES + 2) // 3 * 4

_DATA_URL = re.compile(r"^data:image/(jpeg|jpg|png);base64,", re.IGNORECASE)
_LINE_BREAKS = str.maketrans("", "", "\r\n")
_FORMATS = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}

# Pillow's own bomb guard warns above this and raises at twice it; make it raise at the limit.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageRejected(ValueError):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __reduce__(self) -> tuple[type[ImageRejected], tuple[int, str]]:
        # Raised in image worker processes and re-raised here: both arguments must travel.
        return (ImageRejected, (self.code, self.reason))


@dataclass(frozen=True, slots=True)
class DecodedImage:
    image: Image.Image  # RGB pixels, orientation applied
    format: str  # "JPEG" | "PNG" as received
    width: int
    height: int
    received_bytes: int


def decode_base64(text: str) -> bytes:
    """The bytes of a bare base64 string or a data URL; ImageRejected(5001 / 5002) otherwise."""
    if not isinstance(text, str) or not text:
        raise ImageRejected(5001, "empty")
    value = _DATA_URL.sub("", text.strip(), count=1).translate(_LINE_BREAKS)
    if len(value) > MAX_BASE64_CHARS + 2:
        raise ImageRejected(5002, "over 5 MB")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ImageRejected(5001, "not base64") from None
    if len(data) > MAX_BYTES:
        raise ImageRejected(5002, "over 5 MB")
    return data


def sniff(data: bytes) -> str:
    for magic, name in _FORMATS.items():
        if data.startswith(magic):
            return name
    raise ImageRejected(5001, "not a JPEG or PNG")


_LOADING = threading.Lock()


@contextmanager
def _strict_loading() -> Iterator[None]:
    """Pillow's LOAD_TRUNCATED_IMAGES is a process-wide flag, and WeasyPrint sets it to True when
    it is imported (weasyprint/images.py): a truncated upload would then load padded with grey.
    Loading runs with the flag off, whoever set it, and puts it back afterwards."""
    with _LOADING:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def picture(text: str) -> bytes:
    """A base64 (or data URL) JPEG or PNG from a request field: decoded strictly and checked by
    its magic bytes, so the step can name the field at fault. ImageRejected otherwise."""
    data = decode_base64(text)
    sniff(data)
    return data


def open_image(data: bytes) -> DecodedImage:
    """Decode bytes already known to be at most MAX_BYTES into RGB pixels."""
    kind = sniff(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as probe:
                width, height = probe.size  # from the header: nothing decoded yet
                if width * height > MAX_PIXELS:
                    raise ImageRejected(5003, "over 25 million pixels")
                if max(width, height) > MAX_SIDE:
                    raise ImageRejected(5003, "side too long")
                # Either orientation: 320 on the long side and 240 on the short one.
                if max(width, height) < MIN_WIDTH or min(width, height) < MIN_HEIGHT:
                    raise ImageRejected(5001, "too small")
                with _strict_loading():
                    probe.load()  # a truncated file raises here
                upright = ImageOps.exif_transpose(probe)
                pixels = upright.convert("RGB")
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(5003, "decompression bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRejected(5001, "not a well-formed image") from None
    return DecodedImage(pixels, kind, pixels.width, pixels.height, len(data))


def decode_image(text: str) -> DecodedImage:
    """The whole path from a JSON string to pixels (RES-2)."""
    return open_image(decode_base64(text))


def reencode(image: Image.Image, *, quality: int = 90) -> bytes:
    """JPEG from pixels only: no EXIF, GPS, ICC, comments or trailing bytes survive."""
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()
