"""Finding the card in a phone photo and warping it onto the canonical 1000 x 630 card, so that
CARD_LAYOUT's regions apply.

1. The photo is reduced to 800 pixels on its long side. OpenCV's fast line detector finds straight
   segments in each channel of its Lab image (a card can differ from the table in colour only),
   and collinear segments are merged into lines.
2. Every pair of roughly parallel lines, crossed with every other such pair, bounds a
   quadrilateral. Those that are convex, card-shaped (long over short side 1.2 to 2.0, which
   covers the card's 1.59 seen in perspective) and at least 8 % of the photo are scored by how
   much of their outline lies on detected edges. The photo's own borders are candidate lines too,
   and outline outside the photo counts for a little (HIDDEN_SCORE): a card cut by the frame on
   one side is still found, its side along the border standing for the one beyond it (the warp
   leaves what is missing white; `LocatedCard.visible` tells how much of a field the photo
   holds, and the band along such a side is not trusted).
   Completing the card to its proportions beyond the border was tried and dropped: perspective
   makes that guess worse than the border.
3. The winner's long side is made horizontal; which of the two remaining orientations is upright
   (a card photographed upside down) is decided from content: where ink lies compared with where
   the side's layout puts text, the photo (front) and the barcode (back).

No quadrilateral scores well enough: CardNotDetected (3011).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from hawiya.identity.ocr.errors import CardNotDetected
from hawiya.identity.synthetic.card import CARD_LAYOUT, HEIGHT, PHOTO_BOX, WIDTH

Point = tuple[float, float]
FloatArray = npt.NDArray[np.float64]
Image8 = npt.NDArray[np.uint8]

WORK_SIDE = 800  # the long side of the photo the lines are found on
MIN_AREA = 0.08  # of the photo
ASPECT = (1.2, 2.0)  # long over short side of a card seen in perspective (flat: 1.59)
MAX_LINES = 30
CHROMA_GAIN = 3.0
HIDDEN_SCORE = 0.6  # what outline outside the photo scores (a seen edge on all of it: 1.0)
_SAMPLES = 40  # points per side when scoring an outline
_MIN_SCORE = 0.8
MIN_CONTENT = 0.3  # upright_score of a card's print; a blank or striped rectangle scores less
# A card narrower than this share of WIDTH in the photo was photographed small (React Native
# sends photos fitted in 800 x 800: cards 270 to 680 px wide). The warp enlarges it with cubic
# interpolation, and the reader sharpens its text lines (reader._text_line).
SMALL = 0.7

# What the orientation test expects to be inked besides CARD_LAYOUT's fields: the header of the
# front and the barcode of the back, as synthetic/card.py draws them (neither is a field).
_FRONT_EXTRAS = (PHOTO_BOX, (0.55, 0.02, 0.97, 0.17))
BACK_BARCODE_BOX = (0.03, 0.25, 0.27, 0.83)  # back: the barcode, left of the text
_BACK_EXTRAS = (BACK_BARCODE_BOX,)


@dataclass(frozen=True, slots=True)
class LocatedCard:
    card: Image8  # RGB, HEIGHT x WIDTH, upright
    corners: tuple[Point, Point, Point, Point]  # the card's TL, TR, BR, BL in the photo
    score: float  # outline support, about 1.0 to 1.5 for a clear card
    rotation: float  # degrees from the photo's x axis to the card's top edge (clockwise)
    seen: npt.NDArray[np.bool_]  # VISIBILITY_GRID: which parts of the card are in the photo

    @property
    def upside_down(self) -> bool:
        return abs(self.rotation) > 135

    @property
    def resolution(self) -> float:
        """The card's width in the photo over WIDTH: below 1, the warp enlarged the card (a
        photo sent small) and its print is blurrier than the canonical card's."""
        return card_width(np.array(self.corners)) / WIDTH

    @property
    def small(self) -> bool:
        return self.resolution < SMALL

    def visible(self, box: tuple[float, float, float, float]) -> float:
        """The share of a card region (fractions x0, y0, x1, y1) that lies inside the photo."""
        rows, cols = self.seen.shape
        x0, y0, x1, y1 = box
        part = self.seen[
            int(y0 * rows) : max(int(y0 * rows) + 1, math.ceil(y1 * rows)),
            int(x0 * cols) : max(int(x0 * cols) + 1, math.ceil(x1 * cols)),
        ]
        return float(part.mean()) if part.size else 0.0


_local = threading.local()


def _line_detector() -> cv2.ximgproc.FastLineDetector:
    """One detector per thread (OpenCV does not promise its objects are thread-safe)."""
    detector = getattr(_local, "detector", None)
    if detector is None:
        detector = cv2.ximgproc.createFastLineDetector(
            length_threshold=20, distance_threshold=1.5, canny_th1=30, canny_th2=60,
            canny_aperture_size=3, do_merge=True,
        )  # fmt: skip
        _local.detector = detector
    return detector


def _segments(small: Image8) -> FloatArray:
    """Straight segments (x1, y1, x2, y2) in the L, a and b channels."""
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    found = []
    for channel in range(3):
        plane = np.asarray(cv2.GaussianBlur(lab[:, :, channel], (5, 5), 0), dtype=np.float32)
        if channel:  # colour planes have little range: a fixed gain (a stretch to the full
            # range would turn a plain table's sensor noise into edges)
            plane = (plane - 128.0) * CHROMA_GAIN + 128.0
        lines = _line_detector().detect(np.clip(plane, 0, 255).astype(np.uint8))
        if lines is not None:
            found.append(lines.reshape(-1, 4).astype(np.float64))
    return np.concatenate(found) if found else np.zeros((0, 4))


def _merge_lines(segs: FloatArray, min_support: float) -> list[tuple[FloatArray, FloatArray]]:
    """Collinear segments merged (normal angle within 3 degrees, offset within 5 px), longest
    support first; each line as (point, unit direction), fitted to its segments' points."""
    if len(segs) == 0:
        return []
    x1, y1, x2, y2 = segs.T
    length = np.hypot(x2 - x1, y2 - y1)
    theta = np.arctan2(x2 - x1, -(y2 - y1))  # the normal's angle
    rho = np.cos(theta) * (x1 + x2) / 2 + np.sin(theta) * (y1 + y2) / 2
    flip = theta < 0
    theta, rho = np.where(flip, theta + math.pi, theta), np.where(flip, -rho, rho)
    theta = np.where(theta >= math.pi, theta - math.pi, theta)
    group = np.full(len(segs), -1)
    heads: list[tuple[float, float]] = []
    tol = math.radians(3)
    for i in np.argsort(-length):
        for g, (th, r) in enumerate(heads):
            d = abs(theta[i] - th)
            if (d < tol and abs(rho[i] - r) < 5) or (math.pi - d < tol and abs(rho[i] + r) < 5):
                group[i] = g
                break
        else:
            group[i] = len(heads)
            heads.append((float(theta[i]), float(rho[i])))
    lines = []
    for g, (th, _) in enumerate(heads):
        members = segs[group == g]
        along = np.array([-math.sin(th), math.cos(th)])
        spans = np.sort(np.stack([members[:, :2] @ along, members[:, 2:] @ along], 1), axis=1)
        spans = spans[np.argsort(spans[:, 0])]
        support, start, end = 0.0, spans[0, 0], spans[0, 1]
        for lo, hi in spans[1:]:  # the length of the union of the segments along the line
            if lo > end:
                support, start, end = support + end - start, lo, hi
            else:
                end = max(end, hi)
        support += end - start
        if support >= min_support:
            lines.append((support, _fit(members)))
    lines.sort(key=lambda item: -item[0])
    return [line for _, line in lines[:MAX_LINES]]


def _fit(members: FloatArray) -> tuple[FloatArray, FloatArray]:
    points = []
    for x1, y1, x2, y2 in members:
        steps = np.linspace(0.0, 1.0, max(2, int(math.hypot(x2 - x1, y2 - y1) / 4)))
        points.append(np.stack([x1 + (x2 - x1) * steps, y1 + (y2 - y1) * steps], 1))
    vx, vy, x0, y0 = cv2.fitLine(
        np.concatenate(points).astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01
    ).ravel()
    return np.array([x0, y0], dtype=np.float64), np.array([vx, vy], dtype=np.float64)


def _best_quad(small: Image8) -> tuple[FloatArray, float] | None:
    """The best card-shaped quadrilateral in the reduced photo and its score."""
    h, w = small.shape[:2]
    segs = _segments(small)
    lines = _merge_lines(segs, 0.08 * min(w, h))
    for point, direction in (((0, 0), (1, 0)), ((0, h - 1), (1, 0)), ((0, 0), (0, 1)),
                             ((w - 1, 0), (0, 1))):  # fmt: skip
        lines.append((np.array(point, dtype=np.float64), np.array(direction, dtype=np.float64)))
    if len(lines) < 4:
        return None
    p = np.array([line[0] for line in lines])
    d = np.array([line[1] for line in lines])
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    normal = np.stack([-d[:, 1], d[:, 0]], 1)
    rho = (normal * p).sum(1)
    cos = np.abs(d @ d.T)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (rho[:, None] - normal @ p.T) / (normal @ d.T)  # t[j, i]: line i meets line j
        cross = p[None, :, :] + t[:, :, None] * d[None, :, :]
    n = len(lines)
    i, j = np.triu_indices(n, 1)
    separation = np.abs((normal[i] * (p[j] - p[i])).sum(1))
    keep = (cos[i, j] > math.cos(math.radians(20))) & (separation > 0.15 * min(w, h))
    i, j = i[keep], j[keep]
    u, v = np.triu_indices(len(i), 1)
    a, b, c, e = i[u], j[u], i[v], j[v]
    keep = cos[a, c] < math.cos(math.radians(60))
    a, b, c, e = a[keep], b[keep], c[keep], e[keep]
    quads = np.stack([cross[a, c], cross[c, b], cross[b, e], cross[e, a]], 1)
    quads = quads[np.isfinite(quads).all((1, 2)) & (np.abs(quads).max((1, 2)) < 3 * max(w, h))]
    if len(quads) == 0:
        return None
    edges = np.roll(quads, -1, 1) - quads
    turn = edges[:, :, 0] * np.roll(edges, -1, 1)[:, :, 1]
    turn -= edges[:, :, 1] * np.roll(edges, -1, 1)[:, :, 0]
    sides = np.linalg.norm(edges, axis=2)
    pair1, pair2 = (sides[:, 0] + sides[:, 2]) / 2, (sides[:, 1] + sides[:, 3]) / 2
    aspect = np.maximum(pair1, pair2) / np.maximum(np.minimum(pair1, pair2), 1e-6)
    nxt = np.roll(quads, -1, 1)
    area = np.abs((quads[:, :, 0] * nxt[:, :, 1] - nxt[:, :, 0] * quads[:, :, 1]).sum(1)) / 2
    area /= w * h
    good = ((turn > 0).all(1) | (turn < 0).all(1)) & (aspect >= ASPECT[0])
    good &= (aspect <= ASPECT[1]) & (area >= MIN_AREA)
    quads, sides, area = quads[good], sides[good], area[good]
    if len(quads) == 0:
        return None
    # How much of each side lies on an edge; outline outside the photo scores HIDDEN_SCORE.
    ink = np.full((h, w), 255, np.uint8)
    for x1, y1, x2, y2 in np.round(segs).astype(int):
        cv2.line(ink, (int(x1), int(y1)), (int(x2), int(y2)), (0,), 1)
    distance = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    steps = np.linspace(0.03, 0.97, _SAMPLES)
    start, end = quads[:, :, None, :], np.roll(quads, -1, 1)[:, :, None, :]
    points = start + (end - start) * steps[None, None, :, None]
    x, y = points[..., 0], points[..., 1]
    seen = (x >= 2) & (x <= w - 3) & (y >= 2) & (y <= h - 3)
    xi = np.clip(np.round(x).astype(int), 0, w - 1)
    yi = np.clip(np.round(y).astype(int), 0, h - 1)
    on_edge = (distance[yi, xi] <= 2.0) & seen
    seen_part = seen.mean(2)
    covered = on_edge.sum(2) / np.maximum(seen.sum(2), 1)
    side_score = seen_part * covered + (1 - seen_part) * HIDDEN_SCORE
    outline = (side_score * sides).sum(1) / sides.sum(1)
    visible = (seen_part * sides).sum(1) / sides.sum(1)
    hidden_sides = (seen_part < 0.5).sum(1)
    total = outline + 0.3 * side_score.min(1) + 0.5 * area
    total = np.where((visible < 0.5) | (hidden_sides > 1), -1.0, total)
    best = int(np.argmax(total))
    if total[best] < _MIN_SCORE:
        return None
    return quads[best], float(total[best])


def _clockwise(quad: FloatArray) -> FloatArray:
    centre = quad.mean(0)
    return quad[np.argsort(np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0]))]


def _box_mask(boxes: list[tuple[float, float, float, float]], size: tuple[int, int]) -> FloatArray:
    w, h = size
    mask = np.full((h, w), -1.0)
    for x0, y0, x1, y1 in boxes:
        mask[int(y0 * h) : math.ceil(y1 * h), int(x0 * w) : math.ceil(x1 * w)] = 1.0
    return mask


_TEMPLATE_SIZE = (100, 63)
VISIBILITY_GRID = (63, 100)  # rows, columns: a point every 10 card pixels
BORDER_BAND = 0.1  # of the card, along a side that is the photo's border: not trusted
_TEMPLATES = {
    side: _box_mask(
        [region.box for region in CARD_LAYOUT[side].values()]
        + list(_FRONT_EXTRAS if side == "front" else _BACK_EXTRAS),
        _TEMPLATE_SIZE,
    )
    for side in CARD_LAYOUT
}


def _stripes(gray: Image8, box: tuple[float, float, float, float]) -> float:
    """Mean horizontal contrast in a card region (every fourth row): high over a barcode."""
    x0, y0, x1, y1 = box
    part = gray[int(y0 * HEIGHT) : int(y1 * HEIGHT) : 4, int(x0 * WIDTH) : int(x1 * WIDTH)]
    return float(np.abs(np.diff(part.astype(np.float32), axis=1)).mean()) if part.size else 0.0


def upright_score(card: Image8, side: str) -> float:
    """How well the card's ink matches the side's layout; the upright card scores higher than
    the same card turned by 180 degrees. On the back the barcode, whose bars no text matches,
    must be on the left too."""
    gray = np.asarray(cv2.cvtColor(card, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    small = cv2.resize(gray, (250, 158), interpolation=cv2.INTER_AREA).astype(np.float32)
    background = cv2.GaussianBlur(cv2.dilate(small, np.ones((9, 9), np.uint8)), (0, 0), 4)
    ink = (small / np.maximum(background, 1.0) < 0.7).astype(np.float32)
    ink = cv2.resize(ink, _TEMPLATE_SIZE, interpolation=cv2.INTER_AREA)
    score = float((ink * _TEMPLATES[side]).sum() / max(float(ink.sum()), 1.0))
    if side == "back":
        box = _BACK_EXTRAS[0]
        here, there = _stripes(gray, box), _stripes(gray[::-1, ::-1], box)
        score += (here - there) / max(here + there, 1e-6)
    return score


def card_width(corners: FloatArray) -> float:
    """The mean length of the card's long sides (TL-TR and BR-BL) in the photo, in pixels."""
    tl, tr, br, bl = np.asarray(corners, dtype=np.float64)
    return float((np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2)


def warp(photo: Image8, corners: FloatArray) -> Image8:
    """The card whose TL, TR, BR, BL corners are given, as a WIDTH x HEIGHT image."""
    target = np.array([[0, 0], [WIDTH, 0], [WIDTH, HEIGHT], [0, HEIGHT]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    # A card photographed small is enlarged up to four times: cubic interpolation keeps the
    # thin strokes and the dots of letters that linear interpolation smears away.
    small = card_width(corners) < SMALL * WIDTH
    card = cv2.warpPerspective(
        photo, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_CUBIC if small else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255),
    )  # fmt: skip
    return np.asarray(card, dtype=np.uint8)


def _seen(corners: FloatArray, size: tuple[int, int]) -> npt.NDArray[np.bool_]:
    """Which points of a VISIBILITY_GRID over the card fall inside the photo, off its very edge
    (a card cut by the frame: what is outside cannot be read)."""
    rows, cols = VISIBILITY_GRID
    source = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners.astype(np.float32))
    u, v = np.meshgrid((np.arange(cols) + 0.5) / cols, (np.arange(rows) + 0.5) / rows)
    points = np.stack([u.ravel(), v.ravel()], 1).reshape(-1, 1, 2).astype(np.float32)
    x, y = cv2.perspectiveTransform(points, matrix).reshape(-1, 2).T
    w, h = size
    edge = 0.01 * max(w, h)  # a card side along the border may go on beyond it
    inside = (x >= edge) & (x < w - edge) & (y >= edge) & (y < h - edge)
    seen = np.asarray(inside, dtype=bool).reshape(rows, cols)
    # A side that is the photo's border stands for one beyond it: how far is unknown, so what
    # lies near it is not trusted either.
    band_rows, band_cols = math.ceil(BORDER_BAND * rows), math.ceil(BORDER_BAND * cols)
    for side in range(4):
        a, b = corners[side], corners[(side + 1) % 4]
        on_border = any(
            abs(a[axis] - at) <= 2 and abs(b[axis] - at) <= 2
            for axis, at in ((0, 0.0), (0, w - 1.0), (1, 0.0), (1, h - 1.0))
        )
        if on_border:  # sides: 0 top, 1 right, 2 bottom, 3 left
            if side == 0:
                seen[:band_rows] = False
            elif side == 1:
                seen[:, cols - band_cols :] = False
            elif side == 2:
                seen[rows - band_rows :] = False
            else:
                seen[:, :band_cols] = False
    return seen


def find_corners(photo: Image8) -> tuple[FloatArray, float]:
    """The card's four corners in the photo, clockwise from one end of a long side, with the
    outline score. Raises CardNotDetected."""
    h, w = photo.shape[:2]
    scale = WORK_SIDE / max(h, w)
    small = cv2.resize(
        photo, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )
    found = _best_quad(np.asarray(small, dtype=np.uint8))
    if found is None:
        raise CardNotDetected()
    quad, score = found
    quad = _clockwise(quad / scale)
    sides = np.linalg.norm(np.roll(quad, -1, 0) - quad, axis=1)
    if sides[0] + sides[2] < sides[1] + sides[3]:
        quad = np.roll(quad, -1, 0)  # corner 0 to corner 1 is a long side
    if (quad[0, 1] + quad[1, 1]) > (quad[2, 1] + quad[3, 1]):
        quad = np.roll(quad, -2, 0)  # that long side is the upper one
    return quad, score


def locate(photo: Image8, side: str) -> LocatedCard:
    """The card of the given side ("front" or "back") in an RGB photo, warped upright."""
    if side not in CARD_LAYOUT:
        raise ValueError(f"unknown side {side!r}")
    if photo.ndim != 3 or photo.shape[2] != 3 or min(photo.shape[:2]) < 32:
        raise CardNotDetected(reason="not an RGB photo")
    quad, score = find_corners(photo)
    card = warp(photo, quad)
    turned = np.ascontiguousarray(card[::-1, ::-1])
    as_found, as_turned = upright_score(card, side), upright_score(turned, side)
    if max(as_found, as_turned) < MIN_CONTENT:
        raise CardNotDetected(reason="no card content in the outline")
    if as_turned > as_found:
        card, quad = turned, np.roll(quad, 2, 0)
    tl, tr, br, bl = (tuple(float(v) for v in point) for point in quad)
    return LocatedCard(
        card=card,
        corners=((tl[0], tl[1]), (tr[0], tr[1]), (br[0], br[1]), (bl[0], bl[1])),
        score=score,
        rotation=math.degrees(math.atan2(quad[1, 1] - quad[0, 1], quad[1, 0] - quad[0, 0])),
        seen=_seen(quad, (photo.shape[1], photo.shape[0])),
    )
