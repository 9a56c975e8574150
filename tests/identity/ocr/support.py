"""Helpers shared by the card reader's tests."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
from PIL import Image

from hawiya.identity import images

TODAY = date(2026, 11, 22)
Point = tuple[float, float]


def photo(jpeg: bytes) -> Image.Image:
    """A photo as the API hands it to the reader (identity/images.py decodes it)."""
    return images.open_image(jpeg).image


def turned(image: Image.Image, corners: tuple[Point, ...], quarter_turns: int
           ) -> tuple[Image.Image, list[Point]]:  # fmt: skip
    """The photo turned counter-clockwise by quarter turns, and where the card's corners go."""
    w, h = image.size
    pixels = np.ascontiguousarray(np.rot90(np.asarray(image), quarter_turns))
    points = [(float(x), float(y)) for x, y in corners]
    for _ in range(quarter_turns % 4):
        points = [(y, w - x) for x, y in points]
        w, h = h, w
    return Image.fromarray(pixels), points


def worst_corner(found: tuple[Point, ...], truth: list[Point] | tuple[Point, ...]) -> float:
    return float(np.linalg.norm(np.array(found) - np.array(truth), axis=1).max())


def jpeg_of(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()
