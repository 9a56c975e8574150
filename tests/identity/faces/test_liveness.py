"""Liveness on three frames: a person doing the SDK's challenges passes; the same photo three
times, re-encoded or mirrored copies, a printed face shown three times and frames of different
people fail, each for its own reason; a frame without exactly one face gets its code."""

from __future__ import annotations

import dataclasses
import io
import json
import pickle

import cv2
import numpy as np
import pytest
from PIL import Image

from hawiya.identity.faces import errors, synthetic
from hawiya.identity.faces import landmarks as lm
from hawiya.identity.faces.embedder import embed
from hawiya.identity.faces.liveness import (
    DEFAULT_POLICY,
    DUPLICATES,
    FACES,
    MOVEMENT,
    SAME_PERSON,
    LivenessPolicy,
    LivenessResult,
    check_liveness,
)
from hawiya.identity.faces.match import compare


def _failed(result: LivenessResult) -> set[str]:
    return {c.name for c in result.checks if not c.passed}


@pytest.mark.parametrize(
    ("who", "challenges", "seed"),
    [
        ("astronaut", ("blink", "turn_right", "smile"), 0),
        ("astronaut", ("turn_left", "straight", "turn_right"), 1),
        ("hopper", ("straight", "smile", "blink"), 2),
        ("hopper", ("turn_right", "blink", "straight"), 3),
    ],
)
def test_a_person_doing_the_challenges_passes(
    who: str, challenges: tuple[synthetic.Challenge, ...], seed: int, request: pytest.FixtureRequest
) -> None:
    portrait: synthetic.Portrait = request.getfixturevalue(who)
    frames = synthetic.challenge_frames(portrait, challenges, seed=seed)
    result = check_liveness(frames, raw=[synthetic.jpeg(f) for f in frames])
    assert result.passed, result.reasons
    assert result.code is None and result.reasons == ()
    assert [c.name for c in result.checks] == [FACES, DUPLICATES, SAME_PERSON, MOVEMENT]
    assert len(result.embeddings) == 3
    # The reference frame is a frontal, open-eyed one ...
    assert result.reference_frame is not None
    assert challenges[result.reference_frame] in ("straight", "smile")
    # ... and the caller matches it against the ID photo in a separate call.
    card_photo = embed(portrait.image, source="id_card").embedding
    assert compare(result.embeddings[result.reference_frame], card_photo).matched


def test_the_result_explains_itself_and_crosses_a_process_pool(
    astronaut: synthetic.Portrait,
) -> None:
    frames = synthetic.challenge_frames(astronaut, ("smile", "turn_left", "blink"), seed=4)
    result = check_liveness(frames)
    shown = json.loads(json.dumps(result.as_dict()))
    assert shown["passed"] is True and shown["code"] is None
    assert "mediapipe face_mesh 0.10.21" in shown["model"]
    movement = next(c for c in shown["checks"] if c["name"] == MOVEMENT)
    assert movement["measurements"]["moving_pairs"] == 3
    assert "yaw" in movement["measurements"]["face_1/face_2"]["moved"]  # smile → turn left
    assert "eye_dark" in movement["measurements"]["face_1/face_3"]["moved"]  # smile → blink
    assert [f["yaw"] > 0.2 for f in shown["frames"]] == [False, True, False]
    again = pickle.loads(pickle.dumps(result))  # noqa: S301
    assert again.passed and (again.embeddings[0] == result.embeddings[0]).all()


def test_the_same_photo_three_times_fails_as_identical(hopper: synthetic.Portrait) -> None:
    raw = synthetic.same_photo_three_times(hopper)
    frames = [Image.open(io.BytesIO(data)).convert("RGB") for data in raw]
    result = check_liveness(frames, raw=raw)
    assert not result.passed and result.code == errors.LIVENESS_FAILED == 4210
    assert _failed(result) == {DUPLICATES, MOVEMENT}
    assert "face_1/face_2: identical bytes" in result.reasons
    without_bytes = check_liveness(frames)
    assert "face_2/face_3: identical pixels" in without_bytes.reasons


def test_reencoded_and_mirrored_copies_fail_as_copies(astronaut: synthetic.Portrait) -> None:
    result = check_liveness(synthetic.reencoded_copies(astronaut))
    assert not result.passed and DUPLICATES in _failed(result)
    assert "face_1/face_3: near copy" in result.reasons  # JPEG 95 vs resized JPEG 50
    photo = astronaut.image
    mirrored = [photo, photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT), synthetic.reencode(photo)]
    result = check_liveness(mirrored)
    assert "face_1/face_2: mirrored copy" in result.reasons


@pytest.mark.parametrize("seed", [0, 1])
def test_a_printed_face_shown_three_times_fails_on_movement(
    seed: int, astronaut: synthetic.Portrait, hopper: synthetic.Portrait
) -> None:
    """Every pixel differs (moved, turned, tilted, new noise), so no copy is found; the face's
    geometry is the same three times."""
    for portrait in (astronaut, hopper):
        result = check_liveness(synthetic.printed_copies(portrait, seed=seed))
        assert not result.passed
        assert _failed(result) == {MOVEMENT}, result.reasons
        assert result.code == errors.LIVENESS_FAILED


def test_frames_of_different_people_fail_on_same_person(
    astronaut: synthetic.Portrait, hopper: synthetic.Portrait
) -> None:
    result = check_liveness(synthetic.mixed_identities([astronaut, hopper]))
    assert not result.passed and _failed(result) == {SAME_PERSON}
    assert any("different people" in r for r in result.reasons)


def test_a_frame_without_one_face_gets_its_code_and_nothing_else_runs(
    astronaut: synthetic.Portrait, hopper: synthetic.Portrait
) -> None:
    frames = synthetic.challenge_frames(astronaut, ("blink", "turn_right", "smile"), seed=0)
    blank = Image.new("RGB", (480, 640), (120, 130, 140))
    result = check_liveness([frames[0], blank, frames[2]])
    assert not result.passed and result.code == errors.NO_FACE
    assert [c.name for c in result.checks] == [FACES] and result.embeddings == ()
    assert result.reasons == ("face_2: no face detected",)
    assert result.geometry[0] is not None and result.geometry[1:] == (None, None)
    both = Image.new("RGB", (960, 640))
    both.paste(frames[2], (0, 0))
    both.paste(hopper.image, (480, 0))
    result = check_liveness([frames[0], frames[1], both])
    assert result.code == errors.MORE_THAN_ONE_FACE and result.reasons[0].startswith("face_3:")


def test_the_policy_is_configurable_and_the_input_checked(astronaut: synthetic.Portrait) -> None:
    frames = synthetic.challenge_frames(astronaut, ("straight", "smile", "blink"), seed=6)
    lax = LivenessPolicy(min_moving_pairs=0)
    static = synthetic.printed_copies(astronaut, seed=2)
    assert check_liveness(static, policy=lax).passed  # movement switched off: a print passes
    strict = LivenessPolicy(same_person_threshold=0.01)
    assert _failed(check_liveness(frames, policy=strict)) == {SAME_PERSON}
    with pytest.raises(ValueError, match="two frames"):
        check_liveness(frames[:1])
    with pytest.raises(ValueError, match="one entry per frame"):
        check_liveness(frames, raw=[b"x"])


def _nudged(frame: Image.Image, dx: float, dy: float, scale: float, gain: float) -> Image.Image:
    """The same frame a few pixels over, slightly larger or smaller, brighter or darker."""
    pixels = np.asarray(frame, dtype=np.uint8)
    h, w = pixels.shape[:2]
    matrix = np.asarray(cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, scale), dtype=np.float64)
    matrix[:, 2] += (dx, dy)
    moved = cv2.warpAffine(pixels, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)
    return Image.fromarray(np.clip(moved * gain, 0, 255).astype(np.uint8))


def test_nudged_copies_fail_on_movement_because_the_pixels_did_not_change(
    hopper: synthetic.Portrait,
) -> None:
    """One frame shifted, rescaled and brightened for the other two: no near copy at the
    thumbnail level, but aligned on the face the eyes and mouth are the same picture, so no
    change the mesh might read into them counts."""
    first = synthetic.challenge_frames(hopper, ("smile",), seed=7)[0]
    frames = [first, _nudged(first, 5, -4, 1.025, 1.06), _nudged(first, -6, 3, 0.98, 0.94)]
    result = check_liveness(frames)
    assert not result.passed and MOVEMENT in _failed(result)
    movement = result.check(MOVEMENT)
    assert movement is not None
    for pair in ("face_1/face_2", "face_1/face_3", "face_2/face_3"):
        seen = movement.measurements[pair]["appearance"]
        assert max(seen.values()) < DEFAULT_POLICY.appearance_change, seen
    # Every mesh change counts as measured with no geometric limit; the pixels still refuse them.
    jittery = LivenessPolicy(
        yaw_change=0.0,
        eyes_change=0.0,
        eye_dark_change=0.0,
        mouth_width_change=0.0,
        mouth_open_change=0.0,
        smile_lift_change=0.0,
    )
    result = check_liveness(frames, policy=jittery)
    movement = result.check(MOVEMENT)
    assert movement is not None and not movement.passed
    assert movement.measurements["face_1/face_2"]["moved"] == []
    assert len(movement.measurements["face_1/face_2"]["unconfirmed"]) == 6
    # With the pixel check switched off, mesh jitter alone would pass the movement check.
    unchecked = check_liveness(frames, policy=dataclasses.replace(jittery, appearance_change=0.0))
    movement = unchecked.check(MOVEMENT)
    assert movement is not None and movement.passed


def test_real_challenges_change_the_pixels_they_claim(astronaut: synthetic.Portrait) -> None:
    frames = synthetic.challenge_frames(astronaut, ("blink", "turn_right", "smile"), seed=0)
    movement = check_liveness(frames).check(MOVEMENT)
    assert movement is not None and movement.passed
    blink_smile = movement.measurements["face_1/face_3"]
    assert blink_smile["appearance"]["eyes"] > 2 * DEFAULT_POLICY.appearance_change
    assert blink_smile["appearance"]["mouth"] > 2 * DEFAULT_POLICY.appearance_change
    assert blink_smile["unconfirmed"] == []


def test_eye_darkness_ignores_exposure(hopper: synthetic.Portrait) -> None:
    frame = synthetic.challenge_frames(hopper, ("straight",), seed=1)[0]
    face = embed(frame)
    points = lm.mesh_points(face.crop.pixels)
    assert points is not None
    base = lm.measure(points, face.crop.pixels).eye_dark
    for gain in (0.75, 0.9, 1.1, 1.2):
        exposed = np.clip(face.crop.pixels.astype(np.float64) * gain, 0, 255).astype(np.uint8)
        assert lm.measure(points, exposed).eye_dark == pytest.approx(base, rel=0.02)


def test_the_server_task_uses_the_tenant_threshold_between_frames(
    astronaut: synthetic.Portrait,
) -> None:
    from hawiya.identity import tasks

    frames = synthetic.challenge_frames(astronaut, ("blink", "turn_right", "smile"), seed=0)
    raw = [synthetic.jpeg(f) for f in frames]
    id_photo = synthetic.jpeg(astronaut.image.resize((252, 336), Image.Resampling.LANCZOS))
    answer = tasks.check_liveness(raw, id_photo, 0.6)
    assert answer["liveness"]["passed"] and answer["match"]["matched"]
    strict = tasks.check_liveness(raw, id_photo, 0.05)
    assert not strict["liveness"]["passed"] and strict["match"] is None
    same_person = next(c for c in strict["liveness"]["checks"] if c["name"] == SAME_PERSON)
    assert not same_person["passed"] and same_person["measurements"]["threshold"] == 0.05
