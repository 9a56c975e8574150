"""Face-mesh landmarks (MediaPipe, 478 points) and the pose and expression measures that liveness
compares across frames.

Every measure is a ratio of two distances taken along roughly parallel directions in the face,
so it does not change when a flat picture of a face is moved, scaled, rotated in the image plane
or tilted in front of the camera (an affine change keeps ratios along parallel lines): a printed
photo held at three angles measures the same three times, while a real head turning, blinking or
smiling changes them.

- `yaw`: where the nose tip lies between the two cheek edges along the eye line, scaled to
  −1…1 (0 when frontal; positive when the nose is nearer the picture's right edge, i.e. the
  person turned to their left). About ±0.25 at the 13° that the SDKs call a head turn.
- `eyes_open`: the mean eyelid gap across the eye line of both eyes, over the distance from the
  eye line to the nose tip. Drops towards 0 in a blink.
- `eye_dark`: how dark the darkest fifth of an eye-aligned patch over each eye is (the eye's width
  across, half of it high): 1 − its 20th percentile over the median of a patch of cheek below
  the eye, the mean of both eyes. In an open eye that fifth is the iris, pupil and lashes; in a
  blink it is the lid and the lash line, which are lighter. It falls in a blink even where the
  mesh's eyelid points barely move (behind Grace Hopper's glasses). It is the ratio of two grey
  levels of the same frame, so a change of exposure (gain) leaves it unchanged, and it varies
  smoothly: a pixel more or less in the patch barely moves a percentile. (Until BIO-2 it was the
  share of the patch darker than 0.55 × the skin: on a soft face many pixels sit near such a
  cut-off, and landmark jitter or a 6 % brightness change moved it by up to 0.47 relative on a
  still picture; this measure by at most 0.04 on the portraits, 0.08 on 25-pixel faces.)
- `mouth_width`: mouth corner to corner over the outer eye-corner distance. Rises in a smile.
- `mouth_open`: inner-lip gap over the eye-line-to-nose distance.
- `smile_lift`: how far the mouth corners sit above the middle of the lips, over the same
  vertical reference. Rises in a smile.

`yaw_deg` (from the mesh's own depth estimate) and the classic eye aspect ratio are reported for
information only; decisions use the ratios above.

`appearance_change` compares two frames' pixels where the measures say something moved: frame
b is brought onto frame a by the affine map that fits the mesh's rigid points (forehead, nose,
eye corners, cheekbones), both are blurred to about 25 pixels between the eyes, and for each eye
and the mouth the region of frame a is matched (normalised correlation, zero mean) against
frame b within 0.08 eye distance of where it should be. The change is 1 − the best correlation:
about 0 when the region is the same picture, however the frame was moved, scaled, tilted or
brightened; clearly above 0 after a blink, a smile or a head turn. The mesh can be wrong on a
soft face (its mouth opening read 0.17 apart on two copies of one 25-pixel face); the pixels of
two copies cannot disagree like that.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from hawiya.identity.faces.models import mesh_model

Points = npt.NDArray[np.float64]  # (478, 3): x, y in pixels, z in the same units as x

# MediaPipe face-mesh indices. "Right"/"left" are the person's: the right eye is on the image's
# left in an unmirrored photo.
RIGHT_EYE_OUTER, RIGHT_EYE_INNER = 33, 133
LEFT_EYE_OUTER, LEFT_EYE_INNER = 263, 362
RIGHT_LIDS = ((160, 144), (159, 145), (158, 153))  # (upper, lower)
LEFT_LIDS = ((385, 380), (386, 374), (387, 373))
NOSE_TIP = 1
RIGHT_CHEEK, LEFT_CHEEK = 234, 454  # the face contour at eye height
RIGHT_CHEEK_UNDER_EYE, LEFT_CHEEK_UNDER_EYE = 118, 347
MOUTH_RIGHT, MOUTH_LEFT = 61, 291
LIP_INNER_UPPER, LIP_INNER_LOWER = 13, 14
# Full eyelid contours (upper, lower), corner to corner, for the synthetic blink.
RIGHT_UPPER_LID = (246, 161, 160, 159, 158, 157, 173)
RIGHT_LOWER_LID = (7, 163, 144, 145, 153, 154, 155)
LEFT_UPPER_LID = (466, 388, 387, 386, 385, 384, 398)
LEFT_LOWER_LID = (249, 390, 373, 374, 380, 381, 382)


@dataclass(frozen=True, slots=True)
class Geometry:
    yaw: float
    eyes_open: float
    eye_open_right: float
    eye_open_left: float
    eye_dark: float
    mouth_width: float
    mouth_open: float
    smile_lift: float
    yaw_deg: float
    eye_aspect_ratio: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def mesh_points(pixels: npt.NDArray[np.uint8]) -> Points | None:
    """The 478 landmarks of the most prominent face in RGB pixels, or None."""
    model = mesh_model()
    with model.lock:
        result = model.mesh.process(np.ascontiguousarray(pixels))
    faces = result.multi_face_landmarks
    if not faces:
        return None
    h, w = pixels.shape[:2]
    points = np.array([(p.x * w, p.y * h, p.z * w) for p in faces[0].landmark], dtype=np.float64)
    return points


def _unit(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


_GRID_X, _GRID_Y = np.meshgrid(np.linspace(-0.5, 0.5, 32), np.linspace(-0.25, 0.25, 16))


def _patch(
    grey: npt.NDArray[np.float32],
    centre: npt.NDArray[np.float64],
    across: npt.NDArray[np.float64],
    down: npt.NDArray[np.float64],
) -> npt.NDArray[np.float32]:
    """A 32 × 16 sample of `grey` on the grid centre + x·across + y·down (x ±0.5, y ±0.25)."""
    xs = centre[0] + _GRID_X * across[0] + _GRID_Y * down[0]
    ys = centre[1] + _GRID_X * across[1] + _GRID_Y * down[1]
    out = cv2.remap(
        grey,
        xs.astype(np.float32),
        ys.astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(out, dtype=np.float32)


EYE_DARK_PERCENTILE = 20.0


def _eye_dark(grey: npt.NDArray[np.float32], p: npt.NDArray[np.float64]) -> float:
    darkness = []
    for outer, inner, cheek in (
        (RIGHT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_CHEEK_UNDER_EYE),
        (LEFT_EYE_OUTER, LEFT_EYE_INNER, LEFT_CHEEK_UNDER_EYE),
    ):
        width = max(float(np.linalg.norm(p[inner] - p[outer])), 1e-6)
        u = (p[inner] - p[outer]) / width
        v = np.array([-u[1], u[0]])
        eye = _patch(grey, (p[outer] + p[inner]) / 2, u * width, v * width)
        skin = float(np.median(_patch(grey, p[cheek], u * width / 2, v * width / 2)))
        dark = float(np.percentile(eye, EYE_DARK_PERCENTILE))
        darkness.append(max(0.0, 1.0 - dark / skin) if skin > 1.0 else 0.0)
    return float(np.mean(darkness))


def measure(points: Points, pixels: npt.NDArray[np.uint8]) -> Geometry:
    """The measures of one face from its mesh and the RGB pixels the mesh was read from."""
    p = points[:, :2]
    right_eye = (p[RIGHT_EYE_OUTER] + p[RIGHT_EYE_INNER]) / 2
    left_eye = (p[LEFT_EYE_OUTER] + p[LEFT_EYE_INNER]) / 2
    across = _unit(left_eye - right_eye)  # along the eye line, towards the image's right
    down = np.array([-across[1], across[0]])  # perpendicular, towards the chin
    eye_mid = (right_eye + left_eye) / 2
    vertical = max(float((p[NOSE_TIP] - eye_mid) @ down), 1e-6)
    outer = max(float(np.linalg.norm(p[LEFT_EYE_OUTER] - p[RIGHT_EYE_OUTER])), 1e-6)

    def lid_gap(pairs: tuple[tuple[int, int], ...]) -> float:
        return float(np.mean([(p[lower] - p[upper]) @ down for upper, lower in pairs]))

    right_open = lid_gap(RIGHT_LIDS) / vertical
    left_open = lid_gap(LEFT_LIDS) / vertical

    cheek_span = float((p[LEFT_CHEEK] - p[RIGHT_CHEEK]) @ across)
    nose_at = float((p[NOSE_TIP] - p[RIGHT_CHEEK]) @ across)
    yaw = 2.0 * nose_at / cheek_span - 1.0 if cheek_span > 1e-6 else 0.0

    lips_mid = (p[LIP_INNER_UPPER] + p[LIP_INNER_LOWER]) / 2
    corners_mid = (p[MOUTH_RIGHT] + p[MOUTH_LEFT]) / 2

    # Depth from the mesh: the cheek-to-cheek line's angle out of the image plane.
    cheeks = points[LEFT_CHEEK] - points[RIGHT_CHEEK]
    yaw_deg = math.degrees(math.atan2(-float(cheeks[2]), float(np.hypot(cheeks[0], cheeks[1]))))

    def ear(outer_i: int, inner_i: int, pairs: tuple[tuple[int, int], ...]) -> float:
        width = max(float(np.linalg.norm(p[outer_i] - p[inner_i])), 1e-6)
        return float(np.mean([np.linalg.norm(p[a] - p[b]) for a, b in pairs])) / width

    return Geometry(
        yaw=yaw,
        eyes_open=(right_open + left_open) / 2,
        eye_open_right=right_open,
        eye_open_left=left_open,
        eye_dark=_eye_dark(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY).astype(np.float32), p),
        mouth_width=float(np.linalg.norm(p[MOUTH_LEFT] - p[MOUTH_RIGHT])) / outer,
        mouth_open=float((p[LIP_INNER_LOWER] - p[LIP_INNER_UPPER]) @ down) / vertical,
        smile_lift=float((lips_mid - corners_mid) @ down) / vertical,
        yaw_deg=yaw_deg,
        eye_aspect_ratio=(
            ear(RIGHT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_LIDS)
            + ear(LEFT_EYE_OUTER, LEFT_EYE_INNER, LEFT_LIDS)
        )
        / 2,
    )


# --------------------------------------------------------------------------------------------
# Appearance change between two frames

# Points that move with the head but not with a blink, a smile or an open mouth.
RIGID_POINTS: tuple[int, ...] = (10, 151, 9, 8, 168, 6, 197, 195, 5, 54, 284, 21, 251, 103, 332)
RIGID_POINTS += (67, 297, 109, 338, 33, 133, 263, 362, 1, 4, 45, 275, 48, 278, 2, 98, 327, 116)
RIGID_POINTS += (345, 123, 352)
LIPS_OUTER: tuple[int, ...] = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270)
LIPS_OUTER += (269, 267, 0, 37, 39, 40, 185)
REGIONS: dict[str, tuple[tuple[int, ...], float]] = {  # mesh points, margin (share of the box)
    "right_eye": ((*RIGHT_UPPER_LID, *RIGHT_LOWER_LID, RIGHT_EYE_OUTER, RIGHT_EYE_INNER), 0.25),
    "left_eye": ((*LEFT_UPPER_LID, *LEFT_LOWER_LID, LEFT_EYE_OUTER, LEFT_EYE_INNER), 0.25),
    "mouth": (LIPS_OUTER, 0.2),
}
APPEARANCE_IED = 25.0  # both frames are blurred to about this many pixels between the eyes
APPEARANCE_SEARCH = 0.08  # eye distances: how far a region may have moved after the fit


def _ied(p: npt.NDArray[np.float64]) -> float:
    right = (p[RIGHT_EYE_OUTER] + p[RIGHT_EYE_INNER]) / 2
    left = (p[LEFT_EYE_OUTER] + p[LEFT_EYE_INNER]) / 2
    return max(float(np.linalg.norm(left - right)), 1e-6)


def _region(
    p: npt.NDArray[np.float64], indices: tuple[int, ...], margin: float, shape: tuple[int, ...]
) -> tuple[int, int, int, int]:
    corners = p[list(indices)]
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    grow = max((x1 - x0) * margin, (y1 - y0) * margin, 4.0)
    h, w = shape[:2]
    return (
        max(0, int(x0 - grow)),
        max(0, int(y0 - grow)),
        min(w, int(x1 + grow) + 1),
        min(h, int(y1 + grow) + 1),
    )


def appearance_change(
    a_pixels: npt.NDArray[np.uint8],
    a_points: Points,
    b_pixels: npt.NDArray[np.uint8],
    b_points: Points,
) -> dict[str, float]:
    """How much each eye and the mouth changed in the pixels from frame a to frame b, 0 (the
    same picture) to 2, and `eyes` (the larger eye change); see the module's docstring."""
    pa, pb = a_points[:, :2], b_points[:, :2]
    rigid = list(RIGID_POINTS)
    # The stubs say a matrix; OpenCV returns None when no fit is found.
    fit: Any = cv2.estimateAffine2D(
        pb[rigid].astype(np.float32), pa[rigid].astype(np.float32), method=cv2.LMEDS
    )
    matrix = fit[0]
    if matrix is None:  # no fit at all: every region counts as changed
        return {"right_eye": 1.0, "left_eye": 1.0, "mouth": 1.0, "eyes": 1.0}
    grey_a = cv2.cvtColor(np.ascontiguousarray(a_pixels), cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey_b = cv2.cvtColor(np.ascontiguousarray(b_pixels), cv2.COLOR_RGB2GRAY).astype(np.float32)
    moved = cv2.warpAffine(
        grey_b,
        matrix,
        (grey_a.shape[1], grey_a.shape[0]),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    ied = _ied(pa)
    sigma = ied / APPEARANCE_IED
    grey_a = np.asarray(cv2.GaussianBlur(grey_a, (0, 0), sigma), dtype=np.float32)
    moved = np.asarray(cv2.GaussianBlur(moved, (0, 0), sigma), dtype=np.float32)
    reach = max(1, round(APPEARANCE_SEARCH * ied))
    h, w = grey_a.shape
    out: dict[str, float] = {}
    for name, (indices, margin) in REGIONS.items():
        x0, y0, x1, y1 = _region(pa, indices, margin, grey_a.shape)
        template = grey_a[y0:y1, x0:x1]
        if template.size == 0 or float(template.std()) < 1e-3:
            out[name] = 0.0  # nothing to compare (a flat region)
            continue
        window = moved[
            max(0, y0 - reach) : min(h, y1 + reach), max(0, x0 - reach) : min(w, x1 + reach)
        ]
        scores = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
        best = float(np.nanmax(scores)) if np.isfinite(scores).any() else -1.0
        out[name] = 1.0 - min(1.0, best)
    out["eyes"] = max(out["right_eye"], out["left_eye"])
    return out
