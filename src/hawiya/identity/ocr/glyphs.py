"""Cutting a line of print into glyphs, and the glyph classifier the digit reader uses.

Tesseract cannot read the card's Eastern-Arabic digit lines (docs/identity.md), so digits are
read one glyph at a time by a classifier of our own, trained at first use from glyphs this module
renders itself with the card fonts (synthetic/fonts.py, Debian packages): no model is downloaded
or shipped.

Segmentation. The digits of every card font are single connected components, so a glyph is a
connected component of the line's ink; pieces one above the other (a stroke broken by blur, the
dots of an Arabic letter) are joined, and so are the pieces of a slash that blur broke (a card
photographed small). The line's band (baseline and top of its tall glyphs)
gives each glyph its frame: a square of 1.4 band heights centred on the band, so that the size
and height of a glyph stay in its features (٠ is a small dot in the middle, ١ a bar the full
height): shapes alone would confuse them.

Features: the glyph's darkness in that square reduced to 24 x 24 (at 16 x 16 the tooth that
tells Amiri's ٣ from ٢ was lost), a histogram of gradient directions on a 6 x 6 grid, and the
glyph's width, height and place against the band: 868 numbers, standardised. The classifier is a
linear discriminant (class means and one covariance shared by the classes, shrunk towards its
diagonal): closed form, deterministic, answering with softmax probabilities (over-confident:
a wrong glyph can score 1.0, so lengths, patterns and dates are checked after it).

Classes: the digits (and "/" for dates, or the capitals for the card key), OTHER for anything
else (the Arabic label beside a date, a speck) and PAIR for two glyphs that touch, which the
digit reader then cuts.

Training data: for each font and several sizes, random digit strings and dates (and, for OTHER,
random Arabic letters) are drawn on a light ground crossed by guilloche-like curves, then
degraded as a phone photo is: rotation and shear, stroke thickness, resampling, blur, noise,
glare-like loss of contrast and JPEG. They go through exactly the normalisation, ink finding and
segmentation the reader uses; a line whose glyph count differs from its text is dropped, and a
quarter of the neighbouring glyph pairs of the others are joined into PAIR examples. About 6,000
glyphs, 2 to 3 s of one core; `classifier(data_dir=...)` keeps the result on disk.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import random
import statistics
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from cv2.typing import MatLike
from PIL import Image, ImageDraw, ImageFilter

from hawiya.identity.ocr.lines import Line, find_ink, normalise
from hawiya.identity.synthetic.fonts import FONTS, font

FloatArray = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int32]
log = logging.getLogger("hawiya.identity.ocr")

OTHER = "?"  # not a glyph of the alphabet: a letter of the label beside a number, a speck
PAIR = "+"  # two glyphs that touch, read as one component: to be cut
EASTERN = "٠١٢٣٤٥٦٧٨٩"
ASCII_DIGITS = "0123456789"
LATIN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآةىئؤ"
_TO_EASTERN = str.maketrans(ASCII_DIGITS, EASTERN)

ARABIC_FONTS = ("sans-bold", "sans", "amiri-bold", "kufi-bold", "kufi", "naskh-bold", "kacst")
SLASH_FONTS = ("amiri-bold",)  # the Arabic card fonts that have "/"
# alphabet -> classes (ASCII; the "eastern" alphabet reads them drawn as Eastern-Arabic digits)
ALPHABETS: dict[str, str] = {
    "eastern": ASCII_DIGITS + "/" + OTHER + PAIR,
    "latin": ASCII_DIGITS + LATIN_LETTERS + PAIR,
}
# How far towards the paper ink reaches in digit lines (lines.find_ink): less than for words,
# so that glyphs that almost touch stay apart; the card key's bold capitals need less still.
REACH = {"eastern": 0.5, "latin": 0.4}
PAIR_SHARE = 0.25  # of neighbouring glyphs in the training lines, joined as PAIR examples
SIZES = (26, 30, 36, 44, 52)  # card pixels; the card's digit lines are 26 to 52
LATIN_SIZES = (22, 26, 30, 36)  # the card key is 26
TRAINING_SEED = 20261122
# bump when rendering, segmentation, features or classifier change (cached models); 3: broken
# slashes joined (_join_broken_slashes)
TRAINING_VERSION = 3
GLYPH = 24
_HOG_GRID, _HOG_BINS, _HOG_SIDE = 6, 8, 48
_rows, _cols = np.indices((_HOG_SIDE, _HOG_SIDE))
# each pixel's first histogram slot: its cell times the number of directions
_CELL = _HOG_SIDE // _HOG_GRID
_CELL_INDEX = ((_rows // _CELL) * _HOG_GRID + _cols // _CELL) * _HOG_BINS


# --------------------------------------------------------------------------------------------
# Segmentation


@dataclass(frozen=True, slots=True)
class Glyph:
    x0: int
    x1: int  # exclusive
    y0: int
    y1: int  # exclusive
    labels: tuple[int, ...]  # its components in the line's label image

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class _Box:
    x0: int
    x1: int
    y0: int
    y1: int
    labels: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Segmented:
    line: Line
    glyphs: list[Glyph]
    labels: Labels
    band: tuple[float, float]  # top and bottom of the tall glyphs

    @property
    def band_height(self) -> float:
        return max(self.band[1] - self.band[0], 1.0)

    def owner(self, glyph: Glyph) -> npt.NDArray[np.bool_]:
        """A lookup: label -> whether that component belongs to the glyph."""
        table = np.zeros(int(self.labels.max()) + 1, dtype=bool)
        table[list(glyph.labels)] = True
        return table


def segment(line: Line, *, min_area: float = 3.0) -> Segmented:
    """The line's glyphs left to right: connected components, horizontal overlaps joined."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        line.mask.astype(np.uint8), connectivity=8
    )
    boxes: list[_Box] = []
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        if area >= min_area * line.scale * line.scale:
            boxes.append(_Box(x, x + w, y, y + h, [label]))
    boxes.sort(key=lambda box: box.x0)
    merged: list[_Box] = []
    for box in boxes:
        if merged:
            last = merged[-1]
            overlap = min(last.x1, box.x1) - max(last.x0, box.x0)
            stacked = min(last.y1, box.y1) - max(last.y0, box.y0)
            # one above the other (a dot, a stroke broken by blur), not side by side (a slash
            # leaning over the digit beside it)
            if overlap >= 0.6 * min(last.x1 - last.x0, box.x1 - box.x0) and (
                stacked <= 0.3 * min(last.y1 - last.y0, box.y1 - box.y0)
            ):
                last.x0, last.x1 = min(last.x0, box.x0), max(last.x1, box.x1)
                last.y0, last.y1 = min(last.y0, box.y0), max(last.y1, box.y1)
                last.labels.extend(box.labels)
                continue
        merged.append(box)
    glyphs = _join_broken_slashes([Glyph(b.x0, b.x1, b.y0, b.y1, tuple(b.labels)) for b in merged])
    return Segmented(line, glyphs, labels.astype(np.int32), band(glyphs))


def _join_broken_slashes(glyphs: list[Glyph]) -> list[Glyph]:
    """Pieces of one thin stroke leaning forwards (a "/"), cut apart where blur left its middle
    lighter than the ink threshold: a card photographed small (270 to 680 px wide in a photo
    that React Native fitted in 800 x 800, enlarged to 1000 px by the warp) breaks many date
    slashes in two or three. Neighbours are joined when both are narrow, each ends where the
    other begins (at most a quarter of the band apart across and down) and the right one lies
    above the left one, as the pieces of a slash do and no two digits side by side do (٠ sits
    in the middle of the band, ١ spans it)."""
    if len(glyphs) < 2:
        return glyphs
    top, bottom = band(glyphs)
    size = max(bottom - top, 1.0)
    narrow, near = 0.4 * size, max(2.0, 0.25 * size)
    out = [glyphs[0]]
    for glyph in glyphs[1:]:
        last = out[-1]
        gap = glyph.x0 - last.x1
        if (
            max(last.width, glyph.width) <= narrow
            and -2 <= gap <= near
            and glyph.y0 < last.y0
            and glyph.y1 < last.y1
            and last.y0 - glyph.y1 <= near  # end to end, not a dot above a bar
            and glyph.y1 - last.y0 <= 0.3 * min(glyph.height, last.height)
            and max(glyph.y1, last.y1) - min(glyph.y0, last.y0) <= 1.6 * size
        ):
            out[-1] = joined(last, glyph)
            continue
        out.append(glyph)
    return out


def band(glyphs: list[Glyph]) -> tuple[float, float]:
    """Top and bottom of the line's tall glyphs, which frame every glyph: the bottom is their
    median (the baseline), the top their 20th percentile (a short number like ١٥٥ has as many
    short glyphs as tall ones)."""
    if not glyphs:
        return 0.0, 1.0
    heights = sorted(g.height for g in glyphs)
    tallest = heights[math.ceil(0.9 * (len(heights) - 1))]  # a speck of guilloche aside
    tall = [g for g in glyphs if g.height >= 0.55 * tallest]
    tops = sorted(g.y0 for g in tall)
    return float(tops[int(0.2 * (len(tops) - 1))]), float(statistics.median(g.y1 for g in tall))


# --------------------------------------------------------------------------------------------
# Features


def features(seg: Segmented, glyph: Glyph) -> FloatArray:
    """The glyph in its band-anchored square, as a standardisable feature vector."""
    line = seg.line
    band_h = seg.band_height
    side = max(4, round(1.4 * band_h))
    centre_y = (seg.band[0] + seg.band[1]) / 2
    width = max(side, glyph.width + 2)
    canvas = np.zeros((side, width), dtype=np.float32)
    top = round(centre_y - side / 2)
    left = round(glyph.centre - width / 2)
    h, w = line.level.shape
    ys0, ys1 = max(0, top), min(h, top + side)
    xs0, xs1 = max(0, left, glyph.x0), min(w, left + width, glyph.x1)
    if ys1 > ys0 and xs1 > xs0:
        own = seg.owner(glyph)[seg.labels[ys0:ys1, xs0:xs1]]
        depth = max(line.paper - line.ink, 1e-3)
        dark = np.clip((line.paper - line.level[ys0:ys1, xs0:xs1]) / depth, 0.0, 1.0)
        canvas[ys0 - top : ys1 - top, xs0 - left : xs1 - left] = np.where(own, dark, 0.0)
    pixels = cv2.resize(canvas, (GLYPH, GLYPH), interpolation=cv2.INTER_AREA).ravel()
    square = cv2.resize(canvas, (_HOG_SIDE, _HOG_SIDE), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(square, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(square, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.hypot(gx, gy)
    direction = ((np.arctan2(gy, gx) + math.pi) / (2 * math.pi) * _HOG_BINS).astype(int)
    direction %= _HOG_BINS
    index = (_CELL_INDEX + direction).ravel()
    hog = np.bincount(index, weights=magnitude.ravel(), minlength=_HOG_GRID**2 * _HOG_BINS)
    hog = hog / (np.linalg.norm(hog) + 1e-6)
    geometry = np.array([
        glyph.width / band_h,
        glyph.height / band_h,
        ((glyph.y0 + glyph.y1) / 2 - centre_y) / band_h,
        (glyph.y1 - seg.band[1]) / band_h,
    ])  # fmt: skip
    return np.concatenate([pixels.astype(np.float64), hog, geometry])


# --------------------------------------------------------------------------------------------
# The classifier


@dataclass(frozen=True, slots=True)
class Classifier:
    classes: str
    centre: FloatArray  # feature standardisation
    spread: FloatArray
    weights: FloatArray  # features x classes
    bias: FloatArray

    def probabilities(self, rows: FloatArray) -> FloatArray:
        """Softmax probabilities, one row per feature vector, one column per class."""
        scores = ((np.atleast_2d(rows) - self.centre) / self.spread) @ self.weights + self.bias
        scores -= scores.max(1, keepdims=True)
        odds = np.exp(scores)
        return np.asarray(odds / odds.sum(1, keepdims=True), dtype=np.float64)

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp.npz")
        np.savez(
            tmp, classes=np.array(self.classes), centre=self.centre, spread=self.spread,
            weights=self.weights, bias=self.bias,
        )  # fmt: skip
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Classifier:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                str(data["classes"]), data["centre"], data["spread"], data["weights"],
                data["bias"],
            )  # fmt: skip


def fit(rows: FloatArray, targets: npt.NDArray[np.int64], classes: str) -> Classifier:
    """A shrunk linear discriminant with equal class priors."""
    centre = rows.mean(0)
    spread = rows.std(0) + 1e-3
    x = (rows - centre) / spread
    means = np.stack([x[targets == k].mean(0) for k in range(len(classes))])
    within = x - means[targets]
    covariance = within.T @ within / max(len(x) - len(classes), 1)
    shrink = 0.15
    covariance = (1 - shrink) * covariance + shrink * np.diag(np.diag(covariance))
    covariance += 1e-3 * np.eye(len(covariance))
    weights = np.linalg.solve(covariance, means.T)
    bias = -0.5 * (means * weights.T).sum(1)
    return Classifier(classes, centre, spread, weights, bias)


# --------------------------------------------------------------------------------------------
# Training data


def _guilloche(draw: ImageDraw.ImageDraw, rng: random.Random, size: tuple[int, int],
               shade: int) -> None:  # fmt: skip
    w, h = size
    for _ in range(rng.randrange(0, 4)):
        cx, cy = rng.uniform(0, w), rng.uniform(-h, 2 * h)
        radius, waves, depth = rng.uniform(h, 4 * h), rng.randrange(8, 30), rng.uniform(0.05, 0.2)
        points = []
        for step in range(121):
            t = step / 120 * 2 * math.pi
            r = radius * (1 + depth * math.sin(waves * t))
            points.append((cx + r * math.cos(t), cy + 0.62 * r * math.sin(t)))
        draw.line(points, fill=shade, width=1)


def render_line(text: str, font_name: str, size: int, rng: random.Random) -> npt.NDArray[np.uint8]:
    """`text` drawn as on a card and photographed: a grey image at card scale."""
    face = font(font_name, size)
    direction = "rtl" if font_name != "latin" else None
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), text, font=face, direction=direction)
    pad = size // 2 + 4
    w, h = int(right - left) + 2 * pad, int(bottom - top) + 2 * pad
    paper = rng.randrange(195, 246)
    image = Image.new("L", (w, h), paper)
    draw = ImageDraw.Draw(image)
    _guilloche(draw, rng, (w, h), paper - rng.randrange(25, 65))
    image = image.filter(ImageFilter.SMOOTH)
    draw = ImageDraw.Draw(image)
    draw.text((pad - left, pad - top), text, font=face, fill=rng.randrange(10, 80),
              direction=direction)  # fmt: skip
    gray: MatLike = np.asarray(image, dtype=np.float32)
    # Geometry: a small rotation and shear (the warp of a slightly wrong outline).
    angle, shear = rng.uniform(-1.5, 1.5), rng.uniform(-0.1, 0.1)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, rng.uniform(0.95, 1.05))
    matrix[0, 1] += shear
    matrix[0, 2] -= shear * h / 2
    gray = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    thickness = rng.random()
    if thickness < 0.2:
        gray = cv2.erode(gray, np.ones((2, 2), np.uint8))  # thicker strokes
    elif thickness < 0.35:
        gray = cv2.dilate(gray, np.ones((2, 2), np.uint8))  # thinner strokes
    factor = rng.uniform(0.7, 1.0)  # resolution lost to distance and perspective
    if factor < 0.97:
        small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        gray = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    blur = rng.uniform(0.0, 1.3)
    if blur > 0.1:
        gray = cv2.GaussianBlur(gray, (0, 0), blur)
    if rng.random() < 0.3:  # glare: towards white along a ramp
        ramp = np.linspace(rng.uniform(0, 0.3), rng.uniform(0.2, 0.55), w, dtype=np.float32)
        gray = np.asarray(gray) * (1 - ramp) + 255 * ramp
    noise = np.random.default_rng(rng.randrange(2**32)).standard_normal((h, w), np.float32)
    gray = np.clip(np.asarray(gray) + noise * rng.uniform(1, 9), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, rng.randrange(50, 96)])
    if ok:
        gray = cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)
    return np.asarray(gray, dtype=np.uint8)


def line_of(gray: npt.NDArray[np.uint8], alphabet: str = "eastern") -> Line:
    level = normalise(gray.astype(np.float32))
    mask, ink, paper = find_ink(level, reach=REACH[alphabet])
    return Line(level, mask, 1.0, ink, paper)


def _texts(alphabet: str, font_name: str, rng: random.Random) -> list[tuple[str, str | None]]:
    """(text to draw, labels left to right or None for "all OTHER") for one font and size."""
    texts: list[tuple[str, str | None]] = []
    if alphabet == "latin":
        for _ in range(4):
            letters = "".join(rng.choice(LATIN_LETTERS) for _ in range(rng.randrange(2, 8)))
            digits = "".join(rng.choice(ASCII_DIGITS) for _ in range(rng.randrange(5, 10)))
            text = letters + digits if rng.random() < 0.7 else digits + letters
            texts.append((text, text))
        return texts
    for _ in range(5):
        digits = "".join(rng.choice(ASCII_DIGITS) for _ in range(rng.randrange(6, 15)))
        texts.append((digits.translate(_TO_EASTERN), digits))
    if font_name in SLASH_FONTS:
        for _ in range(6):
            year, month, day_ = (
                rng.randrange(1950, 2040),
                rng.randrange(1, 13),
                rng.randrange(1, 32),
            )
            day = f"{year}/{month:02d}/{day_:02d}"
            texts.append((day.translate(_TO_EASTERN), day))
    words = " ".join(
        "".join(rng.choice(ARABIC_LETTERS) for _ in range(rng.randrange(1, 6)))
        for _ in range(rng.randrange(1, 4))
    )
    texts.append((words, None))
    return texts


def training_set(
    alphabet: str, seed: int = TRAINING_SEED
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    classes = ALPHABETS[alphabet]
    fonts = ("latin",) if alphabet == "latin" else ARABIC_FONTS
    rng = random.Random(f"{seed}-{alphabet}")  # noqa: S311 - training data, not security
    rows: list[FloatArray] = []
    targets: list[int] = []
    for _ in range(3 if alphabet == "eastern" else 10):
        for font_name in fonts:
            for size in SIZES if alphabet == "eastern" else LATIN_SIZES:
                for text, truth in _texts(alphabet, font_name, rng):
                    seg = segment(line_of(render_line(text, font_name, size, rng), alphabet))
                    if truth is not None and "/" in truth:  # framed as the date reader does
                        seg = replace(seg, band=band(seg.glyphs[:8]))
                    if truth is None:
                        labels = OTHER * len(seg.glyphs)
                    elif len(seg.glyphs) != len(truth):
                        continue
                    else:
                        labels = truth
                    for glyph, label in zip(seg.glyphs, labels, strict=True):
                        rows.append(features(seg, glyph))
                        targets.append(classes.index(label))
                    if truth is None:
                        continue
                    for left, right in itertools.pairwise(seg.glyphs):
                        if rng.random() < PAIR_SHARE:  # as if the two had touched
                            rows.append(features(seg, joined(left, right)))
                            targets.append(classes.index(PAIR))
    return np.stack(rows), np.array(targets, dtype=np.int64)


def joined(left: Glyph, right: Glyph) -> Glyph:
    return Glyph(
        min(left.x0, right.x0), max(left.x1, right.x1), min(left.y0, right.y0),
        max(left.y1, right.y1), left.labels + right.labels,
    )  # fmt: skip


def _cache_name(alphabet: str, seed: int) -> str:
    ident = f"{TRAINING_VERSION}|{seed}|{alphabet}|" + "|".join(
        f"{path}:{Path(path).stat().st_size if Path(path).exists() else 0}"
        for path, _ in FONTS.values()
    )
    return f"ocr-glyphs-{alphabet}-{hashlib.sha256(ident.encode()).hexdigest()[:16]}.npz"


_models: dict[tuple[str, int], Classifier] = {}
_lock = threading.Lock()


def classifier(
    alphabet: str, *, data_dir: Path | None = None, seed: int = TRAINING_SEED
) -> Classifier:
    """The alphabet's classifier: trained once per process (two or three seconds), or loaded
    from `data_dir` when an earlier process left it there (and left there for the next)."""
    key = (alphabet, seed)
    path = data_dir / _cache_name(alphabet, seed) if data_dir is not None else None
    with _lock:
        model = _models.get(key)
        if model is None and path is not None and path.is_file():
            try:
                model = Classifier.load(path)
            except (OSError, ValueError, KeyError):
                log.warning("glyph model cache %s unreadable; training again", path.name)
        if model is None:
            rows, targets = training_set(alphabet, seed)
            model = fit(rows, targets, ALPHABETS[alphabet])
        _models[key] = model
        if path is not None and not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            model.save(path)
        return model
