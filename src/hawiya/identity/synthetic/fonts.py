"""The Debian fonts the cards are drawn with; a missing one is named with its package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

# name -> (path, Debian package)
FONTS: dict[str, tuple[str, str]] = {
    "kufi-bold": ("/usr/share/fonts/truetype/noto/NotoKufiArabic-Bold.ttf", "fonts-noto-core"),
    "kufi": ("/usr/share/fonts/truetype/noto/NotoKufiArabic-Regular.ttf", "fonts-noto-core"),
    "sans-bold": ("/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf", "fonts-noto-core"),
    "sans": ("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf", "fonts-noto-core"),
    "naskh-bold": ("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf", "fonts-noto-core"),
    "amiri-bold": (
        "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Bold.ttf",
        "fonts-hosny-amiri",
    ),
    "kacst": ("/usr/share/fonts/truetype/kacst/KacstBook.ttf", "fonts-kacst"),
    "latin": ("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", "fonts-noto-core"),
}


class FontMissing(RuntimeError):
    pass


@cache
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path, package = FONTS[name]
    if not Path(path).exists():
        raise FontMissing(f"{path} is missing: install the Debian package {package}")
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)
