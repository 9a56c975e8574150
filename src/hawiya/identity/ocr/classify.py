"""Which document a photo shows (spec §2.5 row 11, `/v1/ocr/classification`).

Three measures on the card finder's best outline decide, each with a wide margin on the
project's synthetic photos (docs/identity.md): the outline is card-like (its line score, and the
ratio of its sides near the ID-1 card's 1.586 under perspective); the back has a barcode, whose
vertical bars make horizontal contrast several times the vertical contrast in the barcode area
(about 5-16 on backs, about 1 elsewhere); a front's print matches the front layout (name,
address and number lines, photo box, header). Anything else is "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from hawiya.identity.ocr.errors import CardNotDetected
from hawiya.identity.ocr.finder import (
    BACK_BARCODE_BOX,
    Image8,
    find_corners,
    upright_score,
    warp,
)

NATIONAL_ID = "national_id"
UNKNOWN = "unknown"

MIN_OUTLINE = 1.1  # find_corners' score: cards 1.3-1.7, a face photo's best rectangle about 0.9
ASPECT_RANGE = (1.3, 1.95)  # long over short side of the outline in the photo
MIN_BARS = 3.0  # horizontal / vertical contrast in the barcode area
MIN_FRONT_LAYOUT = 0.7  # upright_score(front): fronts 0.85-1.0, a face photo 0.4-0.5


@dataclass(frozen=True, slots=True)
class DocumentClass:
    doc_type: str  # "national_id" or "unknown"
    side: str | None  # "front" or "back" for a national ID


def _bars(card: Image8) -> float:
    gray = cv2.cvtColor(card, cv2.COLOR_RGB2GRAY).astype(np.float32)
    height, width = gray.shape
    x0, y0, x1, y1 = BACK_BARCODE_BOX
    part = gray[int(y0 * height) : int(y1 * height), int(x0 * width) : int(x1 * width)]
    across = float(np.abs(np.diff(part, axis=1)).mean())
    down = float(np.abs(np.diff(part, axis=0)).mean())
    return across / (down + 1e-3)


def classify(photo: Image8) -> DocumentClass:
    if photo.ndim != 3 or photo.shape[2] != 3 or min(photo.shape[:2]) < 32:
        return DocumentClass(UNKNOWN, None)
    try:
        quad, outline = find_corners(photo)
    except CardNotDetected:
        return DocumentClass(UNKNOWN, None)
    sides = np.linalg.norm(np.roll(quad, -1, 0) - quad, axis=1)
    aspect = float((sides[0] + sides[2]) / max(float(sides[1] + sides[3]), 1e-6))
    if outline < MIN_OUTLINE or not ASPECT_RANGE[0] <= aspect <= ASPECT_RANGE[1]:
        return DocumentClass(UNKNOWN, None)
    card = warp(photo, quad)
    turned = np.ascontiguousarray(card[::-1, ::-1])
    if max(_bars(card), _bars(turned)) >= MIN_BARS:
        return DocumentClass(NATIONAL_ID, "back")
    if max(upright_score(card, "front"), upright_score(turned, "front")) >= MIN_FRONT_LAYOUT:
        return DocumentClass(NATIONAL_ID, "front")
    return DocumentClass(UNKNOWN, None)
