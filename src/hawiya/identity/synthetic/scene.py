"""A card photographed by a phone: placed on a background larger than the card, seen in
perspective and rotated, with blur, sensor noise, glare and JPEG loss. The card's corners in the
photo are kept as ground truth for the card finder."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Difficulty:
    max_rotation: float = 12.0  # degrees, either way
    max_skew: float = 0.06  # corner jitter as a fraction of the card's width
    card_fill: tuple[float, float] = (0.45, 0.85)  # card width over photo width
    blur: tuple[float, float] = (0.0, 1.2)
    noise: tuple[float, float] = (2.0, 9.0)  # standard deviation, 0-255 scale
    glare: float = 0.5  # chance of a glare spot
    jpeg_quality: tuple[int, int] = (55, 92)


EASY = Difficulty(max_rotation=3, max_skew=0.01, blur=(0, 0.3), noise=(0, 2), glare=0)
NORMAL = Difficulty()


@dataclass(frozen=True, slots=True)
class Scene:
    jpeg: bytes
    size: tuple[int, int]
    corners: tuple[Point, Point, Point, Point]  # card's TL, TR, BR, BL in the photo


def _perspective_coeffs(src: list[Point], dst: list[Point]) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE), which maps output (dst) to input (src)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    solution = np.linalg.solve(np.array(rows, dtype=float), np.array(rhs, dtype=float))
    return [float(c) for c in solution]


def _background(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    w, h = size
    top = np.array([rng.randrange(40, 200) for _ in range(3)], dtype=float)
    bottom = np.clip(top + rng.uniform(-50, 50), 0, 255)
    ramp = np.linspace(0, 1, h)[:, None, None]
    pixels = top * (1 - ramp) + bottom * ramp
    grain = np.random.default_rng(rng.randrange(2**32)).normal(0, 6, (h, w, 1))
    return Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8))


def photograph(card: Image.Image, rng: random.Random, difficulty: Difficulty = NORMAL) -> Scene:
    cw, ch = card.size
    photo_w = int(cw / rng.uniform(*difficulty.card_fill))
    photo_h = int(photo_w * rng.choice((0.75, 0.5625, 1.333)))
    photo_h = max(photo_h, int(ch * 1.25))
    scene = _background(rng, (photo_w, photo_h))

    angle = math.radians(rng.uniform(-difficulty.max_rotation, difficulty.max_rotation))
    cx = photo_w / 2 + rng.uniform(-0.08, 0.08) * photo_w
    cy = photo_h / 2 + rng.uniform(-0.08, 0.08) * photo_h
    jitter = difficulty.max_skew * cw
    corners: list[Point] = []
    for dx, dy in ((-cw / 2, -ch / 2), (cw / 2, -ch / 2), (cw / 2, ch / 2), (-cw / 2, ch / 2)):
        x = dx + rng.uniform(-jitter, jitter)
        y = dy + rng.uniform(-jitter, jitter)
        corners.append(
            (
                cx + x * math.cos(angle) - y * math.sin(angle),
                cy + x * math.sin(angle) + y * math.cos(angle),
            )
        )
    coeffs = _perspective_coeffs([(0, 0), (cw, 0), (cw, ch), (0, ch)], corners)
    warped = card.convert("RGB").transform(
        (photo_w, photo_h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC
    )
    mask = Image.new("L", (photo_w, photo_h), 0)
    ImageDraw.Draw(mask).polygon(corners, fill=255)
    scene.paste(warped, (0, 0), mask.filter(ImageFilter.GaussianBlur(0.7)))

    if rng.random() < difficulty.glare:
        glare = Image.new("L", (photo_w, photo_h), 0)
        gx, gy = rng.uniform(0.2, 0.8) * photo_w, rng.uniform(0.2, 0.8) * photo_h
        r = rng.uniform(0.05, 0.15) * photo_w
        ImageDraw.Draw(glare).ellipse((gx - r, gy - r * 0.6, gx + r, gy + r * 0.6), fill=150)
        glare = glare.filter(ImageFilter.GaussianBlur(r / 2))
        scene = Image.composite(Image.new("RGB", scene.size, (255, 255, 250)), scene, glare)

    blur = rng.uniform(*difficulty.blur)
    if blur > 0.05:
        scene = scene.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(scene, dtype=float)
    sigma = rng.uniform(*difficulty.noise)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, sigma, pixels.shape)
    scene = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))

    out = io.BytesIO()
    scene.save(out, format="JPEG", quality=rng.randrange(*difficulty.jpeg_quality))
    tl, tr, br, bl = corners
    return Scene(out.getvalue(), (photo_w, photo_h), (tl, tr, br, bl))
