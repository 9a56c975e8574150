"""One line of print on the warped card, cleaned of the guilloche behind it.

The security print is a web of thin, light lines; glare lightens part of the card; the photo adds
noise and blur. Each field's region (CARD_LAYOUT, with a margin) is cropped from the grey card,
optionally enlarged, and divided by its own background (a morphological closing, blurred), so
paper is 1.0 wherever the light falls. Ink is then found by hysteresis: connected areas darker
than `hi` (three quarters of the way from the darkest ink to the paper) are kept when they hold a
pixel darker than `mid` (45 % of the way), so text, including the dots of Arabic letters, stays
whole and a guilloche stroke, never that dark, goes.

A card photographed small (270 to 680 px wide in a photo React Native fitted in 800 x 800) is
blurred by the enlargement to 1000 px: its text lines can be sharpened first (an unsharp mask
half a photo pixel wide) and seeded at 50 % of the way, so that the faint dots of ج ن ز ب stay.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from hawiya.identity.synthetic.card import HEIGHT, WIDTH, Region

Gray = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]
Image8 = npt.NDArray[np.uint8]

BLANK_INK = 0.65  # a region whose darkest pixels are lighter than this has no print


@dataclass(frozen=True, slots=True)
class Line:
    """A region's print: `level` is the background-normalised grey (paper 1.0, ink near 0),
    `mask` the ink, `scale` the enlargement over card pixels."""

    level: Gray
    mask: Mask
    scale: float
    ink: float  # darkness of the darkest ink (0.5th percentile of `level`)
    paper: float  # median of `level`

    @property
    def blank(self) -> bool:
        return not bool(self.mask.any())


def crop(
    card_gray: Image8, region: Region, *, margin: tuple[int, int] = (8, 8), scale: float = 1.0
) -> Gray:
    """A region of the grey card (HEIGHT x WIDTH) with a margin (horizontal, vertical),
    enlarged by `scale`."""
    x0, y0, x1, y1 = region.box
    mx, my = margin
    left, top = max(0, int(x0 * WIDTH) - mx), max(0, int(y0 * HEIGHT) - my)
    right, bottom = min(WIDTH, int(x1 * WIDTH) + mx), min(HEIGHT, int(y1 * HEIGHT) + my)
    part = card_gray[top:bottom, left:right].astype(np.float32)
    if scale == 1.0:
        return part
    bigger = cv2.resize(part, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return np.asarray(bigger, dtype=np.float32)


def normalise(gray: Gray, scale: float = 1.0) -> Gray:
    """Grey divided by its background: paper about 1.0 under any light, ink near 0."""
    size = int(15 * scale) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel)
    background = cv2.GaussianBlur(background, (0, 0), 3 * scale)
    return np.asarray(np.clip(gray / np.maximum(background, 1.0), 0.0, 1.2), dtype=np.float32)


def levels(level: Gray) -> tuple[float, float]:
    """The ink level (0.5th percentile) and the paper level (median), from a histogram."""
    hist = cv2.calcHist([level], [0], None, [240], [0.0, 1.2]).ravel()
    cumulative = np.cumsum(hist) / max(float(hist.sum()), 1.0)
    ink = int(np.searchsorted(cumulative, 0.005))
    paper = int(np.searchsorted(cumulative, 0.5))
    return (ink + 0.5) * 0.005, (paper + 0.5) * 0.005


def find_ink(level: Gray, scale: float = 1.0, *, reach: float = 0.75, seed: float = 0.45
             ) -> tuple[Mask, float, float]:  # fmt: skip
    """The ink of a normalised region by hysteresis, and the ink and paper levels. `reach`:
    how far towards the paper level ink extends (lower keeps touching glyphs apart); `seed`:
    how far towards the paper a component's darkest pixel may be for it to be ink (higher keeps
    the dots of letters that blur has lightened, in a card photographed small)."""
    ink, paper = levels(level)
    if ink > BLANK_INK or paper - ink < 0.2:
        return np.zeros(level.shape, dtype=bool), ink, paper
    hi = ink + reach * (paper - ink)
    mid = ink + min(seed, reach - 0.1) * (paper - ink)
    low = (level < hi).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(low, connectivity=8)
    seeded = np.bincount(labels[level < mid], minlength=count) > 0
    seeded[0] = False
    seeded &= stats[:, cv2.CC_STAT_AREA] >= 4 * scale * scale
    return np.asarray(seeded[labels], dtype=bool), ink, paper


def sharpened(gray: Gray, sigma: float) -> Gray:
    """An unsharp mask of radius `sigma` (pixels of `gray`) at full strength: the blur of a
    card photographed small and enlarged by the warp is partly undone, so that the dots of
    letters come apart from their strokes."""
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return np.asarray(np.clip(2 * gray - blurred, 0.0, 255.0), dtype=np.float32)


def read_region(
    card_gray: Image8,
    region: Region,
    *,
    scale: float = 1.0,
    margin: tuple[int, int] = (8, 8),
    reach: float = 0.75,
    seed: float = 0.45,
    sharpen: float = 0.0,
) -> Line:
    """A region's print (find_ink's `reach` and `seed`). `sharpen`: the radius, in card
    pixels, of an unsharp mask applied first (0: none)."""
    part = crop(card_gray, region, margin=margin, scale=scale)
    if sharpen > 0:
        part = sharpened(part, sharpen * scale)
    level = normalise(part, scale)
    mask, ink, paper = find_ink(level, scale, reach=reach, seed=seed)
    return Line(level, mask, scale, ink, paper)


def for_tesseract(line: Line, *, erase: Mask | None = None, pad: int = 12) -> Image8 | None:
    """The line as Tesseract reads best: ink in its own grey levels, everything else white,
    cropped to the ink and padded. `erase` removes ink already read (a number). None: blank."""
    mask = line.mask if erase is None else line.mask & ~erase
    if not mask.any():
        return None
    hi = line.ink + 0.75 * (line.paper - line.ink)
    stretched = np.clip((line.level - line.ink) / max(hi - line.ink, 1e-3), 0.0, 1.0)
    image = np.where(mask, stretched * 255, 255).astype(np.uint8)
    ys, xs = np.nonzero(mask)
    image = image[max(0, ys.min() - 2) : ys.max() + 3, max(0, xs.min() - 2) : xs.max() + 3]
    bordered = np.full((image.shape[0] + 2 * pad, image.shape[1] + 2 * pad), 255, np.uint8)
    bordered[pad:-pad, pad:-pad] = image
    return bordered
