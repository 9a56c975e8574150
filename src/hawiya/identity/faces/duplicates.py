"""Are two liveness frames the same picture? Identical bytes, identical pixels, or a near copy:
the same photo re-encoded, resized or mirrored (spec §1.10: "identical frames are detected and
rejected").

A near copy needs both of:
- a perceptual hash (64-bit DCT hash of the 32 × 32 grey picture) within `phash_bits` bits;
- the grey 64 × 64 thumbnails differing by at most `pixel_p99` levels at the 99th percentile of
  pixels (so a frame where only the eyes changed, as in a blink, is not a copy: its eye pixels
  are in that top percentile).

Two real frames half a second apart differ in far more than that: the hand moves, the head
moves. What these checks do not catch (a copy shifted, scaled, cropped or with added noise: in
the BIO-2 set, copies shifted by up to 6 pixels and scaled by 1-3 % differed by 26 to 35 grey
levels at the 99th percentile) is left to the movement check in `liveness`, which sees one
unchanged face whatever the pixels: its measures do not change, and once the frames are aligned
on the face its eyes and mouth are the same picture (`landmarks.appearance_change`). Aligning
the whole frames here instead would take a still person's blink, a few pixels of a thumbnail,
for a copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

THUMB = 64
HASH_SIDE = 32
WORK_SIDE = 256  # frames are scaled to this long side first: a 12-megapixel frame costs no more


@dataclass(frozen=True, slots=True, eq=False)
class Signature:
    sha256: str | None  # of the received bytes, when the caller passed them
    image: Image.Image  # the decoded frame, compared pixel by pixel only when thumbnails agree
    phash: int
    phash_mirrored: int
    thumb: npt.NDArray[np.float32]  # grey, THUMB × THUMB
    aspect: float


@dataclass(frozen=True, slots=True)
class Comparison:
    kind: str | None  # "identical_bytes" | "identical_pixels" | "near_copy" | "mirrored_copy"
    phash_bits: int
    pixel_p99: float
    mirrored_phash_bits: int
    mirrored_pixel_p99: float

    def as_dict(self) -> dict[str, object]:
        return {
            "duplicate": self.kind,
            "phash_bits": self.phash_bits,
            "pixel_p99": round(self.pixel_p99, 2),
            "mirrored_phash_bits": self.mirrored_phash_bits,
            "mirrored_pixel_p99": round(self.mirrored_pixel_p99, 2),
        }


def _phash(grey: npt.NDArray[np.float32]) -> int:
    small = cv2.resize(grey, (HASH_SIDE, HASH_SIDE), interpolation=cv2.INTER_AREA)
    low = cv2.dct(small)[:8, :8].flatten()
    bits = low > np.median(low[1:])  # the DC term would dominate the median
    return int("".join("1" if b else "0" for b in bits), 2)


def signature(image: Image.Image, raw: bytes | None = None) -> Signature:
    factor = WORK_SIDE / max(image.size)
    work = image.convert("RGB")
    if factor < 1:
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        work = work.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    rgb = np.asarray(work, dtype=np.uint8)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    thumb = np.asarray(
        cv2.resize(grey, (THUMB, THUMB), interpolation=cv2.INTER_AREA), dtype=np.float32
    )
    return Signature(
        sha256=hashlib.sha256(raw).hexdigest() if raw is not None else None,
        image=image,
        phash=_phash(grey),
        phash_mirrored=_phash(np.ascontiguousarray(grey[:, ::-1])),
        thumb=thumb,
        aspect=image.width / image.height,
    )


def _p99(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    return float(np.percentile(np.abs(a - b), 99))


def _same_pixels(a: Image.Image, b: Image.Image) -> bool:
    if a.size != b.size:
        return False
    return bool(np.array_equal(np.asarray(a.convert("RGB")), np.asarray(b.convert("RGB"))))


def compare(a: Signature, b: Signature, *, phash_bits: int, pixel_p99: float) -> Comparison:
    bits = (a.phash ^ b.phash).bit_count()
    mirrored_bits = (a.phash ^ b.phash_mirrored).bit_count()
    same_shape = abs(a.aspect - b.aspect) <= 0.02 * max(a.aspect, b.aspect)
    p99 = _p99(a.thumb, b.thumb) if same_shape else 255.0
    mirrored_p99 = _p99(a.thumb, np.ascontiguousarray(b.thumb[:, ::-1])) if same_shape else 255.0
    kind: str | None = None
    if a.sha256 is not None and a.sha256 == b.sha256:
        kind = "identical_bytes"
    elif p99 == 0.0 and _same_pixels(a.image, b.image):
        kind = "identical_pixels"
    elif bits <= phash_bits and p99 <= pixel_p99:
        kind = "near_copy"
    elif mirrored_bits <= phash_bits and mirrored_p99 <= pixel_p99:
        kind = "mirrored_copy"
    return Comparison(kind, bits, p99, mirrored_bits, mirrored_p99)
