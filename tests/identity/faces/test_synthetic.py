"""The synthetic frame sets: reproducible, accepted by the API's image checks, and showing the
pose or expression each challenge asks for."""

from __future__ import annotations

import base64

from hawiya.identity import images
from hawiya.identity.faces import landmarks as lm
from hawiya.identity.faces import synthetic
from hawiya.identity.faces.embedder import embed


def _geometry(frame: synthetic.Pixels) -> lm.Geometry:
    from PIL import Image

    face = embed(Image.fromarray(frame))
    points = lm.mesh_points(face.crop.pixels)
    assert points is not None
    return lm.measure(points, face.crop.pixels)


def test_a_seed_always_makes_the_same_frames(astronaut: synthetic.Portrait) -> None:
    a = synthetic.challenge_frames(astronaut, ("smile", "blink"), seed=9)
    b = synthetic.challenge_frames(astronaut, ("smile", "blink"), seed=9)
    assert [synthetic.jpeg(f) for f in a] == [synthetic.jpeg(f) for f in b]
    c = synthetic.challenge_frames(astronaut, ("smile", "blink"), seed=10)
    assert synthetic.jpeg(a[0]) != synthetic.jpeg(c[0])


def test_frames_pass_the_api_image_checks(hopper: synthetic.Portrait) -> None:
    for frame in synthetic.challenge_frames(hopper, ("turn_left", "smile", "straight"), seed=1):
        data = synthetic.jpeg(frame, quality=80)
        decoded = images.decode_image(base64.b64encode(data).decode())
        assert decoded.format == "JPEG" and decoded.image.size == synthetic.FRAME_SIZE
        assert len(data) < 500_000  # the spec's "ideally < 500 KB" per liveness frame


def test_each_challenge_moves_what_it_should(astronaut: synthetic.Portrait) -> None:
    still = _geometry(synthetic.pose(astronaut, "straight"))
    left = _geometry(synthetic.pose(astronaut, "turn_left"))
    right = _geometry(synthetic.pose(astronaut, "turn_right"))
    blink = _geometry(synthetic.pose(astronaut, "blink"))
    smile = _geometry(synthetic.pose(astronaut, "smile"))
    assert left.yaw > still.yaw + 0.25 and right.yaw < still.yaw - 0.25
    assert left.yaw_deg < -8 and right.yaw_deg > 8  # the mesh's own depth agrees
    assert blink.eyes_open < 0.7 * still.eyes_open and blink.eye_dark < 0.85 * still.eye_dark
    assert smile.mouth_width > still.mouth_width + 0.08 and smile.smile_lift > still.smile_lift
    for other in (left, right, blink):
        assert abs(other.mouth_width - still.mouth_width) < 0.045
