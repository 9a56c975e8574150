"""Detection, embedding and face match on the public-domain portraits that ship in scikit-image
and matplotlib: the same person matches across resizing, mirroring, rotation and expression;
different people do not; pictures without exactly one usable face get the spec's codes."""

from __future__ import annotations

import base64
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hawiya.identity import images
from hawiya.identity.faces import errors, synthetic
from hawiya.identity.faces.embedder import DetectionPolicy, detect, embed, locate
from hawiya.identity.faces.errors import FaceError
from hawiya.identity.faces.match import (
    DEFAULT_THRESHOLD,
    MatchPolicy,
    compare,
    distance_of,
    match_images,
    score_of,
)


def _pad(image: Image.Image, size: tuple[int, int], at: tuple[int, int]) -> Image.Image:
    canvas = Image.new("RGB", size, (200, 200, 205))
    canvas.paste(image, at)
    return canvas


def test_the_sample_photos_ship_inside_installed_packages() -> None:
    import matplotlib
    import skimage

    assert (Path(skimage.__file__).parent / "data" / "astronaut.png").is_file()
    assert (Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg").is_file()
    assert synthetic.astronaut().size == (512, 512)
    assert synthetic.grace_hopper().size == (512, 600)


def test_the_same_person_matches_across_size_mirror_rotation_and_expression(
    astronaut: synthetic.Portrait,
) -> None:
    photo = astronaut.image
    w, h = photo.size
    variants = [
        photo.resize((w * 3 // 4, h * 3 // 4), Image.Resampling.LANCZOS).resize((w, h)),
        photo.resize((w * 2, h * 2), Image.Resampling.BICUBIC),
        photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        photo.rotate(6, resample=Image.Resampling.BILINEAR, fillcolor=(128, 128, 128)),
        *synthetic.challenge_frames(astronaut, ("blink", "turn_left", "smile"), seed=3),
    ]
    reference = embed(photo).embedding
    for variant in variants:
        result = compare(reference, embed(variant).embedding)
        assert result.matched, result
        assert result.score > 75 and result.distance < 0.45


def test_different_people_do_not_match(
    astronaut: synthetic.Portrait, hopper: synthetic.Portrait
) -> None:
    result = match_images(astronaut.image, hopper.image, reference_source="selfie")
    assert not result.matched and result.distance > DEFAULT_THRESHOLD
    assert result.score < 50
    mirrored = hopper.image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    smiling = synthetic.challenge_frames(astronaut, ("smile",), seed=1)[0]
    assert not compare(embed(smiling).embedding, embed(mirrored).embedding).matched


def test_the_result_names_score_threshold_decision_and_model(
    astronaut: synthetic.Portrait,
) -> None:
    """Checklist BIO-1."""
    frame = synthetic.challenge_frames(astronaut, ("straight",), seed=5)[0]
    strict = MatchPolicy(threshold=0.05)
    result = match_images(frame, astronaut.image, reference_source="selfie", policy=strict)
    assert not result.matched  # the same person, refused by a tenant's far stricter threshold
    shown = result.as_dict()
    assert set(shown) == {"matched", "distance", "score", "threshold", "threshold_score", "model"}
    assert shown["threshold"] == 0.05 and shown["threshold_score"] == score_of(0.05)
    assert "dlib_face_recognition_resnet_model_v1" in shown["model"]
    assert "face-recognition-models 0.3.0" in shown["model"]
    assert pickle.loads(pickle.dumps(result))  # noqa: S301 == result


def test_the_score_is_a_fixed_logistic_of_the_distance() -> None:
    assert score_of(0.6) == 50.0
    assert score_of(0.0) > 99.7 and score_of(1.5) < 0.02 and score_of(1e9) == 0.0
    scores = [score_of(d / 20) for d in range(0, 30)]
    assert scores == sorted(scores, reverse=True)
    assert math.isclose(distance_of(score_of(0.43)), 0.43, abs_tol=1e-3)
    assert math.isclose(MatchPolicy.from_score(60).threshold, 0.5595, abs_tol=1e-4)
    for bad in (0.0, -1.0, 2.0):
        with pytest.raises(ValueError, match="threshold"):
            MatchPolicy(threshold=bad)
    with pytest.raises(ValueError, match="score"):
        distance_of(100.0)


def test_a_picture_without_a_face_is_4207_or_3014_for_an_id_image() -> None:
    blank = Image.new("RGB", (640, 480), (180, 180, 180))
    with pytest.raises(FaceError) as caught:
        embed(blank)
    assert caught.value.code == errors.NO_FACE == 4207
    with pytest.raises(FaceError) as caught:
        embed(blank, source="id_card")
    assert caught.value.code == errors.NO_FACE_ON_ID == 3014
    error = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 (crosses a process pool intact)
    assert (error.code, error.reason, error.frame) == (3014, caught.value.reason, None)


def test_two_faces_side_by_side_are_4206_but_an_id_image_takes_the_largest(
    astronaut: synthetic.Portrait, hopper: synthetic.Portrait
) -> None:
    both = Image.new("RGB", (960, 640))
    both.paste(astronaut.image, (0, 0))
    both.paste(hopper.image, (480, 0))
    assert len(detect(both)) == 2
    with pytest.raises(FaceError) as caught:
        embed(both)
    assert caught.value.code == errors.MORE_THAN_ONE_FACE == 4206
    # On a card the portrait is the largest face (a ghost image beside it is smaller).
    small = hopper.image.resize((240, 320))
    card = _pad(astronaut.image, (960, 640), (0, 0))
    card.paste(small, (600, 160))
    face = embed(card, source="id_card")
    assert compare(face.embedding, embed(astronaut.image).embedding).matched


def test_the_mission_patch_is_not_a_second_face() -> None:
    """Upsampled, dlib also finds a "face" on the astronaut's mission patch; it scores far below
    real faces, so it is not counted."""
    photo = synthetic.astronaut()
    upsampled = DetectionPolicy(upsample=(1,))
    boxes = detect(photo, upsampled)
    assert len(boxes) == 2 and min(b.score for b in boxes) < 0.3
    main = locate(photo, policy=upsampled)
    assert main.score == max(b.score for b in boxes)
    assert main.top < 200  # the face, not the patch lower down


def test_a_face_too_small_or_cut_by_the_edge_is_4208_and_a_dark_one_4209(
    astronaut: synthetic.Portrait,
) -> None:
    tiny = _pad(astronaut.image.resize((96, 128)), (640, 480), (270, 170))
    with pytest.raises(FaceError) as caught:
        embed(tiny)
    assert caught.value.code == errors.FACE_NOT_IN_FRAME == 4208
    half = Image.new("RGB", (480, 640), (200, 200, 205))
    half.paste(astronaut.image, (-200, 0))  # a fifth of the face is outside the picture
    with pytest.raises(FaceError) as caught:
        embed(half)
    assert caught.value.code == errors.FACE_NOT_IN_FRAME
    dark = Image.fromarray((np.asarray(astronaut.image) * 0.07).astype(np.uint8))
    with pytest.raises(FaceError) as caught:
        embed(dark)
    assert caught.value.code == errors.FACE_UNCLEAR == 4209


def test_an_uploaded_jpeg_goes_from_base64_to_a_match(astronaut: synthetic.Portrait) -> None:
    frame = synthetic.challenge_frames(astronaut, ("turn_right",), seed=2)[0]
    text = base64.b64encode(synthetic.jpeg(frame, quality=80)).decode()
    decoded = images.decode_image(text)
    result = match_images(decoded.image, astronaut.image, reference_source="selfie")
    assert result.matched
