"""The national-ID card reader: front and back from a phone photo (spec §2.5, §6.1, §4.4).

- `finder`: the card's outline in the photo, warped onto the canonical 1000 x 630 card so that
  `synthetic.card.CARD_LAYOUT` (the one description of where fields sit) applies; upside-down
  cards are turned from their content; no card is CardNotDetected (3011).
- `lines`: a field's region cleaned of the guilloche and of uneven light.
- `glyphs`, `digits`: Eastern-Arabic digits (ID number, dates, street numbers) and the Latin
  card key, read glyph by glyph by a classifier trained at first use from glyphs rendered with
  the card fonts (Tesseract cannot read these lines; docs/identity.md).
- `tesseract`, `text`: Arabic words through Tesseract (`ara`), cleaned, and closed
  vocabularies (governorate, gender, religion, marital status) snapped to known values.
- `reader`: `read_front`, `read_back`, `cross_check` (3101), `with_face_check` (3014).

Every function is synchronous and CPU-bound; the caller runs it in the identity work pool, whose
initialiser may call `warm_up(data_dir)` (about 3 s the first time: the classifiers are trained,
and cached under `data_dir` when one is given). Importing this package loads no model.
"""

from __future__ import annotations

from hawiya.identity.ocr.errors import CardNotDetected, OcrError
from hawiya.identity.ocr.reader import (
    BackResult,
    FrontResult,
    ValidationIssue,
    cross_check,
    read_back,
    read_front,
    warm_up,
    with_face_check,
)

__all__ = [
    "BackResult",
    "CardNotDetected",
    "FrontResult",
    "OcrError",
    "ValidationIssue",
    "cross_check",
    "read_back",
    "read_front",
    "warm_up",
    "with_face_check",
]
