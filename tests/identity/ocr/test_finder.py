"""Finding the card in a photo: the corners the generator recorded are found, however the photo
is turned (the card's content decides which way is up); a photo without a card is 3011."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from PIL import Image, ImageDraw

from hawiya.identity.ocr import errors
from hawiya.identity.ocr.errors import CardNotDetected, OcrError
from hawiya.identity.ocr.finder import locate
from hawiya.identity.synthetic.card import HEIGHT, WIDTH
from hawiya.identity.synthetic.dataset import Sample
from tests.identity.ocr.support import photo, turned, worst_corner

TOLERANCE = 20.0  # px: 2 % of the card's width in these photos


def test_the_card_is_found_where_the_generator_put_it(samples: dict[int, Sample]) -> None:
    for sample in samples.values():
        for side, scene in (("front", sample.front_photo), ("back", sample.back_photo)):
            located = locate(np.asarray(photo(scene.jpeg)), side)
            assert worst_corner(located.corners, scene.corners) < TOLERANCE, (sample.seed, side)
            assert located.card.shape == (HEIGHT, WIDTH, 3)
            assert not located.upside_down
            assert located.visible((0.0, 0.0, 1.0, 1.0)) > 0.9


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
@pytest.mark.parametrize("side", ["front", "back"])
def test_a_turned_photo_gives_the_same_card_upright(
    samples: dict[int, Sample], side: str, quarter_turns: int
) -> None:
    sample = samples[0]
    scene = sample.front_photo if side == "front" else sample.back_photo
    image, corners = turned(photo(scene.jpeg), scene.corners, quarter_turns)
    located = locate(np.asarray(image), side)
    # TL, TR, BR, BL of the card itself, wherever they are in the turned photo
    assert worst_corner(located.corners, corners) < TOLERANCE
    assert located.upside_down == (quarter_turns == 2)
    expected = {1: -90.0, 2: 180.0, 3: 90.0}[quarter_turns]
    off = (located.rotation - expected + 180) % 360 - 180
    assert abs(off) < 15  # the card's own tilt is at most 12 degrees


def test_a_card_cut_by_the_frame_is_found_and_its_hidden_part_known(
    samples: dict[int, Sample],
) -> None:
    scene = samples[0].back_photo
    image = photo(scene.jpeg)
    right = max(x for x, _ in scene.corners)
    cut = image.crop((0, 0, int(right - 30), image.height))  # the frame cuts 30 px of the card
    located = locate(np.asarray(cut), "back")
    # the border stands for the hidden side: the corners there are off by about the cut
    assert worst_corner(located.corners, scene.corners) < TOLERANCE + 30
    assert located.visible((0.0, 0.0, 0.5, 1.0)) == 1.0
    assert located.visible((0.95, 0.0, 1.0, 1.0)) < 1.0


@pytest.mark.parametrize("kind", ["grey", "noise", "stripes"])
def test_a_photo_without_a_card_is_3011(kind: str) -> None:
    rng = np.random.default_rng(1)
    if kind == "grey":
        image = Image.new("RGB", (800, 600), (128, 128, 128))
    elif kind == "noise":
        image = Image.fromarray(rng.integers(0, 256, (600, 800, 3), dtype=np.uint8))
    else:
        image = Image.new("RGB", (800, 600), (90, 120, 150))
        draw = ImageDraw.Draw(image)
        for x in range(0, 800, 40):
            draw.line((x, 0, x, 600), fill=(240, 240, 240), width=3)
    with pytest.raises(CardNotDetected) as raised:
        locate(np.asarray(image), "front")
    assert raised.value.code == errors.CARD_NOT_DETECTED == 3011


def test_the_error_keeps_its_code_across_a_process_pool() -> None:
    copy = pickle.loads(pickle.dumps(CardNotDetected()))  # noqa: S301 - our own object
    assert isinstance(copy, CardNotDetected) and copy.code == 3011
    other = pickle.loads(pickle.dumps(OcrError(3001, "x")))  # noqa: S301
    assert other.code == 3001 and other.reason == "x"
