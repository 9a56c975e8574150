"""Drawing the front and back of a national ID card, with where every field went.

The layout follows the current Egyptian card (85.6 x 54 mm, drawn at 1000 x 630 px): on the front
the photo on the left, the name in two lines and the address in two lines on the right, the
14-digit number in large Eastern-Arabic digits along the bottom, and the card key under the photo;
on the back the number at the top, then the job, the status line (gender, religion, marital
status), the husband's name, the issue and expiry dates, and a barcode. Backgrounds carry a
guilloche of overlapping rosettes, as the real card's security print does.

CARD_LAYOUT below is the single description of where fields sit; the OCR reads the same table,
so the generator and the reader cannot drift apart.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from PIL import Image, ImageDraw, ImageFilter

from hawiya.identity.synthetic.fonts import font
from hawiya.identity.synthetic.people import CardPerson

WIDTH, HEIGHT = 1000, 630
EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True, slots=True)
class Region:
    """A field's area as fractions of the card (x0, y0, x1, y1), and how its text is drawn."""

    box: tuple[float, float, float, float]
    font: str
    size: int
    align: str = "right"  # Arabic text is right-aligned


# side -> field -> region. Field names are the spec's (§6.1). Fonts are chosen for the glyphs they
# have: Noto Kufi has no "-" or "/", so addresses use Noto Sans Arabic and dates Amiri.
CARD_LAYOUT: dict[str, dict[str, Region]] = {
    "front": {
        "first_name": Region((0.30, 0.24, 0.97, 0.36), "kufi-bold", 40),
        "last_names": Region((0.30, 0.36, 0.97, 0.48), "kufi-bold", 36),
        "address_1": Region((0.30, 0.50, 0.97, 0.60), "sans", 30),
        "address_2": Region((0.30, 0.60, 0.97, 0.70), "sans", 30),
        "idNumber": Region((0.30, 0.80, 0.97, 0.95), "sans-bold", 52),
        "idKey": Region((0.03, 0.84, 0.28, 0.93), "latin", 26, "center"),
    },
    "back": {
        "idNumber": Region((0.30, 0.05, 0.97, 0.18), "sans-bold", 44),
        "job": Region((0.30, 0.22, 0.97, 0.32), "kufi", 30),
        "jobTitle": Region((0.30, 0.32, 0.97, 0.42), "kufi", 28),
        "status": Region((0.30, 0.44, 0.97, 0.54), "kufi", 30),
        "husbandName": Region((0.30, 0.56, 0.97, 0.66), "sans", 30),
        "releaseDate": Region((0.30, 0.68, 0.97, 0.77), "amiri-bold", 30),
        "idExpiry": Region((0.30, 0.77, 0.97, 0.86), "amiri-bold", 30),
    },
}
PHOTO_BOX = (0.03, 0.22, 0.28, 0.82)  # front: where the holder's photo is


@dataclass
class RenderedSide:
    image: Image.Image
    side: str
    # field -> (text as printed, pixel box on the card)
    fields: dict[str, tuple[str, tuple[int, int, int, int]]] = field(default_factory=dict)


def arabic_digits(value: str) -> str:
    return value.translate(EASTERN)


def _card_date(day: date) -> str:
    return arabic_digits(f"{day:%Y/%m/%d}")


def _guilloche(rng: random.Random, tint: tuple[int, int, int]) -> Image.Image:
    """A light rosette pattern: sums of sinusoids traced as thin lines."""
    base = Image.new("RGB", (WIDTH, HEIGHT), tint)
    draw = ImageDraw.Draw(base)
    for _ in range(3):
        cx, cy = rng.uniform(0.2, 0.8) * WIDTH, rng.uniform(0.2, 0.8) * HEIGHT
        radius, waves = rng.uniform(150, 320), rng.randrange(12, 30)
        depth = rng.uniform(0.05, 0.2)
        colour = tuple(max(0, c - rng.randrange(25, 60)) for c in tint)
        for ring in range(6):
            r0 = radius * (0.45 + ring * 0.1)
            points = []
            for step in range(721):
                t = step / 720 * 2 * math.pi
                r = r0 * (1 + depth * math.sin(waves * t + ring))
                points.append((cx + r * math.cos(t), cy + 0.62 * r * math.sin(t)))
            draw.line(points, fill=colour, width=1)
    return base.filter(ImageFilter.SMOOTH)


def pixel_box(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """A fractional box (x0, y0, x1, y1) in card pixels."""
    x0, y0, x1, y1 = box
    return int(x0 * WIDTH), int(y0 * HEIGHT), int(x1 * WIDTH), int(y1 * HEIGHT)


def _text(draw: ImageDraw.ImageDraw, region: Region, text: str) -> tuple[int, int, int, int] | None:
    if not text:
        return None
    x0, y0, x1, y1 = pixel_box(region.box)
    face = font(region.font, region.size)
    left, top, right, bottom = (
        int(v) for v in draw.textbbox((0, 0), text, font=face, direction="rtl")
    )
    width = right - left
    x = x0 + (x1 - x0 - width) // 2 if region.align == "center" else x1 - width
    y = y0 + (y1 - y0 - (bottom - top)) // 2 - top
    draw.text((x - left, y), text, font=face, fill=(20, 20, 25), direction="rtl")
    return (x, y + top, x + width, y + bottom)


def _header(draw: ImageDraw.ImageDraw, lines: tuple[str, str]) -> None:
    draw.text((WIDTH - 40, 22), lines[0], font=font("kufi-bold", 30), fill=(40, 40, 60),
              anchor="ra", direction="rtl")  # fmt: skip
    draw.text((WIDTH - 40, 72), lines[1], font=font("kufi", 24), fill=(60, 60, 80),
              anchor="ra", direction="rtl")  # fmt: skip


def _photo_placeholder(rng: random.Random) -> Image.Image:
    """A neutral head-and-shoulders silhouette when no face photo is given."""
    w = int((PHOTO_BOX[2] - PHOTO_BOX[0]) * WIDTH)
    h = int((PHOTO_BOX[3] - PHOTO_BOX[1]) * HEIGHT)
    shade = rng.randrange(170, 215)
    img = Image.new("RGB", (w, h), (shade, shade, shade + 5))
    draw = ImageDraw.Draw(img)
    skin = (rng.randrange(120, 200), rng.randrange(90, 150), rng.randrange(70, 120))
    draw.ellipse((w * 0.28, h * 0.12, w * 0.72, h * 0.58), fill=skin)
    draw.ellipse((w * 0.1, h * 0.62, w * 0.9, h * 1.3), fill=(50, 50, 70))
    return img


def render_front(
    person: CardPerson, rng: random.Random, photo: Image.Image | None = None
) -> RenderedSide:
    image = _guilloche(rng, (232, 228 + rng.randrange(-6, 6), 214))
    draw = ImageDraw.Draw(image)
    _header(draw, ("جمهورية مصر العربية", "بطاقة تحقيق الشخصية"))
    px0, py0, px1, py1 = pixel_box(PHOTO_BOX)
    picture = (photo or _photo_placeholder(rng)).convert("RGB").resize((px1 - px0, py1 - py0))
    image.paste(picture, (px0, py0))
    side = RenderedSide(image, "front")
    values = {
        "first_name": person.first_name,
        "last_names": person.last_names,
        "address_1": arabic_digits(person.address_1),
        "address_2": person.address_2,
        "idNumber": arabic_digits(person.id_number),
        "idKey": person.id_key,
    }
    for name, text in values.items():
        box = _text(draw, CARD_LAYOUT["front"][name], text)
        if box is not None:
            side.fields[name] = (text, box)
    return side


def render_back(person: CardPerson, rng: random.Random) -> RenderedSide:
    image = _guilloche(rng, (226, 232, 222 + rng.randrange(-6, 6)))
    draw = ImageDraw.Draw(image)
    status = f"{person.gender_label} {person.religion} {person.marital_status}"
    values = {
        "idNumber": arabic_digits(person.id_number),
        "job": person.job,
        "jobTitle": person.job_title,
        "status": status,
        "husbandName": f"اسم الزوج: {person.husband_name}" if person.husband_name else "",
        "releaseDate": f"صدرت في {_card_date(person.release_date)}",
        "idExpiry": f"البطاقة سارية حتى {_card_date(person.expiry_date)}",
    }
    side = RenderedSide(image, "back")
    for name, text in values.items():
        box = _text(draw, CARD_LAYOUT["back"][name], text)
        if box is not None:
            side.fields[name] = (text, box)
    # A barcode band on the left, as the PDF417 block of the real card.
    x = 30
    while x < 270:
        bar = rng.randrange(2, 7)
        if rng.random() < 0.55:
            draw.rectangle((x, 160, x + bar, 520), fill=(15, 15, 15))
        x += bar
    return side
