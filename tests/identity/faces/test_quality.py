"""The face quality gate: a face with too little real detail (blurred, or a small face scaled up,
whatever its width in pixels) is 4209 for a selfie, a liveness frame and an ID photo; sharp
faces, ordinary captures and the photo cut from a synthetic card pass."""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pytest
from PIL import Image

from hawiya.identity.faces import errors, quality, synthetic
from hawiya.identity.faces.embedder import ID_CARD, SELFIE, embed
from hawiya.identity.faces.errors import FaceError
from hawiya.identity.faces.liveness import check_liveness


def _scaled_through(portrait: synthetic.Portrait, eye_distance: float) -> Image.Image:
    """The portrait as if it had been taken with `eye_distance` pixels between the eyes, scaled
    back up to its frame (bicubic) and captured like a phone frame."""
    face = embed(portrait.image)
    left, right = quality.eye_centres(face.landmarks5)
    native = float(np.linalg.norm(right - left)) / face.crop.scale
    factor = eye_distance / native
    h, w = portrait.pixels.shape[:2]
    small = cv2.resize(
        portrait.pixels, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_AREA
    )
    up = np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), dtype=np.uint8)
    return synthetic.capture(up, random.Random(int(eye_distance)))


def test_sharp_frames_pass_with_a_margin(
    astronaut: synthetic.Portrait, hopper: synthetic.Portrait
) -> None:
    for portrait in (astronaut, hopper):
        for frame in synthetic.challenge_frames(portrait, ("straight", "blink", "turn_left")):
            face = embed(frame)
            assert face.detail > 1.3 * SELFIE.min_detail, face.detail


@pytest.mark.parametrize("who", ["astronaut", "hopper"])
def test_a_small_face_scaled_up_is_4209_whatever_its_width(
    who: str, request: pytest.FixtureRequest
) -> None:
    portrait: synthetic.Portrait = request.getfixturevalue(who)
    upscaled = _scaled_through(portrait, 8.0)  # an upscaled 25-pixel face has about 8
    with pytest.raises(FaceError) as caught:
        embed(upscaled)
    assert caught.value.code == errors.FACE_UNCLEAR == 4209
    assert "too blurred or too low in resolution" in caught.value.reason
    with pytest.raises(FaceError) as caught:
        embed(upscaled, source="id_card")
    assert caught.value.code == errors.FACE_UNCLEAR
    # Twice as many real pixels between the eyes is enough.
    assert embed(_scaled_through(portrait, 16.0)).detail >= SELFIE.min_detail


def test_an_upscaled_lfw_face_is_refused() -> None:
    from hawiya.identity.faces.evaluation import lfw_photo

    with pytest.raises(FaceError) as caught:
        embed(lfw_photo(0))
    assert caught.value.code == errors.FACE_UNCLEAR


def test_detail_falls_with_blur_and_ignores_exposure(astronaut: synthetic.Portrait) -> None:
    face = embed(astronaut.image)
    pixels = face.crop.pixels
    values = [
        quality.detail(
            pixels if s == 0 else np.asarray(cv2.GaussianBlur(pixels, (0, 0), s), np.uint8),
            face.landmarks5,
        )
        for s in (0, 1, 2, 3, 5)
    ]
    assert values == sorted(values, reverse=True) and values[-1] < 0.5 * values[0]
    darker = np.clip(pixels.astype(np.float64) * 0.7, 0, 255).astype(np.uint8)
    assert quality.detail(darker, face.landmarks5) == pytest.approx(values[0], rel=0.03)


def test_detail_depends_on_real_resolution_not_on_size(astronaut: synthetic.Portrait) -> None:
    """The same face at half and at twice the size measures about the same."""
    photo = astronaut.image
    w, h = photo.size
    base = embed(photo).detail
    half = embed(photo.resize((w // 2, h // 2), Image.Resampling.LANCZOS)).detail
    assert half == pytest.approx(base, rel=0.15)
    twice = photo.resize((w * 2, h * 2), Image.Resampling.BICUBIC)
    assert embed(twice).detail == pytest.approx(base, rel=0.15)


def test_the_photo_cut_from_a_card_passes_the_id_gate(astronaut: synthetic.Portrait) -> None:
    from datetime import date

    from hawiya.identity.ocr.finder import locate
    from hawiya.identity.ocr.reader import _photo
    from hawiya.identity.synthetic.dataset import make_sample
    from hawiya.identity.synthetic.scene import NORMAL

    sample = make_sample(3, today=date(2026, 1, 1), difficulty=NORMAL, photo=astronaut.image)
    with Image.open(io.BytesIO(sample.front_photo.jpeg)) as picture:
        card = locate(np.asarray(picture.convert("RGB"), dtype=np.uint8), "front").card
    face = embed(_photo(card), source="id_card")
    assert face.detail >= ID_CARD.min_detail


def test_a_soft_liveness_frame_is_4209_for_that_frame(astronaut: synthetic.Portrait) -> None:
    frames = synthetic.challenge_frames(astronaut, ("blink", "turn_right", "smile"), seed=0)
    frames[1] = _scaled_through(astronaut, 8.0)
    result = check_liveness(frames)
    assert not result.passed and result.code == errors.FACE_UNCLEAR
    assert result.reasons[0].startswith("face_2: face too blurred")
